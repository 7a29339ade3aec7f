"""A gate on how many requests are inside the app at once.

A request's database session spans several thread-pool calls (its dependencies, the route,
the commit), holding what it took between them: a pooled connection, and on SQLite the write
lock (every transaction begins `IMMEDIATE`, api/core/db.py). With more requests in flight
than there are connections (PostgreSQL: the pool holds 15) or than the thread pool has
threads (40), every thread can end up blocked waiting for a connection or for the lock,
while the requests holding them need a thread to finish: nothing moves until the timeouts
fail them all (measured: 64 concurrent first requests answered 500 after 5 s on SQLite, and
stuck for the 30 s pool timeout on PostgreSQL). Letting at most `limit` requests in at a
time, under both numbers, means a holder always finds a thread and a waiter always finds a
connection; the others wait here, on the event loop, at no cost.

Usage:
    app.add_middleware(RequestGate, limit=12)
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["DEFAULT_LIMIT", "RequestGate"]

DEFAULT_LIMIT = 12  # the pool holds 5 + 10 overflow connections, the thread pool 40 threads


class RequestGate:
    def __init__(self, app: ASGIApp, *, limit: int = DEFAULT_LIMIT) -> None:
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None  # made on the server's event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Event streams (api/grading/events.py) stay open for minutes but hold a connection
        # only for each short read: they would fill the gate, and need none of its protection.
        if scope["type"] != "http" or scope.get("path", "").endswith("/events"):
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        async with self._slots:
            await self.app(scope, receive, send)
