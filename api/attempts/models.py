"""Attempts: a student's attempt at a quiz, one row per question it holds, and the schemas.

Student-facing schemas are separate classes. `ItemForStudent` (what a student gets before the
quiz's feedback policy releases anything) has no field that could hold a key, an explanation,
a score or per-option feedback: leaking one is a type error, not a forgotten `exclude`. Only
`ItemReview`, built once the policy allows, carries them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import JsonValue
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, utcnow
from questions import Choice

__all__ = [
    "Answer",
    "AnswerSaved",
    "Attempt",
    "AttemptForInstructor",
    "AttemptForStudent",
    "AttemptItem",
    "AttemptStatus",
    "AttemptSummariesPublic",
    "AttemptSummary",
    "ClosedBy",
    "ItemForStudent",
    "ItemReview",
    "PartReview",
    "QuestionOfAttempt",
    "QuestionView",
    "StudentResult",
    "StudentResultsPublic",
]

MAX_CODE_BYTES = 64 * 1024


class AttemptStatus(StrEnum):
    in_progress = "in_progress"
    submitted = "submitted"


class ClosedBy(StrEnum):
    student = "student"
    """Submitted by the student."""
    deadline = "deadline"
    """Closed by the server at its time limit or the quiz's close time."""


def _enum(cls: type[StrEnum], name: str) -> sa.Enum:
    return sa.Enum(cls, name=name, native_enum=False, create_constraint=True, length=16)


class Attempt(SQLModel, table=True):
    __tablename__ = "attempts"
    __table_args__ = (
        sa.UniqueConstraint("quiz_id", "student_id", "number"),
        sa.Index("ix_attempts_status_deadline", "status", "deadline"),
    )

    id: int | None = Field(default=None, primary_key=True)
    quiz_id: int = Field(foreign_key="quizzes.id", ondelete="CASCADE")
    student_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    number: int
    status: AttemptStatus = Field(
        default=AttemptStatus.in_progress, sa_type=_enum(AttemptStatus, "attempt_status")
    )
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by: ClosedBy | None = Field(default=None, sa_type=_enum(ClosedBy, "closed_by"))
    score: float | None = None
    max_score: float
    pending: int = 0
    """Code answers awaiting grading (their points are not in `score` yet)."""
    shuffle_options: bool = True


class AttemptItem(SQLModel, table=True):
    """One question of an attempt: its variant (version, question, seed), the saved answer
    and, once scored, the result."""

    __tablename__ = "attempt_items"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempts.id", ondelete="CASCADE")
    position: int
    bank_version_id: int = Field(foreign_key="bank_versions.id", ondelete="RESTRICT")
    question_id: str = Field(max_length=80)
    question_type: str = Field(max_length=20)
    seed: int = Field(sa_type=sa.BigInteger)
    points: float
    response: JsonValue = Field(default=None, sa_type=sa.JSON, nullable=True)
    revision: int = 0
    """The client's revision of the saved answer; a write with a lower one is stale."""
    saved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    locked: bool = False
    """No more saves: checked on its own (feedback after each answer), or the attempt closed."""
    score: float | None = None
    """The points that count: `override_points` when set, else the automatic points
    (`result["points"]`). Written only through api/attempts/scores.py."""
    result: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    """The `questions.Score`, scaled to this item's points."""
    override_points: float | None = None
    """An instructor's override (api/overrides): wins over automatic scores until cleared."""


# --- requests --------------------------------------------------------------------------------


class Answer(SQLModel):
    """An autosave of one question's answer. `revision` counts the client's edits: a save
    with a revision the server already has a newer answer for is refused (409), and saving
    the same revision and answer twice changes nothing."""

    model_config = {"extra": "forbid"}

    response: JsonValue = Field(
        description="The answer in the shape of the question's type (see questions/README.md);"
        " null clears it. Code: the source text."
    )
    revision: int = Field(ge=1, le=2**31 - 1)


class AnswerSaved(SQLModel):
    position: int
    revision: int
    saved_at: datetime
    changed: bool
    """False when the same revision and answer were already saved (a retried request)."""


# --- what students see -----------------------------------------------------------------------


class QuestionView(SQLModel):
    """A question as a student sees it: text, options, blanks... and nothing that answers it."""

    type: str
    languages: list[str]
    text: dict[str, str]
    options: list[Choice] = []
    blanks: list[str] = []
    unit: str | None = None
    left: list[Choice] = []
    right: list[Choice] = []
    items: list[Choice] = []
    assignment: str | None = None


class QuestionOfAttempt(SQLModel):
    """One question of an attempt, as its student sees it (no key, ever)."""

    position: int
    points: float
    question: QuestionView


class ItemForStudent(SQLModel):
    position: int
    points: float
    question: QuestionView
    response: JsonValue = None
    revision: int
    saved_at: datetime | None
    locked: bool
    status: Literal["unanswered", "answered", "awaiting_grading"]


class PartReview(SQLModel):
    part: str
    correct: bool
    feedback: str | None


class ItemReview(ItemForStudent):
    """An item with its result, once the feedback policy releases it."""

    score: float | None
    """None while a code answer awaits grading."""
    result: Literal["scored", "malformed", "pending", "unanswered"]
    message: str | None
    parts: list[PartReview]
    explanation: str
    key: dict[str, Any]
    """The answer key of this variant."""


class AttemptForStudent(SQLModel):
    id: int
    quiz_id: int
    number: int
    status: AttemptStatus
    started_at: datetime
    deadline: datetime | None
    submitted_at: datetime | None
    closed_by: ClosedBy | None
    server_time: datetime
    """The server's clock, for the client's countdown."""
    max_score: float
    score: float | None
    """None until the feedback policy releases it; code answers awaiting grading (`pending`)
    are not in it yet."""
    pending: int
    feedback_released: bool
    items: list[ItemReview | ItemForStudent]


class AttemptForInstructor(AttemptForStudent):
    student_id: int
    student_email: str
    items: list[ItemReview | ItemForStudent]


class AttemptSummary(SQLModel):
    id: int
    quiz_id: int
    student_id: int
    number: int
    status: AttemptStatus
    started_at: datetime
    deadline: datetime | None
    submitted_at: datetime | None
    closed_by: ClosedBy | None
    max_score: float
    score: float | None
    pending: int


class AttemptSummariesPublic(SQLModel):
    data: list[AttemptSummary]
    count: int


class StudentResult(SQLModel):
    """A student's standing in a quiz: the attempt that counts (highest or last)."""

    student_id: int
    email: str
    full_name: str
    attempts: int
    counted_attempt: int | None
    score: float | None
    max_score: float
    pending: int


class StudentResultsPublic(SQLModel):
    data: list[StudentResult]
    count: int
