"""What a student and an instructor read about a submission, in the request's language.

A student sees the status always; the score, the output and the visible checks once the
quiz's feedback policy releases them (a quiz with feedback after each answer releases a code
answer's feedback as soon as it is graded: that is what submitting code is for). Hidden
checks never reach a student. Instructors see everything.
"""

from __future__ import annotations

from typing import Any

from api.attempts.models import Attempt, AttemptItem
from api.attempts.service import feedback_released
from api.i18n import Language
from api.quizzes.models import FeedbackPolicy, Quiz
from api.submissions.messages import STATUS_MESSAGES
from api.submissions.models import CheckPublic, Submission, SubmissionPublic

__all__ = ["released_to_student", "submission_public"]


def released_to_student(quiz: Quiz, attempt: Attempt, item: AttemptItem | None) -> bool:
    return quiz.feedback == FeedbackPolicy.after_each or feedback_released(quiz, attempt, item)


def _in(texts: dict[str, str], lang: Language) -> str:
    return texts.get(lang) or next(iter(texts.values()), "")


def submission_public(
    submission: Submission, *, lang: Language, instructor: bool, released: bool
) -> SubmissionPublic:
    """The submission as its viewer may see it."""
    assert submission.id is not None
    stored: dict[str, Any] = submission.result or {}
    show = instructor or released
    tests = [
        CheckPublic(
            name=test["name"],
            status=test["status"],
            score=test["score"],
            max_score=test["max_score"],
            output=_in(test["output"], lang),
        )
        for test in stored.get("tests", [])
        if show and (instructor or test.get("visibility") == "visible")
    ]
    message = STATUS_MESSAGES.get(submission.status)
    return SubmissionPublic(
        id=submission.id,
        attempt_id=submission.attempt_id,
        item_id=submission.item_id,
        position=submission.position,
        quiz_id=submission.quiz_id,
        course_id=submission.course_id,
        student_id=submission.student_id,
        assignment_id=submission.assignment_id,
        status=submission.status,
        automatic=submission.automatic,
        score=submission.score if show else None,
        max_score=submission.max_score if show else None,
        created_at=submission.created_at,
        started_at=submission.started_at,
        finished_at=submission.finished_at,
        runs=submission.runs,
        message=message[lang] if message else None,
        reason=submission.reason,
        output=_in(stored["output"], lang) if show and stored.get("output") else None,
        tests=tests,
    )
