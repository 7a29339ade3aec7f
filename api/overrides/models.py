"""Score overrides: the audit trail of every override set or cleared, and the schemas.

The override itself is `AttemptItem.override_points` (the points that count while it holds);
`ScoreAudit` keeps who did what, when, from which points to which, and why. Rows are only
ever added: no route changes or deletes one.
"""

from __future__ import annotations

import math
from datetime import datetime
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import AfterValidator
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, utcnow

__all__ = [
    "AttemptScores",
    "AuditAction",
    "AuditEntry",
    "AuditPublic",
    "ItemScore",
    "OverrideClear",
    "OverrideIn",
    "ScoreAudit",
]

MAX_REASON = 1000


class AuditAction(StrEnum):
    override = "override"
    clear = "clear"


class ScoreAudit(SQLModel, table=True):
    __tablename__ = "score_audit"
    __table_args__ = (sa.Index("ix_score_audit_quiz_id_id", "quiz_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    quiz_id: int = Field(foreign_key="quizzes.id", ondelete="CASCADE")
    attempt_id: int = Field(foreign_key="attempts.id", ondelete="CASCADE", index=True)
    attempt_item_id: int = Field(foreign_key="attempt_items.id", ondelete="CASCADE")
    position: int
    student_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    actor_email: str = Field(max_length=254)
    """Who, as their email read at the time (kept if the account goes)."""
    action: AuditAction = Field(
        sa_type=sa.Enum(
            AuditAction, name="audit_action", native_enum=False, create_constraint=True, length=16
        )
    )
    old_points: float | None
    """The points that counted before."""
    new_points: float | None
    """The points that count after."""
    automatic_points: float | None
    """The automatic points at the time (what clearing goes back to)."""
    reason: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def _reason(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("a reason is required (it is kept in the audit trail)")
    return value


Reason = Annotated[
    str,
    Field(min_length=1, max_length=MAX_REASON, description="Why: kept in the audit trail."),
    AfterValidator(_reason),
]


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


class OverrideIn(SQLModel):
    """Hold an item's score at `points` (0 to the item's points) until cleared."""

    model_config = {"extra": "forbid"}

    points: Annotated[float, Field(ge=0), AfterValidator(_finite)]
    reason: Reason


class OverrideClear(SQLModel):
    """Go back to the automatic score."""

    model_config = {"extra": "forbid"}

    reason: Reason


class ItemScore(SQLModel):
    """One item's score as instructors see it: what counts, and where it comes from."""

    attempt_id: int
    position: int
    question_id: str
    question_type: str
    max_points: float
    score: float | None
    """The points that count."""
    automatic_points: float | None
    """None while unscored or awaiting grading."""
    override_points: float | None
    overridden: bool
    status: str
    """scored, malformed, pending, unanswered, or unscored (attempt in progress)."""


class AttemptScores(SQLModel):
    """An attempt's items and total after overrides."""

    attempt_id: int
    quiz_id: int
    student_id: int
    number: int
    score: float | None
    max_score: float
    pending: int
    items: list[ItemScore]


class AuditEntry(SQLModel):
    id: int
    quiz_id: int
    attempt_id: int
    position: int
    student_id: int
    actor_id: int | None
    actor_email: str
    action: AuditAction
    old_points: float | None
    new_points: float | None
    automatic_points: float | None
    reason: str
    created_at: datetime


class AuditPublic(SQLModel):
    data: list[AuditEntry]
    count: int
