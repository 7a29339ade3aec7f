"""/api/v1 attempt routes: starting, reading, answering, checking and submitting attempts.

Reading a question and autosaving an answer are what a class does most: once these routes
have answered a student, the fast lane (api/attempts/lane.py) answers the same requests from
its caches, and these routes remain the path for everything the lane does not know.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlmodel import Session, col, select

from api.attempts import fast, service, views
from api.attempts.errors import (
    AnswerLocked,
    AttemptClosed,
    AttemptsExhausted,
    DeadlinePassed,
    FeedbackNotPerItem,
    InvalidAnswer,
    NoSuchAttempt,
    NotEnrolled,
    NotYourAttempt,
    QuizClosed,
    QuizNotOpen,
    StaleAnswer,
)
from api.attempts.models import (
    Answer,
    AnswerSaved,
    Attempt,
    AttemptForInstructor,
    AttemptForStudent,
    AttemptStatus,
    AttemptSummariesPublic,
    ItemReview,
    QuestionOfAttempt,
    StudentResultsPublic,
)
from api.banks.store import parsed_bank, rendered_variant, student_variant_json
from api.core.db import utcnow
from api.courses.models import CourseMember, CourseRole
from api.courses.service import CourseInstructorOnly
from api.deps import CurrentUser, Lang, PageDep, SessionDep
from api.errors import (
    NotFound,
    ValidationFailed,
    problem_responses,
)
from api.quizzes.models import Quiz
from api.quizzes.service import quiz_for_instructor, quiz_for_member
from api.users.models import User

router = APIRouter(tags=["attempts"])


def _commit_closing(session: Session, error: DeadlinePassed) -> DeadlinePassed:
    # The attempt was closed and scored by this request: keep that, though it answers 409.
    session.commit()
    return error


@router.post(
    "/quizzes/{quiz_id}/attempts",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": AttemptForStudent, "description": "Your attempt in progress, resumed."},
        **problem_responses(NotFound, NotEnrolled, QuizNotOpen, QuizClosed, AttemptsExhausted),
    },
)
def start_attempt(
    session: SessionDep, user: CurrentUser, lang: Lang, response: Response, quiz_id: int
) -> AttemptForStudent:
    """Start an attempt (201), or resume the one in progress (200)."""
    quiz, _ = quiz_for_member(session=session, quiz_id=quiz_id, user=user)
    attempt, created = service.start_attempt(session=session, quiz=quiz, student=user)
    if not created:
        response.status_code = status.HTTP_200_OK
    return views.attempt_for_student(session, attempt, quiz, lang)


@router.get("/quizzes/{quiz_id}/attempts", responses=problem_responses(NotFound, ValidationFailed))
def list_attempts(
    session: SessionDep,
    user: CurrentUser,
    quiz_id: int,
    page: PageDep,
    student_id: Annotated[int | None, Query(description="Only this student's attempts.")] = None,
    attempt_status: Annotated[
        AttemptStatus | None, Query(alias="status", description="Only attempts in this status.")
    ] = None,
) -> AttemptSummariesPublic:
    """Attempts at the quiz: everyone's for its instructors, your own for a student."""
    quiz, role = quiz_for_member(session=session, quiz_id=quiz_id, user=user)
    mine = None if role == CourseRole.instructor else user
    attempts, count = service.list_attempts(
        session=session,
        quiz=quiz,
        page=page,
        student=mine,
        student_id=student_id,
        status=attempt_status,
    )
    return AttemptSummariesPublic(
        data=[
            views.attempt_summary(a, show_score=mine is None or service.feedback_released(quiz, a))
            for a in attempts
        ],
        count=count,
    )


@router.get(
    "/quizzes/{quiz_id}/results",
    responses=problem_responses(NotFound, CourseInstructorOnly, ValidationFailed),
)
def quiz_results(
    session: SessionDep, user: CurrentUser, quiz_id: int, page: PageDep
) -> StudentResultsPublic:
    """Each enrolled student's counted score (highest or last attempt, as the quiz says)."""
    quiz = quiz_for_instructor(session=session, quiz_id=quiz_id, user=user)
    results, count = service.quiz_results(session=session, quiz=quiz, page=page)
    return StudentResultsPublic(data=results, count=count)


@router.get("/attempts/{attempt_id}", responses=problem_responses(NotFound))
def read_attempt(
    session: SessionDep, user: CurrentUser, lang: Lang, attempt_id: int
) -> AttemptForInstructor | AttemptForStudent:
    """An attempt with its questions and saved answers (to resume on any device); results as
    the quiz's feedback policy allows. The course's instructors see everything."""
    attempt, quiz, role = service.attempt_for_viewer(
        session=session, attempt_id=attempt_id, user=user
    )
    if role == CourseRole.instructor:
        student = session.get(User, attempt.student_id)
        assert student is not None
        return views.attempt_for_instructor(session, attempt, quiz, student, lang)
    return views.attempt_for_student(session, attempt, quiz, lang)


def _own_attempt(session: Session, attempt_id: int, user: User) -> tuple[Attempt, Quiz]:
    attempt, quiz, role = service.attempt_for_viewer(
        session=session, attempt_id=attempt_id, user=user
    )
    if role != CourseRole.student:
        raise NotYourAttempt()
    return attempt, quiz


