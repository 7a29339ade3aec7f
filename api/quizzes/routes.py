"""/api/v1/courses/{id}/quizzes and /api/v1/quizzes: composing, publishing and listing quizzes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, status
from sqlmodel import Session

from api.attempts.models import AttemptStatus
from api.attempts.service import attempts_used, counted_attempt, feedback_released
from api.courses.models import CourseRole, localized
from api.courses.service import CourseInstructorOnly, course_for_instructor, course_for_member
from api.deps import CurrentUser, Lang, PageDep, SessionDep
from api.errors import NotFound, ValidationFailed, problem_responses
from api.i18n import Language
from api.quizzes import service
from api.quizzes.composition import total_points
from api.quizzes.models import (
    ItemIn,
    Quiz,
    QuizCreate,
    QuizForStudent,
    QuizPublic,
    QuizUpdate,
    QuizzesForStudent,
    QuizzesPublic,
)
from api.users.models import User

router = APIRouter(tags=["quizzes"])

_TEACHER = (NotFound, CourseInstructorOnly)


def for_student(session: Session, quiz: Quiz, student: User, lang: Language) -> QuizForStudent:
    """A published quiz as `student` sees it, with their attempts and counted score."""
    attempts = attempts_used(session, quiz, student)
    counted = counted_attempt(quiz, attempts)
    questions, points = total_points(session, service.get_items(session=session, quiz=quiz))
    in_progress = next((a.id for a in attempts if a.status == AttemptStatus.in_progress), None)
    assert quiz.id is not None
    return QuizForStudent(
        id=quiz.id,
        course_id=quiz.course_id,
        title=localized(quiz.title, lang) or "",
        description=localized(quiz.description, lang),
        state=service.quiz_state(quiz),
        opens_at=quiz.opens_at,
        closes_at=quiz.closes_at,
        time_limit_minutes=quiz.time_limit_minutes,
        attempts_allowed=quiz.attempts_allowed,
        attempts_used=len(attempts),
        counted_attempt=quiz.counted_attempt,
        feedback=quiz.feedback,
        questions=questions,
        total_points=points,
        in_progress_attempt=in_progress,
        score=counted.score if counted and feedback_released(quiz, counted) else None,
    )


@router.get("/courses/{course_id}/quizzes", responses=problem_responses(NotFound, ValidationFailed))
def list_quizzes(
    session: SessionDep, user: CurrentUser, lang: Lang, course_id: int, page: PageDep
) -> QuizzesPublic | QuizzesForStudent:
    """The course's quizzes: all of them for its instructors, published ones for students."""
    course, role = course_for_member(session=session, course_id=course_id, user=user)
    quizzes, count = service.list_quizzes(session=session, course=course, role=role, page=page)
    if role == CourseRole.instructor:
        return QuizzesPublic(data=[service.quiz_public(session, q) for q in quizzes], count=count)
    return QuizzesForStudent(
        data=[for_student(session, q, user, lang) for q in quizzes], count=count
    )


@router.post(
    "/courses/{course_id}/quizzes",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(*_TEACHER, ValidationFailed),
)
def create_quiz(
    session: SessionDep, user: CurrentUser, course_id: int, quiz_in: QuizCreate
) -> QuizPublic:
    """Create a draft quiz (optionally with its items)."""
    course = course_for_instructor(session=session, course_id=course_id, user=user)
    quiz = service.create_quiz(session=session, course=course, quiz_in=quiz_in)
    return service.quiz_public(session, quiz)


@router.get("/quizzes/{quiz_id}", responses=problem_responses(NotFound))
def read_quiz(
    session: SessionDep, user: CurrentUser, lang: Lang, quiz_id: int
) -> QuizPublic | QuizForStudent:
    """A quiz: its composition for the course's instructors, your standing for students."""
    quiz, role = service.quiz_for_member(session=session, quiz_id=quiz_id, user=user)
    if role == CourseRole.instructor:
        return service.quiz_public(session, quiz)
    return for_student(session, quiz, user, lang)


@router.patch(
    "/quizzes/{quiz_id}",
    responses=problem_responses(*_TEACHER, service.QuizPublished, ValidationFailed),
)
def update_quiz(
    session: SessionDep, user: CurrentUser, quiz_id: int, quiz_in: QuizUpdate
) -> QuizPublic:
    """Change a quiz. Once published: texts, times, time limit, attempts and feedback policy
    only (attempts in progress follow a new close time or time limit)."""
    quiz = service.quiz_for_instructor(session=session, quiz_id=quiz_id, user=user)
    quiz = service.update_quiz(session=session, quiz=quiz, quiz_in=quiz_in)
    return service.quiz_public(session, quiz)


@router.put(
    "/quizzes/{quiz_id}/items",
    responses=problem_responses(*_TEACHER, service.QuizPublished, ValidationFailed),
)
def set_items(
    session: SessionDep,
    user: CurrentUser,
    quiz_id: int,
    items: Annotated[list[ItemIn], Body(max_length=200)],
) -> QuizPublic:
    """Replace a draft quiz's items: fixed questions and draws, in order."""
    quiz = service.quiz_for_instructor(session=session, quiz_id=quiz_id, user=user)
    service.set_items(session=session, quiz=quiz, items=items)
    return service.quiz_public(session, quiz)


@router.post(
    "/quizzes/{quiz_id}/publish",
    responses=problem_responses(*_TEACHER, service.QuizNotPublishable),
)
def publish_quiz(session: SessionDep, user: CurrentUser, quiz_id: int) -> QuizPublic:
    """Publish a quiz after checking every student can get a full set of questions."""
    quiz = service.quiz_for_instructor(session=session, quiz_id=quiz_id, user=user)
    return service.quiz_public(session, service.publish_quiz(session=session, quiz=quiz))


@router.delete(
    "/quizzes/{quiz_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(*_TEACHER, service.QuizPublished),
)
def delete_quiz(session: SessionDep, user: CurrentUser, quiz_id: int) -> None:
    """Delete a draft quiz."""
    quiz = service.quiz_for_instructor(session=session, quiz_id=quiz_id, user=user)
    service.delete_quiz(session=session, quiz=quiz)
