"""Building what students and instructors read about an attempt, in the request's language.

Keys, explanations, scores and per-option feedback enter a response only through
`_review`, and a student's response calls it only where `feedback_released` says so.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from api.attempts.models import (
    Attempt,
    AttemptForInstructor,
    AttemptForStudent,
    AttemptItem,
    AttemptStatus,
    AttemptSummary,
    ItemForStudent,
    ItemReview,
    PartReview,
    QuestionView,
)
from api.attempts.service import feedback_released, get_items_of, variant_of
from api.banks.store import HIDDEN_FROM_STUDENTS
from api.core.db import utcnow
from api.i18n import Language
from api.quizzes.models import Quiz
from api.users.models import User

__all__ = ["attempt_for_instructor", "attempt_for_student", "attempt_summary", "item_for_student"]


def _text(text: dict[str, str] | None, lang: Language) -> str | None:
    if not text:
        return None
    return text.get(lang) or next(iter(text.values()))


def _status(item: AttemptItem, attempt: Attempt) -> str:
    if item.question_type == "code" and attempt.status == AttemptStatus.submitted:
        status = (item.result or {}).get("status")  # its latest submission's (api/submissions)
        if status == "scored":
            return "answered"
        return "awaiting_grading" if item.response or status == "pending" else "unanswered"
    return "unanswered" if item.response is None else "answered"


def _question(
    session: Session, attempt: Attempt, item: AttemptItem, lang: Language
) -> QuestionView:
    variant = variant_of(session, attempt, item, lang)
    return QuestionView.model_validate(variant.student.model_dump(exclude=HIDDEN_FROM_STUDENTS))


def item_for_student(
    session: Session, attempt: Attempt, item: AttemptItem, lang: Language
) -> ItemForStudent:
    """An item without anything that answers it."""
    return ItemForStudent(
        position=item.position,
        points=item.points,
        question=_question(session, attempt, item, lang),
        response=item.response,
        revision=item.revision,
        saved_at=item.saved_at,
        locked=item.locked,
        status=_status(item, attempt),  # type: ignore[arg-type]
    )


def _review(session: Session, attempt: Attempt, item: AttemptItem, lang: Language) -> ItemReview:
    base = item_for_student(session, attempt, item, lang)
    variant = variant_of(session, attempt, item, lang)
    result: dict[str, Any] = item.result or {}
    key = variant.key.model_dump(mode="json", exclude={"authored"})
    return ItemReview(
        **base.model_dump(),
        score=item.score,
        result=result.get("status", "unanswered"),
        message=_text(result.get("message"), lang),
        parts=[
            PartReview(
                part=part["part"],
                correct=part["correct"],
                feedback=_text(part.get("feedback"), lang),
            )
            for part in result.get("parts", [])
        ],
        explanation=_text(dict(variant.key.explanation), lang) or "",
        key=key,
    )


def _scored(item: AttemptItem) -> bool:
    return item.result is not None


def attempt_for_student(
    session: Session, attempt: Attempt, quiz: Quiz, lang: Language
) -> AttemptForStudent:
    """The student's own attempt: items reviewed only as the feedback policy allows."""
    now = utcnow()
    items = get_items_of(session, attempt)
    shown: list[ItemReview | ItemForStudent] = [
        _review(session, attempt, item, lang)
        if _scored(item) and feedback_released(quiz, attempt, item, now)
        else item_for_student(session, attempt, item, lang)
        for item in items
    ]
    released = feedback_released(quiz, attempt, None, now)
    assert attempt.id is not None
    return AttemptForStudent(
        id=attempt.id,
        quiz_id=attempt.quiz_id,
        number=attempt.number,
        status=attempt.status,
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        submitted_at=attempt.submitted_at,
        closed_by=attempt.closed_by,
        server_time=now,
        max_score=attempt.max_score,
        score=attempt.score if released else None,
        pending=attempt.pending if released else 0,
        feedback_released=released,
        items=shown,
    )


def attempt_for_instructor(
    session: Session, attempt: Attempt, quiz: Quiz, student: User, lang: Language
) -> AttemptForInstructor:
    """An attempt as the course's instructors see it: answers, results and keys."""
    now = utcnow()
    items = get_items_of(session, attempt)
    assert attempt.id is not None
    return AttemptForInstructor(
        id=attempt.id,
        quiz_id=attempt.quiz_id,
        number=attempt.number,
        status=attempt.status,
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        submitted_at=attempt.submitted_at,
        closed_by=attempt.closed_by,
        server_time=now,
        max_score=attempt.max_score,
        score=attempt.score,
        pending=attempt.pending,
        feedback_released=feedback_released(quiz, attempt, None, now),
        items=[_review(session, attempt, item, lang) for item in items],
        student_id=attempt.student_id,
        student_email=student.email,
    )


def attempt_summary(attempt: Attempt, *, show_score: bool) -> AttemptSummary:
    assert attempt.id is not None
    return AttemptSummary(
        id=attempt.id,
        quiz_id=attempt.quiz_id,
        student_id=attempt.student_id,
        number=attempt.number,
        status=attempt.status,
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        submitted_at=attempt.submitted_at,
        closed_by=attempt.closed_by,
        max_score=attempt.max_score,
        score=attempt.score if show_score else None,
        pending=attempt.pending if show_score else 0,
    )
