"""/api/v1 item statistics of a quiz."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.courses.service import CourseInstructorOnly
from api.deps import CurrentUser, Lang, SessionDep
from api.errors import NotFound, ValidationFailed, problem_responses
from api.quizzes.service import quiz_for_instructor
from api.statistics import service
from api.statistics.models import AttemptsCounted, QuizStatistics

router = APIRouter(tags=["statistics"])


@router.get(
    "/quizzes/{quiz_id}/statistics",
    responses=problem_responses(NotFound, CourseInstructorOnly, ValidationFailed),
)
def quiz_statistics(
    session: SessionDep,
    user: CurrentUser,
    lang: Lang,
    quiz_id: int,
    attempts: Annotated[
        AttemptsCounted,
        Query(description="counted: each student's attempt that counts; all: every one."),
    ] = AttemptsCounted.counted,
) -> QuizStatistics:
    """Per question: n, mean, facility, discrimination (point-biserial against the rest of
    the test), counts per option (choice and true/false, under the author's option ids) and
    a score histogram; and the distribution of totals. Undefined figures are null.
    Instructors of the course."""
    quiz = quiz_for_instructor(session=session, quiz_id=quiz_id, user=user)
    return service.quiz_statistics(session=session, quiz=quiz, attempts=attempts, lang=lang)
