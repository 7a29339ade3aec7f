"""Importing banks as immutable versions, and browsing them.

A bank is validated by `questions` (every problem reported at once), hashed, and stored as a
version. Importing the same content again returns the stored version; different content under
a version number already imported is refused: versions are immutable, so quizzes built on one
never change under their students.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

import questions
from api.banks.archive import unpack_bank_archive
from api.banks.models import (
    Bank,
    BankPublic,
    BankVersion,
    BankVersionDetail,
    BankVersionPublic,
    QuestionSummary,
)
from api.banks.store import bank_content_hash, parsed_bank, remember_bank
from api.core.db import transaction
from api.errors import Conflict, FieldError, NotFound, ValidationFailed
from api.i18n import Text
from api.pagination import Page, paginate
from api.users.models import User
from graders.catalogue import ASSIGNMENTS_DIR
from questions import Bank as QuestionBank
from questions import validate_bank
from questions.models import CodeQuestion

__all__ = [
    "SHIPPED_BANK",
    "BankVersionConflict",
    "InvalidBank",
    "QuestionFilter",
    "available_assignments",
    "bank_public",
    "filter_questions",
    "get_version",
    "import_archive",
    "import_bank",
    "import_folder",
    "import_shipped_bank",
    "list_banks",
    "list_versions",
    "load_folder",
    "version_detail",
    "version_public",
]

SHIPPED_BANK = Path(questions.__file__).resolve().parent / "banks" / "async-backends"
logger = logging.getLogger("quizloop.banks")


class InvalidBank(ValidationFailed):
    kind = "invalid-bank"
    title = Text(en="Invalid question bank", zh="题库无效")
    default_detail = Text(
        en="The bank has problems; nothing was imported. See `errors` (file, line, field).",
        zh="题库有错误，未导入任何内容。详见 `errors`（文件、行、字段）。",
    )


class BankVersionConflict(Conflict):
    kind = "bank-version-conflict"
    title = Text(en="Bank version already imported", zh="该题库版本已导入")


def available_assignments() -> set[str]:
    """The ids of graders/ assignments (folder names), which code questions may name."""
    if not ASSIGNMENTS_DIR.is_dir():
        return set()
    return {
        p.name
        for p in ASSIGNMENTS_DIR.iterdir()
        if p.is_dir() and not p.name.startswith((".", "_"))
    }


def load_folder(path: Path) -> QuestionBank:
    """Validate a bank folder; InvalidBank lists every problem with its file and line.

    Assignment ids of code questions are not checked here (graders may add the assignment
    later); publishing a quiz that holds such a question is refused instead.
    """
    validation = validate_bank(path)
    if validation.bank is None:
        raise InvalidBank(
            errors=[
                FieldError(
                    loc=["bank", problem.file, *([problem.field] if problem.field else [])],
                    msg=problem.message,
                    type="bank",
                    line=problem.line,
                )
                for problem in validation.problems
            ]
        )
    return validation.bank


def _bank_row(session: Session, bank: QuestionBank) -> Bank:
    row = session.exec(select(Bank).where(Bank.slug == bank.manifest.id)).first()
    if row is None:
        row = Bank(slug=bank.manifest.id, title=dict(bank.manifest.title))
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # imported concurrently by another request
            row = session.exec(select(Bank).where(Bank.slug == bank.manifest.id)).one()
    return row


def import_bank(
    *, session: Session, bank: QuestionBank, source: str, user: User | None = None
) -> tuple[BankVersion, bool]:
    """Store a validated bank as a version: (version, created). Idempotent for the same
    content; BankVersionConflict for different content under an existing version number."""
    digest = bank_content_hash(bank)
    row = _bank_row(session, bank)
    version_number = bank.manifest.version

    def existing() -> BankVersion | None:
        return session.exec(
            select(BankVersion).where(
                BankVersion.bank_id == row.id, BankVersion.version == version_number
            )
        ).first()

    found = existing()
    if found is None:
        assert row.id is not None
        version = BankVersion(
            bank_id=row.id,
            version=version_number,
            content_hash=digest,
            content=bank.model_dump_json(),
            question_count=len(bank.questions),
            source=source,
            imported_by=user.id if user else None,
        )
        try:
            with session.begin_nested():
                session.add(version)
            assert version.id is not None
            remember_bank(version.id, bank)
            return version, True
        except IntegrityError:
            found = existing()
            assert found is not None
    if found.content_hash != digest:
        raise BankVersionConflict(
            Text(
                en="{bank} version {version} is already imported with different content "
                "(hash {old}..., this upload {new}...). Versions are immutable: raise `version` "
                "in bank.yaml and import again.",
                zh="{bank} 的 {version} 版本已导入且内容不同（已存 {old}...，本次 {new}...）。"
                "版本不可修改：请提高 bank.yaml 中的 `version` 后重新导入。",
            ).format(
                bank=bank.manifest.id,
                version=version_number,
                old=found.content_hash[:12],
                new=digest[:12],
            )
        )
    return found, False


def import_folder(
    *, session: Session, path: Path, source: str, user: User | None = None
) -> tuple[BankVersion, bool, QuestionBank]:
    """Validate and import the bank in folder `path`."""
    bank = load_folder(path)
    version, created = import_bank(session=session, bank=bank, source=source, user=user)
    return version, created, bank


def import_archive(
    *, session: Session, data: bytes, user: User | None, source: str = "upload"
) -> tuple[BankVersion, bool, QuestionBank]:
    """Unpack an uploaded zip/tar.gz (safely, with limits), validate and import it."""
    with tempfile.TemporaryDirectory(prefix="quizloop-bank-") as tmp:
        root = unpack_bank_archive(data, Path(tmp))
        return import_folder(session=session, path=root, source=source, user=user)


def import_shipped_bank(engine: Engine) -> tuple[BankVersion, bool]:
    """Import the bank that ships with quizloop (idempotent; `quizloop serve` calls it)."""
    with Session(engine, expire_on_commit=False) as session, transaction(session):
        version, created, _ = import_folder(session=session, path=SHIPPED_BANK, source="shipped")
    if created:
        logger.info("imported the shipped bank %s %s", SHIPPED_BANK.name, version.version)
    return version, created


def version_public(version: BankVersion, bank: Bank) -> BankVersionPublic:
    assert version.id is not None
    return BankVersionPublic(
        id=version.id,
        bank_id=version.bank_id,
        bank=bank.slug,
        version=version.version,
        content_hash=version.content_hash,
        question_count=version.question_count,
        source=version.source,
        imported_at=version.imported_at,
    )


def version_detail(version: BankVersion, bank_row: Bank, bank: QuestionBank) -> BankVersionDetail:
    """A version with counts per topic, tag, type and difficulty, and the code questions'
    assignments graders/ does not offer."""
    known = available_assignments()
    found = bank.questions.values()
    unknown = {q.assignment for q in found if isinstance(q, CodeQuestion)} - known
    return BankVersionDetail(
        **version_public(version, bank_row).model_dump(),
        topics=dict(Counter(q.topic for q in found)),
        tags=dict(Counter(tag for q in found for tag in q.tags)),
        types=dict(Counter(q.type for q in found)),
        difficulties=dict(sorted(Counter(q.difficulty for q in found).items())),
        unknown_assignments=sorted(unknown),
    )


def get_bank(*, session: Session, bank_id: int) -> Bank:
    bank = session.get(Bank, bank_id)
    if bank is None:
        raise NotFound(Text(en="No such bank.", zh="没有这个题库。"))
    return bank


def get_version(*, session: Session, version_id: int) -> tuple[BankVersion, Bank]:
    """A stored version and its bank; NotFound otherwise."""
    version = session.get(BankVersion, version_id)
    if version is None:
        raise NotFound(Text(en="No such bank version.", zh="没有这个题库版本。"))
    bank = session.get(Bank, version.bank_id)
    assert bank is not None
    return version, bank


def bank_public(session: Session, banks: Sequence[Bank]) -> list[BankPublic]:
    """`banks` with their latest versions, in one query for the whole page."""
    ids = [b.id for b in banks]
    latest: dict[int, BankVersion] = {}
    if ids:
        newest = (
            select(BankVersion.bank_id, func.max(BankVersion.id).label("id"))
            .where(col(BankVersion.bank_id).in_(ids))
            .group_by(col(BankVersion.bank_id))
            .subquery()
        )
        rows = session.exec(select(BankVersion).join(newest, col(BankVersion.id) == newest.c.id))
        latest = {v.bank_id: v for v in rows}
    out = []
    for bank in banks:
        assert bank.id is not None
        version = latest.get(bank.id)
        out.append(
            BankPublic(
                id=bank.id,
                slug=bank.slug,
                title=bank.title,
                created_at=bank.created_at,
                latest_version=version_public(version, bank) if version else None,
            )
        )
    return out


def list_banks(*, session: Session, page: Page) -> tuple[list[BankPublic], int]:
    """Banks by id, with their latest versions."""
    banks, count = paginate(session, select(Bank).order_by(col(Bank.id)), page)
    return bank_public(session, banks), count


def list_versions(
    *, session: Session, bank: Bank, page: Page
) -> tuple[list[BankVersionPublic], int]:
    """A bank's versions, newest import first."""
    statement = (
        select(BankVersion)
        .where(BankVersion.bank_id == bank.id)
        .order_by(col(BankVersion.id).desc())
    )
    versions, count = paginate(session, statement, page)
    return [version_public(v, bank) for v in versions], count


@dataclass(frozen=True, slots=True)
class QuestionFilter:
    """Which questions of a version to list; None means any."""

    topic: str | None = None
    tag: str | None = None
    difficulty: int | None = None
    type: str | None = None
    status: str | None = None


def filter_questions(
    *, session: Session, version_id: int, where: QuestionFilter, page: Page
) -> tuple[list[QuestionSummary], int]:
    """A page of a version's questions (in file order) matching `where`."""
    bank = parsed_bank(session, version_id)
    matching = [
        q
        for q in bank.questions.values()
        if (where.topic is None or q.topic == where.topic)
        and (where.tag is None or where.tag in q.tags)
        and (where.difficulty is None or q.difficulty == where.difficulty)
        and (where.type is None or q.type == where.type)
        and (where.status is None or q.status == where.status)
    ]
    shown = matching[page.offset : page.offset + page.limit]
    return [
        QuestionSummary(
            id=q.id,
            type=q.type,
            topic=q.topic,
            tags=list(q.tags),
            difficulty=q.difficulty,
            points=float(q.points),
            status=q.status,
            parameterised=q.parameterised,
            text=dict(q.text),
            source=list(q.source),
        )
        for q in shown
    ], len(matching)
