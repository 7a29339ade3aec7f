"""Quizzes: a course's quiz, its composition (fixed questions and seeded draws from bank
versions), and the schemas instructors and students read.

Once published, a quiz's composition, points, option shuffling and which attempt counts are
frozen (students' attempts were built from them). What may still change is listed in
`PUBLISHED_EDITABLE`: texts, the open and close times, the time limit, the number of attempts
and the feedback policy (to release feedback earlier, say).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

import sqlalchemy as sa
from pydantic import AwareDatetime, model_validator
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, utcnow
from api.courses.models import Bilingual, BilingualLong
from questions import QuestionType

__all__ = [
    "PUBLISHED_EDITABLE",
    "CountedAttempt",
    "DrawItemIn",
    "FeedbackPolicy",
    "ItemIn",
    "ItemPublic",
    "QuestionItemIn",
    "Quiz",
    "QuizCreate",
    "QuizForStudent",
    "QuizItem",
    "QuizPublic",
    "QuizStatus",
    "QuizUpdate",
    "QuizzesForStudent",
    "QuizzesPublic",
]

MAX_ITEMS = 200
MAX_DRAW = 100


class QuizStatus(StrEnum):
    draft = "draft"
    published = "published"


class CountedAttempt(StrEnum):
    highest = "highest"
    last = "last"


class FeedbackPolicy(StrEnum):
    """When a student sees scores, keys and explanations."""

    after_each = "after_each"
    """Each question can be checked on its own; it is then locked and its feedback shown."""
    after_submit = "after_submit"
    """When the attempt is submitted (or closed by its deadline)."""
    after_close = "after_close"
    """When the quiz closes for everyone (needs a close time)."""


def _enum(cls: type[StrEnum], name: str) -> sa.Enum:
    return sa.Enum(cls, name=name, native_enum=False, create_constraint=True, length=16)


class Quiz(SQLModel, table=True):
    __tablename__ = "quizzes"

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="courses.id", ondelete="CASCADE", index=True)
    title: dict[str, str] = Field(sa_type=sa.JSON)
    description: dict[str, str] | None = Field(default=None, sa_type=sa.JSON)
    status: QuizStatus = Field(default=QuizStatus.draft, sa_type=_enum(QuizStatus, "quiz_status"))
    opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    time_limit_minutes: int | None = None
    attempts_allowed: int | None = 1
    counted_attempt: CountedAttempt = Field(
        default=CountedAttempt.highest, sa_type=_enum(CountedAttempt, "counted_attempt")
    )
    shuffle_options: bool = True
    feedback: FeedbackPolicy = Field(
        default=FeedbackPolicy.after_submit, sa_type=_enum(FeedbackPolicy, "feedback_policy")
    )
    seed_secret: str = Field(max_length=64)
    """Keys the variant seeds of this quiz: never leaves the server."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class QuizItem(SQLModel, table=True):
    """One entry of a quiz's composition: a fixed question, or a draw of `count` questions."""

    __tablename__ = "quiz_items"
    __table_args__ = (sa.UniqueConstraint("quiz_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    quiz_id: int = Field(foreign_key="quizzes.id", ondelete="CASCADE")
    position: int
    kind: str = Field(max_length=16)
    bank_version_id: int = Field(foreign_key="bank_versions.id", ondelete="RESTRICT", index=True)
    question_id: str | None = Field(default=None, max_length=80)
    count: int = 1
    points: float | None = None
    topic: str | None = Field(default=None, max_length=80)
    tags: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    difficulties: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    types: list[str] = Field(default_factory=list, sa_type=sa.JSON)


class _Request(SQLModel):
    model_config = {"extra": "forbid"}


Points = Annotated[float, Field(gt=0, le=1000)]


class QuestionItemIn(_Request):
    """A fixed question: every student gets it (each their own variant)."""

    kind: Literal["question"]
    bank_version_id: int
    question_id: str = Field(min_length=1, max_length=80)
    points: Points | None = Field(default=None, description="Default: the question's points.")


class DrawItemIn(_Request):
    """`count` questions drawn per student (seeded: stable for the attempt) from the ready
    questions of a bank version matching every filter given. Code questions are drawn only
    when `types` names `code`."""

    kind: Literal["draw"]
    bank_version_id: int
    count: int = Field(ge=1, le=MAX_DRAW)
    points: Points = Field(default=1.0, description="Points of each drawn question.")
    topic: str | None = Field(default=None, max_length=80)
    tags: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=20, description="A question must have all of them."
    )
    difficulties: list[Annotated[int, Field(ge=1, le=5)]] = Field(
        default_factory=list, max_length=5, description="Allowed difficulties (any if empty)."
    )
    types: list[QuestionType] = Field(
        default_factory=list, max_length=8, description="Allowed types (any but code if empty)."
    )


ItemIn = Annotated[QuestionItemIn | DrawItemIn, Field(discriminator="kind")]


class _Settings(_Request):
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None
    time_limit_minutes: int | None = Field(default=None, ge=1, le=7 * 24 * 60)
    attempts_allowed: int | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _window(self) -> _Settings:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValueError("closes_at must be after opens_at")
        return self


class QuizCreate(_Settings):
    title: Bilingual
    description: BilingualLong | None = None
    attempts_allowed: int | None = Field(default=1, ge=1, le=100, description="null: unlimited.")
    counted_attempt: CountedAttempt = CountedAttempt.highest
    shuffle_options: bool = True
    feedback: FeedbackPolicy = FeedbackPolicy.after_submit
    items: list[ItemIn] = Field(default_factory=list, max_length=MAX_ITEMS)


class QuizUpdate(_Settings):
    """Omitted fields stay. Once published, only `PUBLISHED_EDITABLE` fields may change."""

    title: Bilingual | None = None
    description: BilingualLong | None = None
    counted_attempt: CountedAttempt | None = None
    shuffle_options: bool | None = None
    feedback: FeedbackPolicy | None = None


PUBLISHED_EDITABLE = frozenset(
    {
        "title",
        "description",
        "opens_at",
        "closes_at",
        "time_limit_minutes",
        "attempts_allowed",
        "feedback",
    }
)


class ItemPublic(SQLModel):
    id: int
    position: int
    kind: Literal["question", "draw"]
    bank_version_id: int
    question_id: str | None
    count: int
    points: float
    """Points of the question (of each drawn question)."""
    topic: str | None
    tags: list[str]
    difficulties: list[int]
    types: list[str]


class QuizPublic(SQLModel):
    """A quiz as its course's instructors see it."""

    id: int
    course_id: int
    title: dict[str, str]
    description: dict[str, str] | None
    status: QuizStatus
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_minutes: int | None
    attempts_allowed: int | None
    counted_attempt: CountedAttempt
    shuffle_options: bool
    feedback: FeedbackPolicy
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    items: list[ItemPublic]
    questions: int
    """Questions each student gets."""
    total_points: float


class QuizzesPublic(SQLModel):
    data: list[QuizPublic]
    count: int


class QuizForStudent(SQLModel):
    """A published quiz as an enrolled student sees it: no composition, their own standing."""

    id: int
    course_id: int
    title: str
    description: str | None
    state: Literal["upcoming", "open", "closed"]
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_minutes: int | None
    attempts_allowed: int | None
    attempts_used: int
    counted_attempt: CountedAttempt
    feedback: FeedbackPolicy
    questions: int
    total_points: float
    in_progress_attempt: int | None
    """The id of your attempt still open, if any (resume it)."""
    score: float | None
    """Your counted score, once the feedback policy releases it."""


class QuizzesForStudent(SQLModel):
    data: list[QuizForStudent]
    count: int
