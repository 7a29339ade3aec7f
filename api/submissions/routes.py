"""/api/v1 submission routes: submitting code for grading, reading and watching its status,
listing a course's submissions, re-queueing one that could not be graded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.responses import StreamingResponse

from api.attempts import service as attempts
from api.attempts.errors import (
    AnswerLocked,
    AttemptClosed,
    DeadlinePassed,
    NotYourAttempt,
)
from api.attempts.models import Attempt, AttemptItem, AttemptStatus, ClosedBy
from api.courses.models import CourseRole
from api.courses.service import CourseInstructorOnly, course_for_instructor, membership
from api.deps import CurrentUser, Lang, PageDep, SessionDep, SettingsDep
from api.errors import NotFound, ValidationFailed, problem_responses
from api.grading.events import Snapshot, event_response
from api.grading.publish import submission_key
from api.i18n import Language
from api.quizzes.models import Quiz
from api.submissions import service
from api.submissions.errors import (
    NoSuchSubmission,
    NotACodeQuestion,
    NotRequeueable,
    SubmissionRateLimited,
    SubmissionTooLarge,
)
from api.submissions.models import (
    MAX_SOURCE_BYTES,
    TERMINAL,
    Submission,
    SubmissionIn,
    SubmissionPublic,
    SubmissionsPublic,
    SubmissionStatus,
)
from api.submissions.views import released_to_student, submission_public
from api.users.models import User

router = APIRouter(tags=["submissions"])


def _open_attempt(session: Session, attempt_id: int, user: User) -> Attempt:
    attempt, _, role = attempts.attempt_for_viewer(
        session=session, attempt_id=attempt_id, user=user
    )
    if role != CourseRole.student:
        raise NotYourAttempt()
    if attempt.status != AttemptStatus.in_progress:
        if attempt.closed_by == ClosedBy.deadline and attempt.deadline is not None:
            session.commit()  # keep the closing this request may have just done
            raise DeadlinePassed(attempt.deadline)
        raise AttemptClosed()
    return attempt


def _public(
    session: Session, submission: Submission, lang: Language, *, instructor: bool
) -> SubmissionPublic:
    released = False
    if not instructor:
        quiz = session.get(Quiz, submission.quiz_id)
        attempt = session.get(Attempt, submission.attempt_id)
        item = session.get(AttemptItem, submission.item_id)
        assert quiz is not None
        assert attempt is not None
        released = released_to_student(quiz, attempt, item)
    return submission_public(submission, lang=lang, instructor=instructor, released=released)


def _readable(session: Session, submission_id: int, user: User) -> tuple[Submission, bool]:
    """The submission and whether `user` reads it as an instructor; 404 for anyone but its
    student and the course's instructors."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NoSuchSubmission()
    if submission.student_id == user.id:
        return submission, False
    member = membership(session=session, course_id=submission.course_id, user=user)
    if member is None or member.role != CourseRole.instructor:
        raise NoSuchSubmission()
    return submission, True


@router.post(
    "/attempts/{attempt_id}/items/{position}/submissions",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(
        NotFound,
        NotYourAttempt,
        AttemptClosed,
        DeadlinePassed,
        AnswerLocked,
        NotACodeQuestion,
        SubmissionTooLarge,
        SubmissionRateLimited,
    ),
)
def submit_code(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    lang: Lang,
    attempt_id: int,
    position: int,
    submission_in: SubmissionIn,
) -> SubmissionPublic:
    """Submit code for a code question of your open attempt. It is queued for grading at
    once (202); follow it with GET /submissions/{id} or its event stream. At most 256 KiB
    (413), and a few submissions a minute (429 with Retry-After)."""
    attempt = _open_attempt(session, attempt_id, user)
    item = attempts.get_item(session, attempt, position)
    if item.locked:
        raise AnswerLocked()
    source = service.encode_source(submission_in.source)
    if len(source) > MAX_SOURCE_BYTES:
        raise SubmissionTooLarge(len(source))
    assert user.id is not None
    service.check_rate(session, student_id=user.id, per_minute=settings.submissions_per_minute)
    submission = service.create_submission(
        session=session, attempt=attempt, item=item, source=source
    )
    return _public(session, submission, lang, instructor=False)


