"""Regrading: which submissions a regrade covers, queueing them, and its progress.

A regrade queues one `regrade` job per submission (after the grading of students' new
submissions: regrade jobs have the lower priority). A real regrade writes each new result to
its submission and the item's points follow (an override still wins: api/attempts/scores.py);
a dry run only records the score each job would give. Progress is counted from the jobs
themselves, so a job delivered twice cannot count twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlmodel import Session, col, func, select

from api.attempts.models import AttemptItem
from api.core.db import utcnow
from api.courses.service import CourseInstructorOnly, course_for_instructor
from api.errors import NotFound
from api.grading.models import GradingJob, JobKind, JobStatus
from api.grading.publish import JobMessage, publish_after_commit
from api.grading.queue import PRIORITY, new_token
from api.i18n import Text
from api.quizzes.service import quiz_for_instructor
from api.regrades.errors import NoSuchRegrade, StillGrading
from api.regrades.models import Regrade, RegradeCreate, RegradePublic, RegradeScope, ScoreChange
from api.submissions.models import TERMINAL, Submission
from api.users.models import User

__all__ = ["create_regrade", "regrade_for_instructor", "regrade_public"]

NO_SUCH_SUBMISSION = Text(en="No such submission.", zh="没有这次提交。")


def _covered(
    session: Session, user: User, regrade_in: RegradeCreate
) -> tuple[int, Sequence[Submission]]:
    """The course and the submissions `regrade_in` names, checking `user` teaches it."""
    terminal = col(Submission.status).in_(TERMINAL)
    if regrade_in.scope == RegradeScope.submission:
        submission = session.get(Submission, regrade_in.submission_id)
        if submission is None:
            raise NotFound(NO_SUCH_SUBMISSION)
        course_for_instructor(session=session, course_id=submission.course_id, user=user)
        if submission.status not in TERMINAL:
            raise StillGrading()
        return submission.course_id, [submission]
    if regrade_in.scope == RegradeScope.question:
        assert regrade_in.quiz_id is not None
        quiz = quiz_for_instructor(session=session, quiz_id=regrade_in.quiz_id, user=user)
        rows = session.exec(
            select(Submission)
            .join(AttemptItem, col(AttemptItem.id) == col(Submission.item_id))
            .where(
                Submission.quiz_id == quiz.id,
                AttemptItem.question_id == regrade_in.question_id,
                terminal,
            )
            .order_by(col(Submission.id))
        ).all()
        return quiz.course_id, rows
    assert regrade_in.course_id is not None
    course_for_instructor(session=session, course_id=regrade_in.course_id, user=user)
    rows = session.exec(
        select(Submission)
        .where(
            Submission.course_id == regrade_in.course_id,
            Submission.assignment_id == regrade_in.assignment_id,
            terminal,
        )
        .order_by(col(Submission.id))
    ).all()
    return regrade_in.course_id, rows


def create_regrade(*, session: Session, user: User, regrade_in: RegradeCreate) -> Regrade:
    """A regrade of the submissions `regrade_in` names, its jobs queued (published on
    commit). Only finished submissions are covered: queued ones will be graded anyway."""
    course_id, submissions = _covered(session, user, regrade_in)
    regrade = Regrade(
        course_id=course_id,
        scope=regrade_in.scope,
        dry_run=regrade_in.dry_run,
        submission_id=regrade_in.submission_id,
        quiz_id=regrade_in.quiz_id,
        question_id=regrade_in.question_id,
        assignment_id=regrade_in.assignment_id,
        requested_by=user.id,
        total=len(submissions),
    )
    if not submissions:
        regrade.finished_at = utcnow()
    session.add(regrade)
    session.flush()
    assert all(s.id is not None for s in submissions)
    jobs = [
        GradingJob(
            kind=JobKind.regrade,
            priority=PRIORITY[JobKind.regrade],
            submission_id=submission.id or 0,
            regrade_id=regrade.id,
            job_token=new_token(),
        )
        for submission in submissions
    ]
    session.add_all(jobs)
    session.flush()
    publish_after_commit(
        session, [JobMessage(job.id, job.job_token) for job in jobs if job.id is not None]
    )
    return regrade


def regrade_for_instructor(*, session: Session, regrade_id: int, user: User) -> Regrade:
    """The regrade if `user` teaches its course; NoSuchRegrade (404) otherwise."""
    regrade = session.get(Regrade, regrade_id)
    if regrade is None:
        raise NoSuchRegrade()
    try:
        course_for_instructor(session=session, course_id=regrade.course_id, user=user)
    except (NotFound, CourseInstructorOnly):
        raise NoSuchRegrade() from None
    return regrade


def regrade_public(session: Session, regrade: Regrade) -> RegradePublic:
    """The regrade's progress and the scores it changes (or would change)."""
    assert regrade.id is not None
    counts = dict(
        session.exec(
            select(GradingJob.status, func.count())
            .where(GradingJob.regrade_id == regrade.id)
            .group_by(col(GradingJob.status))
        ).all()
    )
    done = counts.get(JobStatus.done, 0) + counts.get(JobStatus.not_gradable, 0)
    rows = session.exec(
        select(GradingJob, Submission, AttemptItem)
        .join(Submission, col(Submission.id) == col(GradingJob.submission_id))
        .join(AttemptItem, col(AttemptItem.id) == col(Submission.item_id))
        .where(
            GradingJob.regrade_id == regrade.id,
            GradingJob.status == JobStatus.done,
            col(GradingJob.old_score).is_distinct_from(col(GradingJob.new_score)),
        )
        .order_by(col(GradingJob.id))
    ).all()
    changed = [
        ScoreChange(
            submission_id=submission.id,
            student_id=submission.student_id,
            old_score=job.old_score,
            new_score=job.new_score,
            max_score=submission.max_score,
            overridden=item.override_points is not None,
        )
        for job, submission, item in rows
        if submission.id is not None and job.new_score is not None
    ]
    status: Literal["queued", "running", "done"]
    if regrade.finished_at is not None:
        status = "done"
    elif counts.get(JobStatus.queued, 0) == regrade.total:
        status = "queued"
    else:
        status = "running"
    return RegradePublic(
        id=regrade.id,
        course_id=regrade.course_id,
        scope=regrade.scope,
        dry_run=regrade.dry_run,
        status=status,
        total=regrade.total,
        done=done,
        failed=counts.get(JobStatus.not_gradable, 0),
        changed=changed,
        created_at=regrade.created_at,
        finished_at=regrade.finished_at,
    )
