"""The celery backend: the Celery app, its one task, and what each worker process keeps warm.

Workers on any number of machines consume `quizloop.grade(job_id, job_token)` messages from
Redis (or RabbitMQ) at QUIZLOOP_BROKER_URL and write results to the service's database. The
message carries ids only; the database row decides (api/grading/queue.py):

- `task_acks_late` + `task_reject_on_worker_lost`: a message is acknowledged after its job is
  recorded; a worker process killed mid-job gives its message back, and the redelivered
  message takes the job over (its run token changes, so the dead run could never write).
- `worker_prefetch_multiplier = 1`: a worker process holds one message at a time, so a long
  job never holds others back.
- The broker's visibility timeout (Redis) is the grading deadline plus the lease and a margin:
  a message is never handed to a second worker while a live one may still be grading it.
- A hard time limit a little above the deadline replaces a worker process that hangs; the
  sweep has then made the job not gradable.

Each worker process keeps one warm `graders.Grader` and one database engine, made after the
fork. While a job runs, a heartbeat thread renews its lease.

Usage:
    celery = make_celery(settings)
    CeleryPublisher(celery).publish([JobMessage(1, "...")])   # the service side
    quizloop worker --concurrency 2                          # the worker side (api/cli.py)
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from celery import Celery, Task
from celery.signals import worker_process_init
from sqlalchemy import Engine

import api.models  # noqa: F401  (every table: a worker process imports no routes)
from api.core.config import Settings, get_settings
from api.core.db import create_db_engine
from api.grading import queue
from api.grading.changes import RedisChanges
from api.grading.publish import FEED, JobMessage, add_publisher
from api.grading.queue import Timing
from graders import Grader, SandboxUnavailable, UnknownAssignment

__all__ = ["QUEUE", "TASK", "CeleryPublisher", "make_celery"]

QUEUE = "quizloop.grading"
TASK = "quizloop.grade"
VISIBILITY_MARGIN_SECONDS = 60
TIME_LIMIT_MARGIN_SECONDS = 30
logger = logging.getLogger("quizloop.grading")


def make_celery(settings: Settings) -> Celery:
    """The Celery app for `settings`' broker, with the task registered."""
    app = Celery("quizloop", broker=settings.broker_url, set_as_current=False)
    visibility = (
        settings.grading_deadline_seconds
        + settings.grading_lease_seconds
        + VISIBILITY_MARGIN_SECONDS
    )
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=QUEUE,
        broker_transport_options={"visibility_timeout": visibility},
        broker_connection_retry_on_startup=True,
        task_time_limit=settings.grading_deadline_seconds + TIME_LIMIT_MARGIN_SECONDS,
        worker_send_task_events=False,
    )
    app.task(name=TASK, bind=True)(_grade)
    return app


class CeleryPublisher:
    """Publishes committed jobs to the broker (the service side of the celery backend)."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def publish(self, jobs: Sequence[JobMessage]) -> None:
        with self.app.producer_or_acquire() as producer:
            for job in jobs:
                self.app.send_task(
                    TASK, args=(job.job_id, job.job_token), queue=QUEUE, producer=producer
                )

    def waiting(self) -> int:
        """Messages waiting in the broker's queue (not yet handed to a worker). Raises the
        broker's connection errors when it cannot be reached."""
        with self.app.connection_for_write() as connection:
            channel: Any = connection.default_channel
            try:
                declared = channel.queue_declare(queue=QUEUE, passive=True)
            except connection.channel_errors:  # no such queue: Redis drops an empty list
                return 0
            return int(declared.message_count)


# -- the worker side ----------------------------------------------------------------------------


@dataclass
class _Process:
    pid: int
    engine: Engine
    grader: Grader
    timing: Timing
    identity: str
    publishing: bool = False


_state: _Process | None = None
_state_lock = threading.Lock()


def _process(settings: Settings | None = None) -> _Process:
    """This worker process's engine and warm Grader (made once per process, after a fork)."""
    global _state
    with _state_lock:
        if _state is None or _state.pid != os.getpid():
            settings = settings or get_settings()
            grader = Grader(unsafe_no_sandbox=settings.grading_unsafe_no_sandbox)
            _state = _Process(
                pid=os.getpid(),
                engine=create_db_engine(settings.database_url, pool_size=1),
                grader=grader,
                timing=Timing.from_settings(settings),
                identity=f"{socket.gethostname()}:{os.getpid()}:celery",
            )
            if settings.broker_url.startswith(("redis://", "rediss://")):
                FEED.bridge = RedisChanges(settings.broker_url)
        return _state


@worker_process_init.connect
def _warm(**_: Any) -> None:
    try:
        _process().grader.start()
    except SandboxUnavailable as exc:  # reported by each job, which then waits for another
        logger.error("this worker cannot grade: %s", exc)


class _Heartbeat:
    """Renews a running job's lease until the block ends."""

    def __init__(self, state: _Process, run_token: str) -> None:
        self.state = state
        self.run_token = run_token
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        while not self._done.wait(self.state.timing.lease / 3):
            try:
                queue.renew(self.state.engine, [self.run_token], self.state.timing)
            except Exception as exc:  # the database is down: the lease may lapse, then rerun
                logger.warning("could not renew a lease: %s", exc.__class__.__name__)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._done.set()
        self._thread.join()


def _grade(task: Task[Any, Any], job_id: int, job_token: str) -> str:
    """Grade one job: claim it, run the grader, record the result (see the module doc)."""
    state = _process()
    if not state.publishing:  # a job that failed is published again through this app
        add_publisher(CeleryPublisher(task.app))
        state.publishing = True
    delivery: Any = task.request.delivery_info or {}
    claimed = queue.claim_job(
        state.engine,
        JobMessage(job_id, job_token),
        redelivered=bool(delivery.get("redelivered")),
        worker=state.identity,
        timing=state.timing,
    )
    if claimed is None:
        return "stale"  # re-queued since, finished, or held by a live run
    with _Heartbeat(state, claimed.run_token):
        try:
            result = state.grader.grade(claimed.assignment_id, claimed.source, seed=claimed.seed)
        except UnknownAssignment as exc:
            logger.error("%s", exc)
            queue.abandon(state.engine, claimed, "unknown-assignment")
            return "unknown-assignment"
        except SandboxUnavailable as exc:
            logger.error("cannot grade job %d: %s", job_id, exc)
            queue.fail(state.engine, claimed, "sandbox")
            return "sandbox"
        except Exception:
            logger.exception("grading job %d failed", job_id)
            queue.fail(state.engine, claimed, "infrastructure")
            return "failed"
    recorded = queue.finish(state.engine, claimed, result)
    return "done" if recorded else "superseded"
