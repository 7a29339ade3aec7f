"""The periodic sweep: closes and scores attempts left open past their deadline.

Requests close such attempts lazily when they touch them; the sweep catches the ones nobody
touches (a student who closed the laptop), so results and gradebooks are complete. Each
attempt is closed in its own transaction by a conditional update, so several processes may
sweep at once.

Usage:
    async with sweeper(engine):     # in the app's lifespan
        ...
    sweep_expired(engine)           # once, e.g. from a script
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from api.attempts.models import Attempt, AttemptStatus
from api.attempts.service import close_if_expired
from api.core.db import transaction, utcnow

__all__ = ["SWEEP_INTERVAL_SECONDS", "sweep_expired", "sweeper"]

SWEEP_INTERVAL_SECONDS = 30.0
BATCH = 200
logger = logging.getLogger("quizloop.sweep")


def sweep_expired(engine: Engine, *, now: datetime | None = None) -> int:
    """Close every attempt in progress whose deadline has passed; how many were closed."""
    now = now or utcnow()
    closed = 0
    while True:
        # Looking is a plain read outside any transaction: on SQLite a transaction would take
        # the write lock (api/core/db.py) and stall every save for the length of the query.
        with Session(engine.execution_options(isolation_level="AUTOCOMMIT")) as session:
            due = session.exec(
                select(Attempt.id)
                .where(
                    Attempt.status == AttemptStatus.in_progress,
                    col(Attempt.deadline).is_not(None),
                    col(Attempt.deadline) <= now,
                )
                .order_by(col(Attempt.deadline))
                .limit(BATCH)
            ).all()
        done_here = 0
        for attempt_id in due:
            with Session(engine) as session, transaction(session):
                attempt = session.get(Attempt, attempt_id)
                if attempt is not None and close_if_expired(
                    session=session, attempt=attempt, now=now
                ):
                    done_here += 1
        closed += done_here
        if len(due) < BATCH or done_here == 0:
            return closed


async def _sweep_forever(engine: Engine, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            closed = await asyncio.to_thread(sweep_expired, engine)
        except SQLAlchemyError as exc:  # the database is down or busy: try again next time
            logger.warning("sweep failed: %s", exc.__class__.__name__)
            continue
        if closed:
            logger.info("closed %d attempt(s) past their deadline", closed)


@asynccontextmanager
async def sweeper(engine: Engine, interval: float = SWEEP_INTERVAL_SECONDS) -> AsyncIterator[None]:
    """Run the sweep every `interval` seconds while the block runs."""
    task = asyncio.create_task(_sweep_forever(engine, interval), name="quizloop-sweep")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
