"""After the commit: publishing grading jobs and notices of change.

Jobs are published only after the commit that created their rows (a worker must find the row
it is told about), and carry ids, never objects. Services say what to publish with
`publish_after_commit(session, ...)` and `notify_after_commit(session, ...)`; a listener on
every Session does it once the transaction commits, and forgets it on rollback. If the process
dies between the commit and the publication, nothing is lost: the rows are queued in the
database, where the local pool looks for work and the celery sweep republishes (api/grading/
sweep.py).

Change notices wake the event streams of api/submissions and api/regrades: `FEED` wakes
waiters in this process, and a `RedisChanges` bridge (celery backend) carries notices between
processes. Streams read the database on every wake-up and at least once a second, so a lost
notice delays an event, never loses it.

Usage:
    publish_after_commit(session, [JobMessage(job.id, job.job_token)])
    notify_after_commit(session, submissions=[submission.id])
    add_publisher(pool)                         # a process's backend, at start-up
    await FEED.wait("submission:12", timeout=1) # in a stream
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

__all__ = [
    "FEED",
    "ChangeFeed",
    "JobMessage",
    "Publisher",
    "add_publisher",
    "notify_after_commit",
    "publish_after_commit",
    "regrade_key",
    "remove_publisher",
    "submission_key",
]

logger = logging.getLogger("quizloop.grading")
_JOBS = "quizloop.jobs"
_CHANGES = "quizloop.changes"


class JobMessage(NamedTuple):
    """What a worker is told: the job's id and the token of this publication."""

    job_id: int
    job_token: str


class Publisher(Protocol):
    def publish(self, jobs: Sequence[JobMessage]) -> None:
        """Hand committed jobs to the workers (never raises: the database keeps them)."""


_publishers: list[Publisher] = []


def add_publisher(publisher: Publisher) -> None:
    """A backend of this process that committed jobs are published to (none: they wait in
    the database, where a pool's poll or the celery sweep finds them)."""
    _publishers.append(publisher)


def remove_publisher(publisher: Publisher) -> None:
    if publisher in _publishers:
        _publishers.remove(publisher)


def submission_key(submission_id: int) -> str:
    return f"submission:{submission_id}"


def regrade_key(regrade_id: int) -> str:
    return f"regrade:{regrade_id}"


def publish_after_commit(session: Session, jobs: Iterable[JobMessage]) -> None:
    """Publish `jobs` once `session`'s transaction commits."""
    session.info.setdefault(_JOBS, []).extend(jobs)


def notify_after_commit(
    session: Session, *, submissions: Iterable[int] = (), regrades: Iterable[int] = ()
) -> None:
    """Tell watchers of these submissions and regrades once `session` commits."""
    keys: set[str] = session.info.setdefault(_CHANGES, set())
    keys.update(submission_key(s) for s in submissions)
    keys.update(regrade_key(r) for r in regrades)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    jobs: list[JobMessage] = session.info.pop(_JOBS, [])
    changes: set[str] | None = session.info.pop(_CHANGES, None)
    for publisher in list(_publishers) if jobs else ():
        try:
            publisher.publish(jobs)
        except Exception:  # the rows are queued: the sweep or the pool finds them
            logger.exception("could not publish %d grading job(s)", len(jobs))
    if changes:
        FEED.publish(changes)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_JOBS, None)
    session.info.pop(_CHANGES, None)


class Bridge(Protocol):
    def send(self, keys: Sequence[str]) -> None: ...


class ChangeFeed:
    """Wake-ups for the streams of this process, from any thread; forwarded to other
    processes through a bridge when one is set."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self.bridge: Bridge | None = None

    def publish(self, keys: Iterable[str], *, forward: bool = True) -> None:
        keys = list(keys)
        self.wake(keys)
        if forward and self.bridge is not None:
            try:
                self.bridge.send(keys)
            except Exception as exc:  # streams still poll the database
                logger.warning("could not forward change notices: %s", exc.__class__.__name__)

    def wake(self, keys: Iterable[str]) -> None:
        with self._lock:
            waiting = [w for key in keys for w in self._waiters.get(key, ())]
        for loop, flag in waiting:
            with contextlib.suppress(RuntimeError):  # that loop has closed
                loop.call_soon_threadsafe(flag.set)

    async def wait(self, key: str, seconds: float) -> bool:
        """Wait for a notice about `key`, at most `seconds`; whether one came."""
        waiter = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.setdefault(key, set()).add(waiter)
        try:
            await asyncio.wait_for(waiter[1].wait(), seconds)
        except TimeoutError:
            return False
        finally:
            with self._lock:
                waiters = self._waiters.get(key)
                if waiters is not None:
                    waiters.discard(waiter)
                    if not waiters:
                        del self._waiters[key]
        return True


FEED = ChangeFeed()
