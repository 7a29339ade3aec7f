"""Grading jobs: the durable queue both backends work from.

A job is one run of the grader over one submission: `grade` (its first grading, or a
re-queue) or `regrade` (part of a regrade, dry or real). Its row is the truth about where the
job is; broker messages (celery) and worker pipes (local) only carry `(id, job_token)`.

- `job_token` names the current publication of the job: a message with another token is
  stale (the job was re-queued since) and is dropped.
- `run_token` names the run that holds a `running` job: only that run may write its result
  (compare-and-set), so a job delivered twice, or a run that lost its lease, never writes
  twice.
- `lease_until` is renewed while a worker is alive; a running job whose lease lapsed lost its
  worker and is run again (at most `MAX_FAILURES` infrastructure failures, then not gradable).
- `deadline_at` bounds a run whatever happens: past it the job is not gradable.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from api.core.db import UTCDateTime, utcnow

__all__ = ["GradingJob", "JobKind", "JobStatus"]


class JobKind(StrEnum):
    grade = "grade"
    regrade = "regrade"


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    """A result was recorded."""
    not_gradable = "not_gradable"
    """Given up: our infrastructure failed `MAX_FAILURES` times, or the deadline passed."""


def _enum(cls: type[StrEnum], name: str) -> sa.Enum:
    return sa.Enum(cls, name=name, native_enum=False, create_constraint=True, length=16)


class GradingJob(SQLModel, table=True):
    __tablename__ = "grading_jobs"
    __table_args__ = (sa.Index("ix_grading_jobs_status_priority_id", "status", "priority", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: JobKind = Field(sa_type=_enum(JobKind, "job_kind"))
    priority: int = 0
    """Lower first: a student waiting for a first grade goes before a bulk regrade."""
    submission_id: int = Field(foreign_key="submissions.id", ondelete="CASCADE", index=True)
    regrade_id: int | None = Field(
        default=None, foreign_key="regrades.id", ondelete="CASCADE", index=True
    )
    status: JobStatus = Field(default=JobStatus.queued, sa_type=_enum(JobStatus, "job_status"))
    job_token: str = Field(max_length=32)
    run_token: str | None = Field(default=None, max_length=32)
    runs: int = 0
    failures: int = 0
    worker: str | None = Field(default=None, max_length=120)
    """Who runs (ran) it: host and process, for operators."""
    reason: str | None = Field(default=None, max_length=32)
    queued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deadline_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    old_score: float | None = None
    """regrade: the submission's score before."""
    new_score: float | None = None
    """regrade: the score this run gave (written to the submission unless a dry run)."""
