"""The grader's HTTP/1.1 client: requests written on a Connection, responses parsed from what the
child wrote back, each with the virtual time its last byte arrived.

Everything here runs in the grader and reads bytes from an untrusted server: the parser never
raises on garbage (it reports a malformed response) and caps what it accepts.

Usage:
    conn = serve(scenario, Ref("app"))                    # graders/scenarios/tornado_site.py
    exchange = Exchange(conn, "/fast", sent_at=0.5)
    scenario.at(0.5, exchange.send)
    ...scenario.run(...)
    exchange.response()                                   # Response(status, headers, body, at)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.connection import Connection

MAX_HEADERS = 64 * 1024
HOST = "quizloop.test"


def get(path: str, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # names lower-cased; a repeated header keeps its last value
    body: bytes
    end: int  # offset just past the response in the connection's bytes


class Malformed(Exception):
    """The server wrote something that is not an HTTP/1.1 response."""


def parse_response(data: bytes, start: int = 0, *, closed: bool = False) -> Response | None:
    """The response beginning at `start`, or None while it is incomplete; `closed`: the server
    closed the connection (which ends a body sent without a length). Raises Malformed."""
    head_end = data.find(b"\r\n\r\n", start)
    if head_end < 0:
        if len(data) - start > MAX_HEADERS:
            raise Malformed("headers too long")
        return None
    head = data[start:head_end].decode("latin-1")
    status_line, *header_lines = head.split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise Malformed("bad status line")
    headers: dict[str, str] = {}
    for line in header_lines:
        name, colon, value = line.partition(":")
        if not colon:
            raise Malformed("bad header line")
        headers[name.strip().lower()] = value.strip()
    body_start = head_end + 4
    status = int(parts[1])
    if status in (204, 304) or 100 <= status < 200:
        return Response(status, headers, b"", body_start)
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return _chunked(data, status, headers, body_start)
    length = headers.get("content-length")
    if length is None:  # the body runs until the server closes the connection
        return Response(status, headers, bytes(data[body_start:]), len(data)) if closed else None
    if not length.isdigit():
        raise Malformed("bad Content-Length")
    end = body_start + int(length)
    if len(data) < end:
        return None
    return Response(status, headers, bytes(data[body_start:end]), end)


def _chunked(data: bytes, status: int, headers: dict[str, str], at: int) -> Response | None:
    body = bytearray()
    while True:
        line_end = data.find(b"\r\n", at)
        if line_end < 0:
            return None
        size_text = data[at:line_end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise Malformed("bad chunk size") from None
        at = line_end + 2
        if size == 0:
            trailer_end = data.find(b"\r\n", at)
            if trailer_end < 0:
                return None
            return Response(status, headers, bytes(body), trailer_end + 2)
        if len(data) < at + size + 2:
            return None
        body += data[at : at + size]
        at += size + 2


def arrival_of(connection: Connection, offset: int) -> float | None:
    """The virtual time at which byte `offset - 1` of the connection's data arrived."""
    seen = 0
    for clock, chunk in connection.arrivals:
        seen += len(chunk)
        if seen >= offset:
            return clock
    return None


@dataclass
class Exchange:
    """One GET on its own connection: sent by the grader at `sent_at`, answered by the child."""

    connection: Connection
    path: str
    sent_at: float  # virtual, relative to the scenario's start
    headers: dict[str, str] = field(default_factory=dict)

    def send(self) -> None:
        self.connection.write(get(self.path, self.headers))

    def response(self) -> Response | Malformed | None:
        """The first response, a Malformed reply, or None if none (complete) arrived."""
        try:
            return parse_response(bytes(self.connection.received), closed=self.connection.eof)
        except Malformed as exc:
            return exc

    def answered_at(self, start: float) -> float | None:
        """When the whole first response had arrived, relative to the scenario's start."""
        response = self.response()
        if not isinstance(response, Response):
            return None
        clock = arrival_of(self.connection, response.end)
        return None if clock is None else clock - start
