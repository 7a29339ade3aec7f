"""How a code item's points follow its submissions.

A code item's automatic result is its latest submission's: scored (its score scaled to the
item's points) when that submission is graded or rejected, pending ("awaiting grading") while
it is queued, running or not gradable. Not gradable never counts as zero: the item stays
pending until a re-queue or a regrade grades it. Scores are written only through
api/attempts/scores.py, so an instructor's override keeps winning.

Usage (inside one transaction):
    settle_item(session, item_id)       # after a submission of the item changed
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from api.attempts.models import AttemptItem, AttemptStatus
from api.attempts.scores import lock_attempt, record_automatic, recount
from api.grading.results import headline
from api.submissions.messages import STATUS_MESSAGES, as_dict
from api.submissions.models import Submission, SubmissionStatus

__all__ = ["code_result", "latest_submission", "settle_item"]

DIGITS = 6


def latest_submission(session: Session, item_id: int) -> Submission | None:
    return session.exec(
        select(Submission).where(Submission.item_id == item_id).order_by(col(Submission.id).desc())
    ).first()


def code_result(item: AttemptItem, latest: Submission | None) -> dict[str, Any] | None:
    """The item's automatic result from its latest submission (None: no submission)."""
    if latest is None:
        return None
    assert latest.id is not None
    base: dict[str, Any] = {"max_points": item.points, "submission_id": latest.id}
    if latest.status in (SubmissionStatus.graded, SubmissionStatus.rejected):
        stored = latest.result or {}
        fraction = (latest.score or 0.0) / latest.max_score if latest.max_score else 0.0
        return {
            **base,
            "status": "scored",
            "points": round(fraction * item.points, DIGITS),
            "message": headline(stored) or None,
            "parts": [
                {"part": t["name"], "correct": t["status"] == "passed", "feedback": t["output"]}
                for t in stored.get("tests", [])
                if t.get("visibility") == "visible"
            ],
        }
    return {
        **base,
        "status": "pending",
        "points": None,
        "message": as_dict(STATUS_MESSAGES[latest.status]),
        "parts": [],
    }


def settle_item(session: Session, item_id: int) -> None:
    """Bring a code item's result (and its attempt's total) up to date with its latest
    submission. An attempt still in progress is scored when it closes; only an item checked
    on its own (feedback after each answer) is settled before that."""
    item = session.get(AttemptItem, item_id)
    if item is None:
        return
    attempt = lock_attempt(session, item.attempt_id)
    if attempt is None:
        return
    session.refresh(item)
    closed = attempt.status == AttemptStatus.submitted
    if not (closed or item.locked):
        return
    result = code_result(item, latest_submission(session, item_id))
    if result is None:
        return
    record_automatic(item, result)
    session.add(item)
    if closed:
        recount(session, attempt)
