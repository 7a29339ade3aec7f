"""The grading queue in the database: enqueue, claim, renew, finish, fail, release.

Both backends work from these functions, so they share one set of guarantees:

- A job is enqueued in the transaction that creates its submission (or regrade) and
  published only after that commits (api/grading/publish.py).
- Claiming is a compare-and-set on the row: `queued -> running` with a fresh `run_token`
  (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so claimers never wait for each other; SQLite: the
  write lock). A message whose `job_token` is not the row's is stale and claims nothing.
- A result is written only by the run holding the job (`run_token` matches, status still
  `running`), in the transaction that also moves the submission, the item and the attempt's
  total: a job delivered twice, or finished by a run that lost its lease, counts once.
- A running job whose worker vanished (lease lapsed) or that failed for infrastructure reasons
  runs again, at most `MAX_FAILURES` times; then, or once past its deadline, it is not
  gradable, which never counts against the student (api/grading/outcomes.py).

Usage:
    job = enqueue(session, submission)                # inside the request's transaction
    for claimed in claim_batch(engine, limit=2, worker="host:1", timing=timing):
        finish(engine, claimed, grader.grade(...))     # or fail(engine, claimed, "infrastructure")
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from api.core.config import Settings
from api.core.db import transaction, utcnow
from api.grading import outcomes
from api.grading.models import GradingJob, JobKind, JobStatus
from api.grading.publish import JobMessage, publish_after_commit
from api.submissions.models import Submission
from graders import Result

__all__ = [
    "MAX_FAILURES",
    "PRIORITY",
    "Claimed",
    "Timing",
    "abandon",
    "claim_batch",
    "claim_job",
    "enqueue",
    "fail",
    "finish",
    "has_queued",
    "new_token",
    "plain_read",
    "release",
    "renew",
    "requeue_job",
    "retry_or_give_up",
]

MAX_FAILURES = 3
PRIORITY = {JobKind.grade: 0, JobKind.regrade: 1}


def new_token() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True, slots=True)
class Timing:
    """How long a worker's lease lasts without renewal, and a run at most."""

    lease: float = 15.0
    deadline: float = 240.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Timing:
        return cls(lease=settings.grading_lease_seconds, deadline=settings.grading_deadline_seconds)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A job this run holds, with what the grader needs."""

    job_id: int
    run_token: str
    kind: JobKind
    submission_id: int
    assignment_id: str
    source: bytes
    seed: int


def enqueue(
    session: Session,
    submission: Submission,
    *,
    kind: JobKind = JobKind.grade,
    regrade_id: int | None = None,
) -> GradingJob:
    """A queued job for `submission`, published when `session` commits."""
    assert submission.id is not None
    job = GradingJob(
        kind=kind,
        priority=PRIORITY[kind],
        submission_id=submission.id,
        regrade_id=regrade_id,
        job_token=new_token(),
    )
    session.add(job)
    session.flush()
    assert job.id is not None
    publish_after_commit(session, [JobMessage(job.id, job.job_token)])
    return job


def plain_read(engine: Engine) -> Session:
    # Looking is a read outside any transaction: on SQLite a transaction would take the
    # write lock (api/core/db.py) and stall every writer for nothing.
    return Session(engine.execution_options(isolation_level="AUTOCOMMIT"))


def has_queued(engine: Engine) -> bool:
    with plain_read(engine) as session:
        queued = select(GradingJob.id).where(GradingJob.status == JobStatus.queued).limit(1)
        return session.exec(queued).first() is not None


def _start(
    session: Session, jobs: Sequence[GradingJob], worker: str, timing: Timing, now: datetime
) -> list[Claimed]:
    """Mark `jobs` (locked, queued or reclaimable) running under one new run token."""
    token = new_token()
    ids = [job.id for job in jobs]
    session.execute(
        update(GradingJob)
        .where(col(GradingJob.id).in_(ids))
        .values(
            status=JobStatus.running,
            run_token=token,
            runs=col(GradingJob.runs) + 1,
            worker=worker[:120],
            started_at=now,
            lease_until=now + timedelta(seconds=timing.lease),
            deadline_at=now + timedelta(seconds=timing.deadline),
        )
        .execution_options(synchronize_session=False)
    )
    grading = [job.submission_id for job in jobs if job.kind == JobKind.grade]
    outcomes.record_running(session, grading, now)
    rows = session.execute(
        sa_select(
            col(GradingJob.id),
            col(GradingJob.kind),
            col(GradingJob.submission_id),
            col(Submission.assignment_id),
            col(Submission.source),
            col(Submission.seed),
        )
        .join(Submission, col(Submission.id) == col(GradingJob.submission_id))
        .where(col(GradingJob.id).in_(ids))
        .order_by(col(GradingJob.priority), col(GradingJob.id))
    ).all()
    return [
        Claimed(
            job_id=job_id,
            run_token=token,
            kind=JobKind(kind),
            submission_id=submission_id,
            assignment_id=assignment_id,
            source=bytes(source),
            seed=seed,
        )
        for job_id, kind, submission_id, assignment_id, source, seed in rows
    ]


def claim_batch(engine: Engine, *, limit: int, worker: str, timing: Timing) -> list[Claimed]:
    """Claim up to `limit` queued jobs, first grades then regrades, oldest first."""
    if limit < 1 or not has_queued(engine):
        return []
    with Session(engine) as session, transaction(session):
        statement = (
            select(GradingJob)
            .where(GradingJob.status == JobStatus.queued)
            .order_by(col(GradingJob.priority), col(GradingJob.id))
            .limit(limit)
        )
        if engine.dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        jobs = session.exec(statement).all()
        if not jobs:
            return []
        return _start(session, jobs, worker, timing, utcnow())


def claim_job(
    engine: Engine, message: JobMessage, *, redelivered: bool, worker: str, timing: Timing
) -> Claimed | None:
    """Claim the job a message names, or None: stale message, or nothing left to do.

    A running job is taken over when the message was redelivered (the broker gives a message
    back only when the worker holding it is gone) or when its lease lapsed."""
    now = utcnow()
    with Session(engine) as session, transaction(session):
        job = session.get(GradingJob, message.job_id, with_for_update=True)
        if job is None or job.job_token != message.job_token:
            return None
        lapsed = job.lease_until is not None and job.lease_until <= now
        if job.status == JobStatus.queued or (
            job.status == JobStatus.running and (redelivered or lapsed)
        ):
            return _start(session, [job], worker, timing, now)[0]
        return None


def renew(engine: Engine, run_tokens: Iterable[str], timing: Timing) -> int:
    """Extend the lease of the running jobs these runs hold; how many rows."""
    tokens = list(set(run_tokens))
    if not tokens:
        return 0
    with Session(engine) as session, transaction(session):
        renewed = session.execute(
            update(GradingJob)
            .where(
                col(GradingJob.run_token).in_(tokens),
                col(GradingJob.status) == JobStatus.running,
            )
            .values(lease_until=utcnow() + timedelta(seconds=timing.lease))
            .execution_options(synchronize_session=False)
        )
        return int(renewed.rowcount)  # type: ignore[attr-defined]


def _held(session: Session, claimed: Claimed) -> GradingJob | None:
    """The job, locked, if this run still holds it."""
    job = session.get(GradingJob, claimed.job_id, with_for_update=True, populate_existing=True)
    if job is None or job.status != JobStatus.running or job.run_token != claimed.run_token:
        return None
    return job


def finish(engine: Engine, claimed: Claimed, result: Result) -> bool:
    """Record the grader's result; False when this run no longer holds the job (another run
    took it over, or the sweep gave it up) and nothing was written."""
    if not result.gradable:
        return fail(engine, claimed, "infrastructure")
    with Session(engine) as session, transaction(session):
        job = _held(session, claimed)
        if job is None:
            return False
        outcomes.record_result(session, job, result)
        return True


def fail(engine: Engine, claimed: Claimed, reason: str) -> bool:
    """Our side failed this run: queue the job again, or give it up after `MAX_FAILURES`."""
    with Session(engine) as session, transaction(session):
        job = _held(session, claimed)
        if job is None:
            return False
        retry_or_give_up(session, job, reason)
        return True


def abandon(engine: Engine, claimed: Claimed, reason: str) -> bool:
    """This job can never be graded (its assignment is unknown here): not gradable now."""
    with Session(engine) as session, transaction(session):
        job = _held(session, claimed)
        if job is None:
            return False
        outcomes.give_up(session, job, reason)
        return True


def retry_or_give_up(session: Session, job: GradingJob, reason: str) -> None:
    """`job` (locked, running) failed for `reason`, none of the student's doing."""
    job.failures += 1
    if job.failures >= MAX_FAILURES:
        outcomes.give_up(session, job, reason)
        return
    requeue_job(session, job, reason=reason)


def requeue_job(session: Session, job: GradingJob, *, reason: str | None = None) -> None:
    """Put `job` back in the queue under a new publication (older messages become stale)."""
    job.status = JobStatus.queued
    job.job_token = new_token()
    job.run_token = None
    job.lease_until = None
    job.deadline_at = None
    job.reason = reason
    job.queued_at = utcnow()
    session.add(job)
    session.flush()
    assert job.id is not None
    outcomes.record_queued(session, job)
    publish_after_commit(session, [JobMessage(job.id, job.job_token)])


def release(engine: Engine, claimed: Iterable[Claimed]) -> int:
    """Give back jobs this process holds but will not finish (shutting down): they are queued
    again at once, and the runs do not count as failures. How many were released."""
    held = list(claimed)
    if not held:
        return 0
    released = 0
    with Session(engine) as session, transaction(session):
        for one in held:
            job = _held(session, one)
            if job is None:
                continue
            job.runs = max(job.runs - 1, 0)
            job.status = JobStatus.queued
            job.run_token = None
            job.lease_until = None
            job.deadline_at = None
            session.add(job)
            session.flush()
            outcomes.record_queued(session, job, ran=False)
            released += 1
    return released
