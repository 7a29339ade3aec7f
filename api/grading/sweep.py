"""The grading sweep: jobs whose worker vanished run again; jobs past their deadline end.

A running job whose lease lapsed lost its worker (killed, machine gone, service restarted
without a clean stop): it is queued again, or given up after `MAX_FAILURES`. A running job
past its deadline is not gradable (never the student's fault; an instructor can re-queue it).
Each job is handled in its own transaction by compare-and-set on its run token, so several
processes may sweep at once. With celery, jobs left queued with no message in the broker
(published before a broker restart, or never published because the process died after the
commit) are published again under a new token, if still under the token they were found with.

Usage:
    sweep(engine)                                   # the local pool and the celery runtime
    republish_stale(engine, older_than=60)          # celery, when the broker queue is empty
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from api.core.db import transaction, utcnow
from api.grading import outcomes
from api.grading.models import GradingJob, JobStatus
from api.grading.queue import plain_read, requeue_job, retry_or_give_up

__all__ = ["SweepReport", "republish_stale", "sweep"]

REPUBLISH_BATCH = 500
logger = logging.getLogger("quizloop.grading")


@dataclass(frozen=True, slots=True)
class SweepReport:
    overdue: int
    """Running jobs past their deadline, now not gradable."""
    lost: int
    """Running jobs whose worker vanished, queued again (or given up)."""


def sweep(engine: Engine, *, now: datetime | None = None) -> SweepReport:
    """End overdue jobs and re-run those whose worker vanished."""
    now = now or utcnow()
    with plain_read(engine) as session:
        due = session.exec(
            select(GradingJob.id, GradingJob.run_token, GradingJob.deadline_at).where(
                GradingJob.status == JobStatus.running,
                or_(
                    col(GradingJob.deadline_at) <= now,
                    col(GradingJob.lease_until) <= now,
                ),
            )
        ).all()
    overdue = lost = 0
    for job_id, run_token, deadline_at in due:
        with Session(engine) as session, transaction(session):
            job = session.get(GradingJob, job_id, with_for_update=True, populate_existing=True)
            if job is None or job.status != JobStatus.running or job.run_token != run_token:
                continue  # it finished, or another sweep got there first
            if deadline_at is not None and deadline_at <= now:
                outcomes.give_up(session, job, "deadline")
                overdue += 1
            else:
                retry_or_give_up(session, job, "worker-lost")
                lost += 1
    if overdue or lost:
        logger.warning("grading sweep: %d job(s) past their deadline, %d lost", overdue, lost)
    return SweepReport(overdue=overdue, lost=lost)


def republish_stale(engine: Engine, *, older_than: float, now: datetime | None = None) -> int:
    """Publish again (new tokens) jobs queued for more than `older_than` seconds; call it
    only when the broker's queue is empty, so these have no message waiting."""
    cutoff = (now or utcnow()) - timedelta(seconds=older_than)
    with plain_read(engine) as session:
        stale = dict(
            session.exec(
                select(GradingJob.id, GradingJob.job_token)
                .where(GradingJob.status == JobStatus.queued, col(GradingJob.queued_at) <= cutoff)
                .order_by(col(GradingJob.priority), col(GradingJob.id))
                .limit(REPUBLISH_BATCH)
            ).all()
        )
    if not stale:
        return 0
    republished = 0
    with Session(engine) as session, transaction(session):
        jobs = session.exec(
            select(GradingJob)
            .where(col(GradingJob.id).in_(stale), GradingJob.status == JobStatus.queued)
            .with_for_update()
        ).all()
        for job in jobs:
            # Compare-and-set on the publication we judged lost: a job another sweep (or an
            # instructor) published anew since has a message on its way; publishing it again
            # would make that one stale and send a second.
            if job.job_token != stale[job.id]:
                continue
            requeue_job(session, job, reason=job.reason)
            republished += 1
    if republished:
        logger.warning("republished %d grading job(s) the broker no longer held", republished)
    return republished