@router.get(
    "/attempts/{attempt_id}/items/{position}/submissions",
    responses=problem_responses(NotFound, ValidationFailed),
)
def list_item_submissions(
    session: SessionDep,
    user: CurrentUser,
    lang: Lang,
    attempt_id: int,
    position: int,
    page: PageDep,
) -> SubmissionsPublic:
    """The submissions to one question of an attempt, newest first (its student, or the
    course's instructors)."""
    attempt, quiz, role = attempts.attempt_for_viewer(
        session=session, attempt_id=attempt_id, user=user
    )
    item = attempts.get_item(session, attempt, position)
    rows, count = service.list_item_submissions(session=session, item=item, page=page)
    instructor = role == CourseRole.instructor
    released = instructor or released_to_student(quiz, attempt, item)
    return SubmissionsPublic(
        data=[
            submission_public(s, lang=lang, instructor=instructor, released=released) for s in rows
        ],
        count=count,
    )


@router.get("/submissions/{submission_id}", responses=problem_responses(NotFound))
def read_submission(
    session: SessionDep, user: CurrentUser, lang: Lang, submission_id: int
) -> SubmissionPublic:
    """A submission's status and, as the quiz's feedback policy allows, its score and checks
    (students see visible checks only)."""
    submission, instructor = _readable(session, submission_id, user)
    return _public(session, submission, lang, instructor=instructor)


def _snapshot_reader(
    engine: Engine, submission_id: int, lang: Language, instructor: bool
) -> Snapshot | None:
    with Session(engine.execution_options(isolation_level="AUTOCOMMIT")) as session:
        submission = session.get(Submission, submission_id)
        if submission is None:
            return None
        public = _public(session, submission, lang, instructor=instructor)
        return Snapshot(
            version=submission.version,
            body=public.model_dump_json(),
            terminal=submission.status in TERMINAL,
        )


@router.get(
    "/submissions/{submission_id}/events",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "The event stream."},
        **problem_responses(NotFound),
    },
)
def watch_submission(
    request: Request, session: SessionDep, user: CurrentUser, lang: Lang, submission_id: int
) -> StreamingResponse:
    """Server-sent events: `event: status` with the submission (as GET returns it) on every
    change; the stream ends once it is graded, rejected or not gradable."""
    _, instructor = _readable(session, submission_id, user)
    engine: Engine = request.app.state.engine
    return event_response(
        lambda: _snapshot_reader(engine, submission_id, lang, instructor),
        key=submission_key(submission_id),
    )


@router.get(
    "/courses/{course_id}/submissions",
    responses=problem_responses(NotFound, CourseInstructorOnly, ValidationFailed),
)
def list_course_submissions(
    session: SessionDep,
    user: CurrentUser,
    lang: Lang,
    course_id: int,
    page: PageDep,
    status: SubmissionStatus | None = None,
    assignment_id: Annotated[str | None, Query(max_length=80)] = None,
    student_id: int | None = None,
    quiz_id: int | None = None,
) -> SubmissionsPublic:
    """The course's submissions, newest first, filtered by status, assignment, student or
    quiz (instructors)."""
    course_for_instructor(session=session, course_id=course_id, user=user)
    rows, count = service.list_course_submissions(
        session=session,
        course_id=course_id,
        page=page,
        status=status,
        assignment_id=assignment_id,
        student_id=student_id,
        quiz_id=quiz_id,
    )
    return SubmissionsPublic(
        data=[submission_public(s, lang=lang, instructor=True, released=True) for s in rows],
        count=count,
    )


@router.post(
    "/submissions/{submission_id}/requeue",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(NotFound, CourseInstructorOnly, NotRequeueable),
)
def requeue_submission(
    session: SessionDep, user: CurrentUser, lang: Lang, submission_id: int
) -> SubmissionPublic:
    """Queue a submission that could not be graded (or seems stuck) for grading again
    (instructors). A graded one is regraded instead (409)."""
    submission, instructor = _readable(session, submission_id, user)
    if not instructor:
        raise CourseInstructorOnly()
    service.requeue(session=session, submission=submission)
    return submission_public(submission, lang=lang, instructor=True, released=True)
