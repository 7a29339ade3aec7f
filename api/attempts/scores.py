"""The points that count: one place that writes item scores and attempt totals.

An item's `score` is its override when an instructor set one (api/overrides), else its
automatic points (`result["points"]`: scored on submit, or by the graders for code). Every
writer of scores after an attempt is closed (overrides, graded submissions, regrades) goes
through here, in one transaction:

    attempt = lock_attempt(session, attempt_id)    # one writer per attempt at a time
    record_automatic(item, result)                 # or set_override / clear_override
    recount(session, attempt)                      # total and pending follow

so an override wins over every later automatic score until it is cleared, and the attempt's
total (and with it the counted attempt, highest or last) always matches its items.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from api.attempts.models import Attempt, AttemptItem

__all__ = [
    "automatic_points",
    "clear_override",
    "lock_attempt",
    "record_automatic",
    "recount",
    "set_override",
]

# Scores are sums of fractions of points: rounding keeps 0.1 + 0.2 from showing as 0.30000000004.
DIGITS = 6


def lock_attempt(session: Session, attempt_id: int) -> Attempt | None:
    """The attempt, locked for this transaction (PostgreSQL: SELECT ... FOR UPDATE; SQLite's
    BEGIN IMMEDIATE holds the database's write lock already). Two writers of one attempt's
    scores then run one after the other, and the second reads what the first committed."""
    return session.exec(
        select(Attempt)
        .where(col(Attempt.id) == attempt_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def automatic_points(item: AttemptItem) -> float | None:
    """The points the item earned without an override (None: not scored, or awaiting grading)."""
    points = (item.result or {}).get("points")
    return float(points) if isinstance(points, int | float) else None


def _effective(item: AttemptItem) -> float | None:
    if item.override_points is not None:
        return item.override_points
    return automatic_points(item)


def record_automatic(item: AttemptItem, result: dict[str, Any]) -> None:
    """Store an automatic result (its `points` scaled to the item's points, None while
    pending); the item's score follows unless an override holds it."""
    item.result = result
    item.score = _effective(item)


def set_override(item: AttemptItem, points: float) -> None:
    """Hold the item's score at `points` until `clear_override`."""
    item.override_points = round(points, DIGITS)
    item.score = item.override_points


def clear_override(item: AttemptItem) -> None:
    """Back to the automatic points."""
    item.override_points = None
    item.score = _effective(item)


def _pending(item: AttemptItem) -> bool:
    return item.override_points is None and (item.result or {}).get("status") == "pending"


def recount(session: Session, attempt: Attempt) -> Attempt:
    """Recompute the attempt's total and pending count from its items (flushes)."""
    session.flush()
    items = session.exec(select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)).all()
    attempt.score = round(sum(item.score or 0.0 for item in items), DIGITS)
    attempt.pending = sum(1 for item in items if _pending(item))
    session.add(attempt)
    session.flush()
    return attempt
