"""What a service process runs for grading, chosen by QUIZLOOP_GRADING_BACKEND.

- `local` (the default): a `LocalPool` of QUIZLOOP_GRADING_WORKERS sandboxed processes (one
  per core when unset; 0: this process only queues, another grades). Its dispatcher also
  sweeps lapsed and overdue jobs.
- `celery`: jobs are published to the broker for `quizloop worker` processes; this process
  sweeps lapsed and overdue jobs, republishes jobs the broker lost (it had none waiting while
  they stayed queued), and hears workers' change notices over Redis.

Usage:
    async with grading_runtime(settings, engine) as backend:   # in the app's lifespan
        app.state.grading = backend
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from api.core.config import Settings
from api.grading.changes import RedisChanges
from api.grading.local import LocalPool
from api.grading.publish import FEED, add_publisher, remove_publisher
from api.grading.queue import Timing
from api.grading.sweep import republish_stale, sweep

if TYPE_CHECKING:
    from api.grading.tasks import CeleryPublisher

__all__ = ["CELERY_SWEEP_SECONDS", "REPUBLISH_AFTER_SECONDS", "grading_runtime"]

CELERY_SWEEP_SECONDS = 5.0
REPUBLISH_AFTER_SECONDS = 60.0
logger = logging.getLogger("quizloop.grading")


def pool_size(settings: Settings) -> int:
    if settings.grading_workers is not None:
        return settings.grading_workers
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@asynccontextmanager
async def grading_runtime(
    settings: Settings, engine: Engine
) -> AsyncIterator[LocalPool | CeleryPublisher | None]:
    """Run the grading backend `settings` choose while the block runs."""
    if settings.grading_backend == "celery":
        async with _celery(settings, engine) as publisher:
            yield publisher
        return
    workers = pool_size(settings)
    if workers == 0:
        yield None
        return
    pool = LocalPool(
        engine,
        workers=workers,
        timing=Timing.from_settings(settings),
        unsafe_no_sandbox=settings.grading_unsafe_no_sandbox,
    )
    pool.start()
    add_publisher(pool)
    try:
        yield pool
    finally:
        remove_publisher(pool)
        await asyncio.to_thread(pool.stop)


def _celery_sweep(engine: Engine, publisher: CeleryPublisher) -> None:
    sweep(engine)
    try:
        waiting = publisher.waiting()
    except Exception as exc:  # the broker is down: nothing to republish to yet
        logger.warning("grading broker unreachable: %s", exc.__class__.__name__)
        return
    if waiting == 0:
        republish_stale(engine, older_than=REPUBLISH_AFTER_SECONDS)


async def _sweep_forever(engine: Engine, publisher: CeleryPublisher) -> None:
    while True:
        await asyncio.sleep(CELERY_SWEEP_SECONDS)
        try:
            await asyncio.to_thread(_celery_sweep, engine, publisher)
        except SQLAlchemyError as exc:
            logger.warning("grading sweep failed: %s", exc.__class__.__name__)


@asynccontextmanager
async def _celery(settings: Settings, engine: Engine) -> AsyncIterator[CeleryPublisher]:
    from api.grading.tasks import CeleryPublisher, make_celery  # celery loads only when used

    publisher = CeleryPublisher(make_celery(settings))
    add_publisher(publisher)
    listener: RedisChanges | None = None
    if settings.broker_url.startswith(("redis://", "rediss://")):
        listener = RedisChanges(settings.broker_url).listen(FEED.wake)
    task = asyncio.create_task(_sweep_forever(engine, publisher), name="quizloop-grading-sweep")
    try:
        yield publisher
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        remove_publisher(publisher)
        if listener is not None:
            await asyncio.to_thread(listener.stop)
