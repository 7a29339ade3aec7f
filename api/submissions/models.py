"""Submissions: the table, its statuses and the schemas students and instructors read.

A submission is committed (status `queued`) before its grading job is published, so an
accepted submission is never lost. Its grading result is kept in every language the grader
writes (`result`), and a view picks the request's language and what the viewer may see.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, utcnow

__all__ = [
    "MAX_SOURCE_BYTES",
    "TERMINAL",
    "CheckPublic",
    "Submission",
    "SubmissionIn",
    "SubmissionPublic",
    "SubmissionStatus",
    "SubmissionsPublic",
]

MAX_SOURCE_BYTES = 256 * 1024  # the grader rejects anything larger (graders/precheck.py)


class SubmissionStatus(StrEnum):
    queued = "queued"
    running = "running"
    graded = "graded"
    """The checks ran: `score` counts."""
    rejected = "rejected"
    """Not a valid submission (syntax error, missing function...) or it crashed on import:
    scores 0, like a wrong answer."""
    not_gradable = "not_gradable"
    """Our infrastructure failed (or grading overran its deadline): never counts against the
    student; an instructor can re-queue it."""


TERMINAL = frozenset(
    {SubmissionStatus.graded, SubmissionStatus.rejected, SubmissionStatus.not_gradable}
)


def status_type(name: str) -> sa.Enum:
    return sa.Enum(
        SubmissionStatus, name=name, native_enum=False, create_constraint=True, length=16
    )


class Submission(SQLModel, table=True):
    __tablename__ = "submissions"
    __table_args__ = (
        sa.Index("ix_submissions_student_id_created_at", "student_id", "created_at"),
        sa.Index("ix_submissions_item_id_id", "item_id", "id"),
        sa.Index("ix_submissions_course_id_id", "course_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempts.id", ondelete="CASCADE", index=True)
    item_id: int = Field(foreign_key="attempt_items.id", ondelete="CASCADE")
    position: int
    quiz_id: int = Field(foreign_key="quizzes.id", ondelete="CASCADE", index=True)
    course_id: int = Field(foreign_key="courses.id", ondelete="CASCADE")
    student_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    assignment_id: str = Field(max_length=80)
    source: bytes = Field(sa_type=sa.LargeBinary)
    """Exactly the bytes graded (bytes, not text: a NUL must reach the grader, which rejects
    it, rather than break the database)."""
    seed: int = Field(sa_type=sa.BigInteger)
    """The grading seed: the item's, so resubmissions and regrades explore the same schedules."""
    automatic: bool = False
    """Made from the saved answer when the attempt was submitted or closed."""
    status: SubmissionStatus = Field(
        default=SubmissionStatus.queued, sa_type=status_type("submission_status")
    )
    score: float | None = None
    max_score: float | None = None
    result: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    """The grader's result in every language: see api/grading/results.py."""
    reason: str | None = Field(default=None, max_length=32)
    """Why it is not gradable: deadline, infrastructure, worker-lost, unknown-assignment."""
    runs: int = 0
    """How many times a worker started grading it."""
    version: int = 0
    """Bumped by every change a watcher should see (the event stream's `id`)."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- requests and responses ------------------------------------------------------------------


class SubmissionIn(SQLModel):
    model_config = {"extra": "forbid"}

    source: str = Field(description="The Python source to grade (UTF-8, at most 256 KiB).")


class CheckPublic(SQLModel):
    """One check's verdict, in the request's language."""

    name: str
    status: str
    score: float
    max_score: float
    output: str


class SubmissionPublic(SQLModel):
    id: int
    attempt_id: int
    item_id: int
    position: int
    quiz_id: int
    course_id: int
    student_id: int
    assignment_id: str
    status: SubmissionStatus
    automatic: bool
    score: float | None
    """Released to a student as the quiz's feedback policy allows (None before)."""
    max_score: float | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    runs: int
    message: str | None
    """What the status means for the student (waiting, being graded, could not be graded)."""
    reason: str | None
    output: str | None
    tests: list[CheckPublic]
    """Students see visible checks only, once released; instructors see every check."""


class SubmissionsPublic(SQLModel):
    data: list[SubmissionPublic]
    count: int
