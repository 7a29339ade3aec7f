"""Server-sent event streams of a submission's or a regrade's changes.

A stream reads the database (so it sees changes made by any process: a local pool in another
service process, celery workers on other machines), when a change notice wakes it
(api/grading/publish.py) and at least every `POLL_SECONDS`. It sends `event: status` with the
resource's JSON whenever that changes, a comment line every `KEEPALIVE_SECONDS` so proxies
keep the connection, and ends after a terminal state. Each read is a short autocommit session
in the thread pool: an open stream holds no connection, lock or request slot between reads.

Usage:
    return event_response(read, key=submission_key(id))
    # read() -> Snapshot | None (None: gone, the stream ends)
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from api.grading.publish import FEED

__all__ = ["KEEPALIVE_SECONDS", "POLL_SECONDS", "Snapshot", "event_response", "events"]

POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class Snapshot:
    version: int
    body: str
    """The resource's JSON."""
    terminal: bool


async def events(
    read: Callable[[], Snapshot | None], *, key: str, poll: float = POLL_SECONDS
) -> AsyncIterator[bytes]:
    """The stream's bytes: an event per change, until a terminal snapshot."""
    last: str | None = None
    quiet_since = time.monotonic()
    while True:
        snapshot = await run_in_threadpool(read)
        if snapshot is None:
            return
        if snapshot.body != last:
            last = snapshot.body
            quiet_since = time.monotonic()
            yield f"id: {snapshot.version}\nevent: status\ndata: {snapshot.body}\n\n".encode()
        if snapshot.terminal:
            return
        if time.monotonic() - quiet_since >= KEEPALIVE_SECONDS:
            quiet_since = time.monotonic()
            yield b": keep-alive\n\n"
        await FEED.wait(key, poll)


def event_response(read: Callable[[], Snapshot | None], *, key: str) -> StreamingResponse:
    return StreamingResponse(
        events(read, key=key),
        media_type="text/event-stream",
        # No caching, and no buffering by nginx-style proxies: events must arrive as sent.
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
