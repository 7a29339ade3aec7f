"""/api/v1 score overrides: set or clear an item's score with a reason, read the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from sqlmodel import Session

from api.attempts.models import Attempt
from api.attempts.service import attempt_for_viewer
from api.courses.models import CourseRole
from api.courses.service import CourseInstructorOnly
from api.deps import CurrentUser, PageDep, SessionDep
from api.errors import NotFound, ValidationFailed, problem_responses
from api.overrides import service
from api.overrides.models import (
    AttemptScores,
    AuditPublic,
    ItemScore,
    OverrideClear,
    OverrideIn,
)
from api.quizzes.service import quiz_for_instructor
from api.users.models import User

router = APIRouter(tags=["overrides"])

_TEACHER = (NotFound, CourseInstructorOnly)


def _attempt_for_instructor(session: Session, attempt_id: int, user: User) -> Attempt:
    attempt, _, role = attempt_for_viewer(session=session, attempt_id=attempt_id, user=user)
    if role != CourseRole.instructor:
        raise CourseInstructorOnly()
    return attempt


@router.post(
    "/attempts/{attempt_id}/items/{position}/override",
    responses=problem_responses(*_TEACHER, service.AttemptInProgress, ValidationFailed),
)
def set_override(
    session: SessionDep, user: CurrentUser, attempt_id: int, position: int, body: OverrideIn
) -> ItemScore:
    """Hold an item's score at `points` until cleared, whatever automatic scores and
    regrades say; the reason goes to the quiz's audit trail and the attempt's total
    follows. Instructors of the course only; the attempt must be submitted."""
    attempt = _attempt_for_instructor(session, attempt_id, user)
    item = service.set_override(
        session=session,
        attempt=attempt,
        position=position,
        points=body.points,
        reason=body.reason,
        actor=user,
    )
    return service.item_score(attempt, item)


@router.delete(
    "/attempts/{attempt_id}/items/{position}/override",
    responses=problem_responses(*_TEACHER, service.AttemptInProgress, ValidationFailed),
)
def clear_override(
    session: SessionDep,
    user: CurrentUser,
    attempt_id: int,
    position: int,
    body: Annotated[OverrideClear, Body()],
) -> ItemScore:
    """Go back to the automatic score; the reason goes to the audit trail. Clearing an item
    that has no override changes nothing."""
    attempt = _attempt_for_instructor(session, attempt_id, user)
    item = service.clear_override(
        session=session, attempt=attempt, position=position, reason=body.reason, actor=user
    )
    return service.item_score(attempt, item)


@router.get("/attempts/{attempt_id}/scores", responses=problem_responses(*_TEACHER))
def read_scores(session: SessionDep, user: CurrentUser, attempt_id: int) -> AttemptScores:
    """Every item's score of an attempt: automatic points, override and the points that
    count (instructors of the course)."""
    attempt = _attempt_for_instructor(session, attempt_id, user)
    return service.attempt_scores(session=session, attempt=attempt)


@router.get("/quizzes/{quiz_id}/audit", responses=problem_responses(*_TEACHER, ValidationFailed))
def list_audit(
    session: SessionDep,
    user: CurrentUser,
    quiz_id: int,
    page: PageDep,
    student_id: Annotated[int | None, Query(description="Only this student's entries.")] = None,
    attempt_id: Annotated[int | None, Query(description="Only this attempt's entries.")] = None,
) -> AuditPublic:
    """Every override set or cleared in the quiz: who, when, old and new points, why;
    newest first."""
    quiz = quiz_for_instructor(session=session, quiz_id=quiz_id, user=user)
    entries, count = service.list_audit(
        session=session, quiz=quiz, page=page, student_id=student_id, attempt_id=attempt_id
    )
    return AuditPublic(data=list(entries), count=count)