@router.post(
    "/attempts/{attempt_id}/submit",
    responses=problem_responses(NotFound, NotYourAttempt, DeadlinePassed),
)
def submit_attempt(
    session: SessionDep, user: CurrentUser, lang: Lang, attempt_id: int
) -> AttemptForStudent:
    """Submit your attempt: every answer is scored; results show as the feedback policy
    allows. Submitting twice is harmless; after the deadline the attempt is already closed
    and scored with the answers saved in time (409 says when the deadline was)."""
    attempt, quiz = _own_attempt(session, attempt_id, user)
    try:
        service.submit_attempt(session=session, attempt=attempt)
    except DeadlinePassed as error:
        raise _commit_closing(session, error) from None
    return views.attempt_for_student(session, attempt, quiz, lang)


@router.post(
    "/attempts/{attempt_id}/items/{position}/check",
    responses=problem_responses(
        NotFound, NotYourAttempt, FeedbackNotPerItem, AnswerLocked, AttemptClosed, DeadlinePassed
    ),
)
def check_item(
    session: SessionDep, user: CurrentUser, lang: Lang, attempt_id: int, position: int
) -> ItemReview:
    """Check one answer now (quizzes with feedback after each answer): it is scored and
    locked, and its feedback shown."""
    attempt, quiz = _own_attempt(session, attempt_id, user)
    try:
        item = service.check_item(session=session, attempt=attempt, quiz=quiz, position=position)
    except DeadlinePassed as error:
        raise _commit_closing(session, error) from None
    review = views.attempt_for_student(session, attempt, quiz, lang).items[item.position - 1]
    assert isinstance(review, ItemReview)
    return review


# --- the hot paths: api/attempts/lane.py answers these from its caches when it can --------


def _refuse_stranger(session: Session, facts: fast.AttemptFacts, user: User) -> None:
    """Someone other than the attempt's student: its course's instructors may look (reading
    goes on), they may not answer; anyone else finds nothing (404)."""
    teaches = session.exec(
        select(CourseMember.id)
        .join(Quiz, col(Quiz.course_id) == col(CourseMember.course_id))
        .where(
            Quiz.id == facts.quiz_id,
            CourseMember.user_id == user.id,
            CourseMember.role == CourseRole.instructor,
        )
    ).first()
    if teaches is None:
        raise NoSuchAttempt()


def _close_if_due(
    request: Request, session: Session, attempt_id: int, facts: fast.AttemptFacts
) -> None:
    if not facts.in_progress or facts.deadline is None or utcnow() < facts.deadline:
        return
    attempt = session.get(Attempt, attempt_id)
    assert attempt is not None
    service.close_if_expired(session=session, attempt=attempt)
    fast.attempt_facts(request, session, attempt_id, fresh=True)


@router.get(
    "/attempts/{attempt_id}/items/{position}",
    response_model=QuestionOfAttempt,
    responses=problem_responses(NotFound),
)
def read_item(
    request: Request,
    session: SessionDep,
    user: fast.RememberedUser,
    lang: Lang,
    attempt_id: int,
    position: int,
) -> Response:
    """One question of an attempt, as its student sees it (rendered once, then served from
    memory). Answers and results are in GET /attempts/{id}."""
    facts = fast.attempt_facts(request, session, attempt_id)
    if facts.student_id != user.id:
        _refuse_stranger(session, facts, user)
    slot = fast.slot_of(facts, position)
    _close_if_due(request, session, attempt_id, facts)
    bank = parsed_bank(session, slot.bank_version_id)
    # Warm what the fast lane needs to check this question's answers: a student reads a
    # question before answering it, so the first save already takes the lane.
    rendered_variant(
        slot.bank_version_id, bank, slot.question_id, slot.seed, None, shuffle=facts.shuffle_options
    )
    question = student_variant_json(
        slot.bank_version_id,
        bank,
        slot.question_id,
        slot.seed,
        lang,
        shuffle=facts.shuffle_options,
    )
    return Response(
        content=fast.question_body(position, slot.points, question), media_type="application/json"
    )


@router.put(
    "/attempts/{attempt_id}/items/{position}/answer",
    responses=problem_responses(
        NotFound,
        NotYourAttempt,
        InvalidAnswer,
        StaleAnswer,
        AnswerLocked,
        AttemptClosed,
        DeadlinePassed,
    ),
)
def save_answer(
    request: Request,
    session: SessionDep,
    user: fast.RememberedUser,
    lang: Lang,
    attempt_id: int,
    position: int,
    answer: Answer,
) -> AnswerSaved:
    """Autosave your answer to one question. Idempotent: the same revision and answer again
    changes nothing (`changed: false`); an older revision is refused (409 stale-answer), so a
    slow request can never overwrite a newer answer. After the deadline: 409 with the
    deadline (the attempt is then closed and scored)."""
    facts = fast.attempt_facts(request, session, attempt_id)
    if facts.student_id != user.id:
        _refuse_stranger(session, facts, user)
        raise NotYourAttempt()
    fast.slot_of(facts, position)
    # Warm what the fast lane needs for this question's next saves.
    slot = facts.slots[position]
    rendered_variant(
        slot.bank_version_id,
        parsed_bank(session, slot.bank_version_id),
        slot.question_id,
        slot.seed,
        None,
        shuffle=facts.shuffle_options,
    )
    attempt = session.get(Attempt, attempt_id)
    assert attempt is not None
    try:
        item, changed = service.save_answer(
            session=session,
            attempt=attempt,
            position=position,
            response=answer.response,
            revision=answer.revision,
            lang=lang,
        )
    except DeadlinePassed as error:
        facts.in_progress = False
        raise _commit_closing(session, error) from None
    except AttemptClosed:
        facts.in_progress = False
        raise
    assert item.saved_at is not None
    return AnswerSaved(
        position=position, revision=item.revision, saved_at=item.saved_at, changed=changed
    )
