"""A gate on how many requests are inside the app at once, for SQLite.

On SQLite every transaction takes the write lock up front (`BEGIN IMMEDIATE`, api/core/db.py)
and a request's transaction spans several thread-pool calls (its dependencies, the route,
the commit). With more requests in flight than the pool has threads, every thread can end up
asleep in SQLite's busy handler, waiting for a lock whose holder needs a thread to commit:
nothing moves until the busy timeout fails them all (measured: 64 concurrent first requests,
all answered 500 after 5 s). Letting at most `limit` requests in at a time, well under the
pool's size, means the lock holder always finds a thread; the others wait here, on the event
loop, at no cost. PostgreSQL has no such lock and needs no gate.

Usage:
    if engine.dialect.name == "sqlite":
        app.add_middleware(SQLiteRequestGate, limit=16)
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["DEFAULT_LIMIT", "SQLiteRequestGate"]

DEFAULT_LIMIT = 16  # anyio's thread pool has 40 threads


class SQLiteRequestGate:
    def __init__(self, app: ASGIApp, *, limit: int = DEFAULT_LIMIT) -> None:
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None  # made on the server's event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        async with self._slots:
            await self.app(scope, receive, send)
