"""What a job's end does to its submission, its regrade, the item and the attempt's total.

Called by api/grading/queue.py inside the transaction that ends the job (the job row locked and
still held by the run), so the job's status and everything that follows from it commit
together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, update
from sqlmodel import Session, col, func, select

from api.core.db import utcnow
from api.grading.models import GradingJob, JobKind, JobStatus
from api.grading.publish import notify_after_commit
from api.grading.results import stored_result, submission_status
from api.regrades.models import Regrade
from api.submissions.models import Submission, SubmissionStatus
from api.submissions.scores import settle_item
from graders import Result

__all__ = ["give_up", "record_queued", "record_result", "record_running"]


def record_running(session: Session, submission_ids: Sequence[int], now: datetime) -> None:
    """The first grading of these submissions has started."""
    if not submission_ids:
        return
    session.execute(
        update(Submission)
        .where(col(Submission.id).in_(submission_ids))
        .values(
            status=SubmissionStatus.running,
            started_at=now,
            runs=Submission.runs + 1,
            version=Submission.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    notify_after_commit(session, submissions=submission_ids)


def record_queued(session: Session, job: GradingJob, *, ran: bool = True) -> None:
    """`job` is queued again; `ran=False`: the run that had it never really started."""
    if job.kind != JobKind.grade:
        assert job.regrade_id is not None
        notify_after_commit(session, regrades=[job.regrade_id])
        return
    values: dict[str, object] = {
        "status": SubmissionStatus.queued,
        "reason": None,
        "finished_at": None,
        "version": Submission.version + 1,
    }
    if not ran:
        values["runs"] = case((col(Submission.runs) > 0, col(Submission.runs) - 1), else_=0)
    session.execute(
        update(Submission)
        .where(col(Submission.id) == job.submission_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    notify_after_commit(session, submissions=[job.submission_id])


def _write(submission: Submission, result: Result, now: datetime) -> None:
    submission.status = submission_status(result)
    submission.score = float(result.score)
    submission.max_score = float(result.max_score)
    submission.result = stored_result(result)
    submission.reason = None
    submission.finished_at = now
    submission.version += 1


def record_result(session: Session, job: GradingJob, result: Result) -> None:
    """The grader's (gradable) result for `job`."""
    now = utcnow()
    submission = session.get(Submission, job.submission_id, populate_existing=True)
    assert submission is not None
    job.status = JobStatus.done
    job.finished_at = now
    job.lease_until = None
    job.new_score = float(result.score)
    if job.kind == JobKind.grade:
        _write(submission, result, now)
        _settle(session, submission)
    else:
        assert job.regrade_id is not None
        regrade = session.get(Regrade, job.regrade_id)
        assert regrade is not None
        counted = submission.status in (SubmissionStatus.graded, SubmissionStatus.rejected)
        job.old_score = submission.score if counted else None
        if not regrade.dry_run:
            _write(submission, result, now)
            _settle(session, submission)
        _regrade_progress(session, job, regrade)
    session.add(job)
    session.flush()


def give_up(session: Session, job: GradingJob, reason: str) -> None:
    """`job` cannot be graded (our infrastructure, or its deadline): never the student's
    fault, so the item stays pending rather than scoring zero."""
    now = utcnow()
    job.status = JobStatus.not_gradable
    job.reason = reason
    job.finished_at = now
    job.lease_until = None
    session.add(job)
    if job.kind == JobKind.grade:
        submission = session.get(Submission, job.submission_id, populate_existing=True)
        assert submission is not None
        submission.status = SubmissionStatus.not_gradable
        submission.reason = reason
        submission.finished_at = now
        submission.version += 1
        _settle(session, submission)
    else:
        assert job.regrade_id is not None
        regrade = session.get(Regrade, job.regrade_id)
        assert regrade is not None
        _regrade_progress(session, job, regrade)
    session.flush()


def _settle(session: Session, submission: Submission) -> None:
    session.add(submission)
    session.flush()
    assert submission.id is not None
    settle_item(session, submission.item_id)
    notify_after_commit(session, submissions=[submission.id])


def _regrade_progress(session: Session, job: GradingJob, regrade: Regrade) -> None:
    session.add(job)
    session.flush()
    assert regrade.id is not None
    left = session.exec(
        select(func.count())
        .select_from(GradingJob)
        .where(
            GradingJob.regrade_id == regrade.id,
            col(GradingJob.status).in_((JobStatus.queued, JobStatus.running)),
        )
    ).one()
    if left == 0 and regrade.finished_at is None:
        regrade.finished_at = utcnow()
        session.add(regrade)
    notify_after_commit(session, regrades=[regrade.id])
