"""Regrades: the table and the schemas of a request to grade submissions again."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, utcnow

__all__ = [
    "Regrade",
    "RegradeCreate",
    "RegradePublic",
    "RegradeScope",
    "ScoreChange",
]


class RegradeScope(StrEnum):
    submission = "submission"
    """One submission."""
    question = "question"
    """Every submission to one question (bank question id) of a quiz."""
    assignment = "assignment"
    """Every submission graded by one assignment, across a course's quizzes."""


class Regrade(SQLModel, table=True):
    __tablename__ = "regrades"

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="courses.id", ondelete="CASCADE", index=True)
    scope: RegradeScope = Field(
        sa_type=sa.Enum(
            RegradeScope, name="regrade_scope", native_enum=False, create_constraint=True, length=16
        )
    )
    dry_run: bool
    submission_id: int | None = Field(
        default=None, foreign_key="submissions.id", ondelete="CASCADE"
    )
    quiz_id: int | None = Field(default=None, foreign_key="quizzes.id", ondelete="CASCADE")
    question_id: str | None = Field(default=None, max_length=80)
    assignment_id: str | None = Field(default=None, max_length=80)
    requested_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    total: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RegradeCreate(SQLModel):
    """What to regrade: `scope` says which of the other fields are needed."""

    model_config = {"extra": "forbid"}

    scope: RegradeScope
    submission_id: int | None = None
    quiz_id: int | None = None
    question_id: str | None = Field(default=None, min_length=1, max_length=80)
    course_id: int | None = None
    assignment_id: str | None = Field(default=None, min_length=1, max_length=80)
    dry_run: bool = False

    @model_validator(mode="after")
    def _fields_of_scope(self) -> RegradeCreate:
        needed = {
            RegradeScope.submission: ("submission_id",),
            RegradeScope.question: ("quiz_id", "question_id"),
            RegradeScope.assignment: ("course_id", "assignment_id"),
        }[self.scope]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"scope {self.scope.value!r} needs {', '.join(missing)}")
        return self


class ScoreChange(SQLModel):
    submission_id: int
    student_id: int
    old_score: float | None
    """The submission's score before (None: it had none, e.g. not gradable)."""
    new_score: float
    max_score: float | None
    overridden: bool
    """An instructor's override holds the item: its score that counts does not move."""


class RegradePublic(SQLModel):
    id: int
    course_id: int
    scope: RegradeScope
    dry_run: bool
    status: Literal["queued", "running", "done"]
    total: int
    done: int
    """Jobs finished (graded, or given up as not gradable)."""
    failed: int
    """Jobs that could not be graded (their scores stay as they were)."""
    changed: list[ScoreChange]
    """Submissions whose score changes (dry run: would change)."""
    created_at: datetime
    finished_at: datetime | None
