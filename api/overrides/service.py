"""Setting and clearing score overrides, each kept in the audit trail.

Usage:
    item = set_override(session=session, attempt=attempt, position=2, points=1.5,
                        reason="accepted the unit ms", actor=instructor)
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from api.attempts.errors import NoSuchItem
from api.attempts.models import Attempt, AttemptItem, AttemptStatus
from api.attempts.scores import automatic_points, lock_attempt, recount
from api.attempts.scores import clear_override as _clear
from api.attempts.scores import set_override as _set
from api.errors import Conflict, FieldError, ValidationFailed
from api.i18n import Text
from api.overrides.models import (
    AttemptScores,
    AuditAction,
    AuditEntry,
    ItemScore,
    ScoreAudit,
)
from api.pagination import Page, paginate
from api.quizzes.models import Quiz
from api.users.models import User

__all__ = [
    "AttemptInProgress",
    "attempt_scores",
    "clear_override",
    "item_score",
    "list_audit",
    "set_override",
]


class AttemptInProgress(Conflict):
    kind = "attempt-in-progress"
    title = Text(en="Attempt still in progress", zh="作答尚未结束")
    default_detail = Text(
        en="Scores can be overridden once the attempt is submitted or closed.",
        zh="作答提交或关闭后才能修改分数。",
    )


def _item(session: Session, attempt: Attempt, position: int) -> AttemptItem:
    item = session.exec(
        select(AttemptItem)
        .where(AttemptItem.attempt_id == attempt.id, AttemptItem.position == position)
        .execution_options(populate_existing=True)
    ).first()
    if item is None:
        raise NoSuchItem()
    return item


def _locked(session: Session, attempt: Attempt) -> Attempt:
    assert attempt.id is not None
    locked = lock_attempt(session, attempt.id)
    assert locked is not None
    if locked.status != AttemptStatus.submitted:
        raise AttemptInProgress()
    return locked


def _audit(
    session: Session,
    *,
    attempt: Attempt,
    item: AttemptItem,
    actor: User,
    action: AuditAction,
    old: float | None,
    reason: str,
) -> None:
    assert attempt.id is not None
    assert item.id is not None
    session.add(
        ScoreAudit(
            quiz_id=attempt.quiz_id,
            attempt_id=attempt.id,
            attempt_item_id=item.id,
            position=item.position,
            student_id=attempt.student_id,
            actor_id=actor.id,
            actor_email=actor.email,
            action=action,
            old_points=old,
            new_points=item.score,
            automatic_points=automatic_points(item),
            reason=reason,
        )
    )


def set_override(
    *, session: Session, attempt: Attempt, position: int, points: float, reason: str, actor: User
) -> AttemptItem:
    """Hold the item's score at `points` (0 to its points) and record why; the attempt's
    total follows."""
    attempt = _locked(session, attempt)
    item = _item(session, attempt, position)
    if points > item.points:
        raise ValidationFailed(
            errors=[
                FieldError(
                    loc=["body", "points"],
                    msg=f"at most the item's {item.points:g} points",
                    type="less_than_equal",
                )
            ]
        )
    old = item.score
    _set(item, points)
    session.add(item)
    _audit(
        session,
        attempt=attempt,
        item=item,
        actor=actor,
        action=AuditAction.override,
        old=old,
        reason=reason,
    )
    recount(session, attempt)
    return item


def clear_override(
    *, session: Session, attempt: Attempt, position: int, reason: str, actor: User
) -> AttemptItem:
    """Go back to the automatic score and record why. Clearing an item without an override
    changes nothing and records nothing (so a retried request is harmless)."""
    attempt = _locked(session, attempt)
    item = _item(session, attempt, position)
    if item.override_points is None:
        return item
    old = item.score
    _clear(item)
    session.add(item)
    _audit(
        session,
        attempt=attempt,
        item=item,
        actor=actor,
        action=AuditAction.clear,
        old=old,
        reason=reason,
    )
    recount(session, attempt)
    return item


def _status(attempt: Attempt, item: AttemptItem) -> str:
    if item.result is None:
        return "unscored" if attempt.status == AttemptStatus.in_progress else "unanswered"
    return str(item.result.get("status", "scored"))


def item_score(attempt: Attempt, item: AttemptItem) -> ItemScore:
    assert attempt.id is not None
    return ItemScore(
        attempt_id=attempt.id,
        position=item.position,
        question_id=item.question_id,
        question_type=item.question_type,
        max_points=item.points,
        score=item.score,
        automatic_points=automatic_points(item),
        override_points=item.override_points,
        overridden=item.override_points is not None,
        status=_status(attempt, item),
    )


def attempt_scores(*, session: Session, attempt: Attempt) -> AttemptScores:
    """Every item's score of the attempt, with the total they make."""
    assert attempt.id is not None
    items = session.exec(
        select(AttemptItem)
        .where(AttemptItem.attempt_id == attempt.id)
        .order_by(col(AttemptItem.position))
    ).all()
    return AttemptScores(
        attempt_id=attempt.id,
        quiz_id=attempt.quiz_id,
        student_id=attempt.student_id,
        number=attempt.number,
        score=attempt.score,
        max_score=attempt.max_score,
        pending=attempt.pending,
        items=[item_score(attempt, item) for item in items],
    )


def list_audit(
    *,
    session: Session,
    quiz: Quiz,
    page: Page,
    student_id: int | None = None,
    attempt_id: int | None = None,
) -> tuple[Sequence[AuditEntry], int]:
    """The quiz's audit trail, newest first."""
    statement = select(ScoreAudit).where(ScoreAudit.quiz_id == quiz.id)
    if student_id is not None:
        statement = statement.where(ScoreAudit.student_id == student_id)
    if attempt_id is not None:
        statement = statement.where(ScoreAudit.attempt_id == attempt_id)
    rows, count = paginate(session, statement.order_by(col(ScoreAudit.id).desc()), page)
    return [AuditEntry.model_validate(row) for row in rows], count
