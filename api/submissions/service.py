"""Submissions: making them (with the size and rate limits), finding them, re-queueing them.

A submission row and its grading job are added in the caller's transaction; the job is
published when that commits (api/grading/publish.py), never before.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta

from sqlmodel import Session, col, select

from api.attempts.models import Attempt, AttemptItem
from api.banks.store import parsed_bank
from api.core.db import utcnow
from api.grading import queue
from api.grading.models import GradingJob, JobKind
from api.pagination import Page, paginate
from api.quizzes.models import Quiz
from api.submissions.errors import (
    NotACodeQuestion,
    NotRequeueable,
    SubmissionRateLimited,
    SubmissionTooLarge,
)
from api.submissions.models import MAX_SOURCE_BYTES, Submission, SubmissionStatus
from api.submissions.scores import settle_item

__all__ = [
    "RATE_WINDOW_SECONDS",
    "check_rate",
    "create_submission",
    "encode_source",
    "list_course_submissions",
    "list_item_submissions",
    "requeue",
]

RATE_WINDOW_SECONDS = 60
SEED_BITS = 31


def encode_source(source: str) -> bytes:
    """The bytes to grade: UTF-8, with lone surrogates kept (the grader rejects them as not
    UTF-8, with a message, instead of the request failing here)."""
    return source.encode("utf-8", "surrogatepass")


def assignment_of(session: Session, item: AttemptItem) -> str:
    """The graders/ assignment a code item is graded by (NotACodeQuestion otherwise)."""
    question = parsed_bank(session, item.bank_version_id).question(item.question_id)
    assignment = getattr(question, "assignment", None)
    if question.type != "code" or not isinstance(assignment, str):
        raise NotACodeQuestion()
    return assignment


def check_rate(session: Session, *, student_id: int, per_minute: int) -> None:
    """SubmissionRateLimited (429, with Retry-After) when the student already made
    `per_minute` submissions in the last minute. Counted in the database, so the limit holds
    across processes."""
    since = utcnow() - timedelta(seconds=RATE_WINDOW_SECONDS)
    recent = session.exec(
        select(Submission.created_at)
        .where(
            Submission.student_id == student_id,
            col(Submission.automatic).is_(False),
            col(Submission.created_at) > since,
        )
        .order_by(col(Submission.created_at).desc())
        .limit(per_minute)
    ).all()
    if len(recent) < per_minute:
        return
    oldest = recent[-1]
    wait = RATE_WINDOW_SECONDS - (utcnow() - oldest).total_seconds()
    raise SubmissionRateLimited(per_minute, retry_after=max(1, math.ceil(wait)))


def create_submission(
    *,
    session: Session,
    attempt: Attempt,
    item: AttemptItem,
    source: bytes,
    automatic: bool = False,
) -> Submission:
    """A queued submission of `source` for a code item, and its grading job (published on
    commit). SubmissionTooLarge over 256 KiB."""
    if len(source) > MAX_SOURCE_BYTES:
        raise SubmissionTooLarge(len(source))
    assert attempt.id is not None
    assert item.id is not None
    quiz = session.get(Quiz, attempt.quiz_id)
    assert quiz is not None
    assert quiz.id is not None
    submission = Submission(
        attempt_id=attempt.id,
        item_id=item.id,
        position=item.position,
        quiz_id=quiz.id,
        course_id=quiz.course_id,
        student_id=attempt.student_id,
        assignment_id=assignment_of(session, item),
        source=source,
        seed=item.seed % (1 << SEED_BITS),
        automatic=automatic,
    )
    session.add(submission)
    session.flush()
    queue.enqueue(session, submission)
    return submission


def list_item_submissions(
    *, session: Session, item: AttemptItem, page: Page
) -> tuple[Sequence[Submission], int]:
    """An item's submissions, newest first."""
    statement = (
        select(Submission).where(Submission.item_id == item.id).order_by(col(Submission.id).desc())
    )
    return paginate(session, statement, page)


def list_course_submissions(
    *,
    session: Session,
    course_id: int,
    page: Page,
    status: SubmissionStatus | None = None,
    assignment_id: str | None = None,
    student_id: int | None = None,
    quiz_id: int | None = None,
) -> tuple[Sequence[Submission], int]:
    """A course's submissions matching every filter given, newest first."""
    statement = select(Submission).where(Submission.course_id == course_id)
    if status is not None:
        statement = statement.where(Submission.status == status)
    if assignment_id is not None:
        statement = statement.where(Submission.assignment_id == assignment_id)
    if student_id is not None:
        statement = statement.where(Submission.student_id == student_id)
    if quiz_id is not None:
        statement = statement.where(Submission.quiz_id == quiz_id)
    return paginate(session, statement.order_by(col(Submission.id).desc()), page)


def requeue(*, session: Session, submission: Submission) -> Submission:
    """Grade a submission again that could not be graded (or seems stuck): its grading job
    is queued afresh (older messages for it become stale). A graded or rejected submission
    is regraded instead (NotRequeueable)."""
    if submission.status in (SubmissionStatus.graded, SubmissionStatus.rejected):
        raise NotRequeueable()
    job = session.exec(
        select(GradingJob)
        .where(GradingJob.submission_id == submission.id, GradingJob.kind == JobKind.grade)
        .order_by(col(GradingJob.id).desc())
        .with_for_update()
    ).first()
    if job is None:  # cannot happen through the API; repair rather than refuse
        job = queue.enqueue(session, submission)
    else:
        job.failures = 0
        queue.requeue_job(session, job)
    session.refresh(submission)
    settle_item(session, submission.item_id)
    return submission
