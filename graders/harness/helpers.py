"""Child side: trusted helpers the grader can call by name, for what student code cannot be
asked to do itself (serving a Tornado app on a socket the grader holds the other end of).

The grader refers to a helper with `wire.Helper(name)` as a call target; the helper runs on the
event loop like any call, inside the student's process and sandbox.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from typing import Any


class _NoTiming(logging.Filter):
    """Tornado's access log ends with the request's real duration ("404 GET /x (ip) 1.25ms"):
    keep the status and the request, drop the duration, so feedback is the same on every run."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == "%d %s %.2fms" and isinstance(record.args, tuple):
            record.msg, record.args = "%d %s", record.args[:2]
        return True


def tornado_serve(app: Any, sock: socket.socket) -> None:
    """Serve a tornado.web.Application on one connected socket (the grader is the client)."""
    from tornado.httpserver import HTTPServer
    from tornado.iostream import IOStream

    access = logging.getLogger("tornado.access")
    if not any(isinstance(f, _NoTiming) for f in access.filters):
        access.addFilter(_NoTiming())
    sock.setblocking(False)
    server = HTTPServer(app)
    server.handle_stream(IOStream(sock), ("grader", 0))


HELPERS: dict[str, Callable[..., Any]] = {"tornado.serve": tornado_serve}
