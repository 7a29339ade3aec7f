"""/api/v1/banks and /api/v1/bank-versions: importing and browsing question banks
(instructors only; students meet questions only through their attempts)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile, status

from api.banks import service
from api.banks.archive import InvalidArchive
from api.banks.models import (
    BankImported,
    BankPublic,
    BanksPublic,
    BankVersionDetail,
    BankVersionsPublic,
    QuestionDetail,
    QuestionSummariesPublic,
    VariantPreview,
)
from api.banks.store import parsed_bank, rendered_variant
from api.deps import InstructorUser, Lang, PageDep, SessionDep
from api.errors import (
    InstructorOnly,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
    problem_responses,
)
from api.i18n import Text
from questions import Bank as QuestionBank
from questions import QuestionType

router = APIRouter(tags=["banks"])

_INSTRUCTOR = (InstructorOnly,)


@router.get("/banks", responses=problem_responses(*_INSTRUCTOR, ValidationFailed))
def list_banks(session: SessionDep, _: InstructorUser, page: PageDep) -> BanksPublic:
    """Every bank, with its latest imported version."""
    banks, count = service.list_banks(session=session, page=page)
    return BanksPublic(data=banks, count=count)


@router.post(
    "/banks",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": BankImported, "description": "This content was already imported."},
        **problem_responses(
            *_INSTRUCTOR,
            InvalidArchive,
            service.InvalidBank,
            service.BankVersionConflict,
            PayloadTooLarge,
        ),
    },
)
def import_bank(
    session: SessionDep,
    instructor: InstructorUser,
    response: Response,
    file: Annotated[UploadFile, File(description="The bank folder as a zip or tar.gz archive.")],
) -> BankImported:
    """Import a bank archive as an immutable version: 201 when new, 200 when the same content
    was already imported, 409 when its version number is taken by different content."""
    version, created, bank = service.import_archive(
        session=session, data=file.file.read(), user=instructor
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    _, bank_row = service.get_version(session=session, version_id=_id(version.id))
    return BankImported(created=created, version=service.version_detail(version, bank_row, bank))


@router.get("/banks/{bank_id}", responses=problem_responses(*_INSTRUCTOR, NotFound))
def read_bank(session: SessionDep, _: InstructorUser, bank_id: int) -> BankPublic:
    """One bank and its latest version."""
    bank = service.get_bank(session=session, bank_id=bank_id)
    return service.bank_public(session, [bank])[0]


@router.get(
    "/banks/{bank_id}/versions",
    responses=problem_responses(*_INSTRUCTOR, NotFound, ValidationFailed),
)
def list_versions(
    session: SessionDep, _: InstructorUser, bank_id: int, page: PageDep
) -> BankVersionsPublic:
    """A bank's versions, newest first."""
    bank = service.get_bank(session=session, bank_id=bank_id)
    versions, count = service.list_versions(session=session, bank=bank, page=page)
    return BankVersionsPublic(data=versions, count=count)


@router.get("/bank-versions/{version_id}", responses=problem_responses(*_INSTRUCTOR, NotFound))
def read_version(session: SessionDep, _: InstructorUser, version_id: int) -> BankVersionDetail:
    """One version, with its questions counted per topic, tag, type and difficulty."""
    version, bank_row = service.get_version(session=session, version_id=version_id)
    return service.version_detail(version, bank_row, parsed_bank(session, version_id))


@router.get(
    "/bank-versions/{version_id}/questions",
    responses=problem_responses(*_INSTRUCTOR, NotFound, ValidationFailed),
)
def list_questions(
    session: SessionDep,
    _: InstructorUser,
    version_id: int,
    page: PageDep,
    topic: Annotated[str | None, Query(max_length=80)] = None,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    difficulty: Annotated[int | None, Query(ge=1, le=5)] = None,
    type: Annotated[QuestionType | None, Query(description="A question type.")] = None,
) -> QuestionSummariesPublic:
    """A version's questions in file order, filtered by topic, tag, difficulty and type."""
    service.get_version(session=session, version_id=version_id)
    where = service.QuestionFilter(topic=topic, tag=tag, difficulty=difficulty, type=type)
    found, count = service.filter_questions(
        session=session, version_id=version_id, where=where, page=page
    )
    return QuestionSummariesPublic(data=found, count=count)


def _question_bank(session: SessionDep, version_id: int, question_id: str) -> QuestionBank:
    service.get_version(session=session, version_id=version_id)
    bank = parsed_bank(session, version_id)
    if question_id not in bank.questions:
        raise NotFound(Text(en="No such question in this version.", zh="该版本中没有这道题。"))
    return bank


@router.get(
    "/bank-versions/{version_id}/questions/{question_id}",
    responses=problem_responses(*_INSTRUCTOR, NotFound),
)
def read_question(
    session: SessionDep, _: InstructorUser, version_id: int, question_id: str
) -> QuestionDetail:
    """A question as its author wrote it, answer key included."""
    bank = _question_bank(session, version_id, question_id)
    question: dict[str, Any] = bank.question(question_id).model_dump(mode="json")
    return QuestionDetail(
        bank_version_id=version_id, file=bank.files.get(question_id), question=question
    )


@router.get(
    "/bank-versions/{version_id}/questions/{question_id}/preview",
    responses=problem_responses(*_INSTRUCTOR, NotFound, ValidationFailed),
)
def preview_question(
    session: SessionDep,
    _: InstructorUser,
    lang: Lang,
    version_id: int,
    question_id: str,
    seed: Annotated[int, Query(ge=0, lt=2**63, description="The variant's seed.")] = 0,
) -> VariantPreview:
    """The variant a seed renders, as the student sees it, with its key."""
    bank = _question_bank(session, version_id, question_id)
    variant = rendered_variant(version_id, bank, question_id, seed, lang, shuffle=True)
    return VariantPreview(
        bank_version_id=version_id,
        question_id=question_id,
        seed=seed,
        student=variant.student.model_dump(mode="json"),
        key=variant.key.model_dump(mode="json"),
        values=dict(variant.values),
    )


def _id(value: int | None) -> int:
    assert value is not None
    return value
