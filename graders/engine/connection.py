"""A stream socket between the grader and the child, for apps the grader drives over HTTP or
WebSocket (issue 5's Tornado assignments)."""

from __future__ import annotations

import socket

from ..harness.wire import Fd
from .session import ProtocolViolation

MAX_RECEIVED = 16 << 20


class Connection:
    """A stream socket between the grader and the child; the grader is the client.

    Pass `connection.fd` to a call (e.g. `Helper("tornado.serve")`): the child receives its end.
    Bytes the child writes are collected after every settled step, with the virtual time.
    """

    def __init__(self, sock: socket.socket, fd: Fd) -> None:
        self.sock = sock
        self.fd = fd
        self.received = bytearray()
        self.arrivals: list[tuple[float, bytes]] = []
        self.closed = False
        self.eof = False  # the child closed its end (or it broke): what the grader saw, not did
        self.reading = True  # False: the grader stops reading (a slow client); buffers fill

    def write(self, data: bytes) -> None:
        self.sock.setblocking(True)
        self.sock.settimeout(1.0)
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True
        finally:
            self.sock.setblocking(False)

    def drain(self, clock: float) -> bool:
        """Read everything available (unless the grader stopped reading); True if anything
        arrived, or the child closed its end."""
        got = False
        while self.reading and not self.closed:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                return got
            except OSError:
                data = b""
            if not data:
                self.closed = self.eof = True
                return True
            got = True
            self.received += data
            self.arrivals.append((clock, data))
            if len(self.received) > MAX_RECEIVED:
                raise ProtocolViolation("the child wrote too much to a connection")
        return got

    def close(self) -> None:
        self.sock.close()
        self.closed = True
