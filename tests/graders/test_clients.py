"""The grader's HTTP and WebSocket clients read bytes written by untrusted code: they parse what
a real server sends, report garbage instead of raising, and time every message by the virtual
instant its last byte arrived. No sandbox needed: a Connection over a local socket pair."""

from __future__ import annotations

import contextlib
import socket
import struct
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tornado.websocket import _websocket_mask

from graders.engine.connection import Connection
from graders.harness.wire import Fd
from graders.scenarios.http_client import Exchange, Malformed, Response, get, parse_response
from graders.scenarios.ws_client import CLOSE, PING, TEXT, WsClient, accept_for, frame


@pytest.fixture
def pair() -> Iterator[tuple[Connection, socket.socket]]:
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    connection = Connection(ours, Fd(0))
    yield connection, theirs
    connection.close()
    theirs.close()


def arrive(connection: Connection, server: socket.socket, data: bytes, at: float) -> None:
    server.sendall(data)
    connection.drain(at)


def test_a_request_is_plain_http_1_1() -> None:
    assert get("/slow/3") == b"GET /slow/3 HTTP/1.1\r\nHost: quizloop.test\r\n\r\n"


def test_responses_with_a_length_chunks_or_a_close(pair: tuple[Connection, socket.socket]) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
    assert parse_response(head + b"hel") is None
    assert parse_response(head + b"hello") == Response(200, {"content-length": "5"}, b"hello", 43)
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )
    response = parse_response(chunked)
    assert isinstance(response, Response)
    assert response.body == b"abcde"
    assert response.end == len(chunked)
    assert parse_response(chunked[:-3]) is None
    until_close = b"HTTP/1.0 200 OK\r\n\r\nall of it"
    assert parse_response(until_close) is None
    closed = parse_response(until_close, closed=True)
    assert closed is not None
    assert closed.body == b"all of it"


@pytest.mark.parametrize(
    "garbage",
    [
        b"SSH-2.0-OpenSSH\r\n\r\n",
        b"HTTP/1.1 abc OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"X" * (70 * 1024),
    ],
)
def test_garbage_is_reported_as_malformed(garbage: bytes) -> None:
    with pytest.raises(Malformed):
        parse_response(garbage)


@given(st.binary(max_size=300))
def test_the_http_parser_never_fails_otherwise(data: bytes) -> None:
    with contextlib.suppress(Malformed):
        parse_response(data, closed=True)


def test_an_exchange_is_timed_by_the_arrival_of_its_last_byte(
    pair: tuple[Connection, socket.socket],
) -> None:
    connection, server = pair
    exchange = Exchange(connection, "/fast", sent_at=0.5)
    exchange.send()
    assert server.recv(100).startswith(b"GET /fast HTTP/1.1\r\n")
    arrive(connection, server, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", 0.5)
    assert exchange.response() is None
    arrive(connection, server, b"ok", 0.75)
    response = exchange.response()
    assert isinstance(response, Response)
    assert response.body == b"ok"
    assert exchange.answered_at(start=0.25) == pytest.approx(0.5)


def server_frame(opcode: int, payload: bytes, *, fin: bool = True) -> bytes:
    first = (0x80 if fin else 0) | opcode
    if len(payload) < 126:
        return struct.pack("!BB", first, len(payload)) + payload
    if len(payload) < 1 << 16:
        return struct.pack("!BBH", first, 126, len(payload)) + payload
    return struct.pack("!BBQ", first, 127, len(payload)) + payload


def switching(key: str) -> bytes:
    return (
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Accept: {accept_for(key)}\r\n\r\n"
    ).encode()


def test_the_accept_key_is_the_rfcs_example() -> None:
    assert accept_for("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


@pytest.mark.parametrize("size", [0, 5, 125, 126, 70_000])
def test_client_frames_are_masked_as_tornado_expects(size: int) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    data = frame(TEXT, payload, b"\x01\x02\x03\x04")
    assert data[0] == 0x80 | TEXT
    assert data[1] & 0x80
    offset = 2 + (0 if size < 126 else 2 if size < 1 << 16 else 8)
    assert data[offset : offset + 4] == b"\x01\x02\x03\x04"
    assert _websocket_mask(b"\x01\x02\x03\x04", data[offset + 4 :]) == payload


def test_a_websocket_conversation_is_read_with_arrival_times(
    pair: tuple[Connection, socket.socket],
) -> None:
    connection, server = pair
    client = WsClient(connection, "A")
    client.open()
    assert b"Sec-WebSocket-Key: " + client.key.encode() in server.recv(1000)
    arrive(connection, server, switching(client.key), 0.0)
    arrive(connection, server, server_frame(TEXT, b"hello"), 0.5)
    arrive(connection, server, server_frame(PING, b"") + server_frame(TEXT, "界".encode()), 1.0)
    big = b"y" * 70_000
    arrive(connection, server, server_frame(TEXT, big[:40_000], fin=False), 1.5)
    arrive(connection, server, server_frame(0x0, big[40_000:]), 2.0)
    arrive(connection, server, server_frame(CLOSE, struct.pack("!H", 1000)), 2.5)
    client.read()
    assert client.accepted
    assert [(m.text[:5], m.at) for m in client.messages] == [
        ("hello", 0.5),
        ("界", 1.0),
        ("yyyyy", 2.0),
    ]
    assert client.closed_by_server
    assert not client.broken


@pytest.mark.parametrize(
    ("reply", "accepted", "broken"),
    [
        pytest.param(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", False, "", id="404"),
        pytest.param(
            b"HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\n\r\n", False, "", id="no-key"
        ),
        pytest.param(b"\x00\x01garbage\r\n\r\n", False, "bad status line", id="garbage"),
    ],
)
def test_a_refused_or_broken_handshake_is_reported(
    pair: tuple[Connection, socket.socket], reply: bytes, accepted: bool, broken: str
) -> None:
    connection, server = pair
    client = WsClient(connection, "B")
    arrive(connection, server, reply, 0.0)
    client.read()
    assert client.accepted is accepted
    assert client.broken == broken
    assert client.messages == []


def test_a_masked_server_frame_breaks_the_client(pair: tuple[Connection, socket.socket]) -> None:
    connection, server = pair
    client = WsClient(connection, "C")
    arrive(connection, server, switching(client.key) + frame(TEXT, b"hi", b"abcd"), 0.0)
    client.read()
    assert client.accepted
    assert client.broken
    assert client.messages == []


@given(st.binary(max_size=400))
def test_the_frame_parser_never_raises_on_garbage(data: bytes) -> None:
    ours, theirs = socket.socketpair()
    try:
        ours.setblocking(False)
        connection = Connection(ours, Fd(0))
        client = WsClient(connection, "D", key="x")
        connection.received += switching("x") + data
        connection.arrivals.append((0.0, bytes(connection.received)))
        client.read()
        assert client.accepted
        assert all(m.at == 0.0 for m in client.messages)
    finally:
        ours.close()
        theirs.close()


def test_the_grader_closing_a_connection_is_not_the_server_closing_it(
    pair: tuple[Connection, socket.socket],
) -> None:
    connection, server = pair
    client = WsClient(connection, "E")
    arrive(connection, server, switching(client.key), 0.0)
    connection.close()  # the end of a scenario
    client.read()
    assert not client.closed_by_server
    server.close()
    other, theirs = socket.socketpair()
    other.setblocking(False)
    dropped = Connection(other, Fd(1))
    theirs.sendall(switching("k"))
    theirs.close()
    dropped.drain(1.0)
    client = WsClient(dropped, "F", key="k")
    client.read()
    assert client.accepted
    assert client.closed_by_server
    dropped.close()
