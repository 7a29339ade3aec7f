"""Banks in the database: a bank (its manifest id) and its immutable, content-hashed versions.

A version stores the validated bank as JSON (`questions.Bank`): questions, tables of generated
parameters and all, so serving a quiz never reads the bank folder again. Browsing filters the
parsed version in memory (a bank is hundreds of questions, parsed once per process).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, utcnow

__all__ = [
    "Bank",
    "BankImported",
    "BankPublic",
    "BankVersion",
    "BankVersionDetail",
    "BankVersionPublic",
    "BankVersionsPublic",
    "BanksPublic",
    "QuestionDetail",
    "QuestionSummariesPublic",
    "QuestionSummary",
    "VariantPreview",
]


class Bank(SQLModel, table=True):
    """A question bank, named by its manifest id (`async-backends`)."""

    __tablename__ = "banks"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    title: dict[str, str] = Field(sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BankVersion(SQLModel, table=True):
    """One imported version of a bank. Never updated: a change is a new version number."""

    __tablename__ = "bank_versions"
    __table_args__ = (sa.UniqueConstraint("bank_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    bank_id: int = Field(foreign_key="banks.id", ondelete="CASCADE", index=True)
    version: str = Field(max_length=64)
    content_hash: str = Field(max_length=64)
    content: str = Field(sa_type=sa.Text)
    """The validated `questions.Bank` as JSON."""
    question_count: int
    source: str = Field(max_length=16)
    """How it arrived: shipped, upload or cli."""
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    imported_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class BankVersionPublic(SQLModel):
    id: int
    bank_id: int
    bank: str
    version: str
    content_hash: str
    question_count: int
    source: str
    imported_at: datetime


class BankVersionDetail(BankVersionPublic):
    """A version with its counts, for choosing draw filters."""

    topics: dict[str, int]
    tags: dict[str, int]
    types: dict[str, int]
    difficulties: dict[int, int]
    unknown_assignments: list[str]
    """Assignment ids named by code questions that graders/ does not offer (yet): such a
    question can be browsed, but not published in a quiz."""


class BankVersionsPublic(SQLModel):
    data: list[BankVersionPublic]
    count: int


class BankPublic(SQLModel):
    id: int
    slug: str
    title: dict[str, str]
    created_at: datetime
    latest_version: BankVersionPublic | None


class BanksPublic(SQLModel):
    data: list[BankPublic]
    count: int


class BankImported(SQLModel):
    """The outcome of an import: the version, and whether this call created it (false: the
    same content was already imported)."""

    created: bool
    version: BankVersionDetail


class QuestionSummary(SQLModel):
    id: str
    type: str
    topic: str
    tags: list[str]
    difficulty: int
    points: float
    status: Literal["ready", "draft"]
    parameterised: bool
    text: dict[str, str]
    source: list[str]


class QuestionSummariesPublic(SQLModel):
    data: list[QuestionSummary]
    count: int


class QuestionDetail(SQLModel):
    """A question as its author wrote it, key included (instructors only)."""

    bank_version_id: int
    file: str | None
    question: dict[str, Any]


class VariantPreview(SQLModel):
    """One rendered variant for a seed: what the student sees, and the key (instructors only)."""

    bank_version_id: int
    question_id: str
    seed: int
    student: dict[str, Any]
    key: dict[str, Any]
    values: dict[str, Any]
