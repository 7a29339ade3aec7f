"""The grader's WebSocket client (RFC 6455): the opening handshake, masked frames from the client,
and the server's frames parsed from what the child wrote back, each with the virtual time its
last byte arrived.

The server is untrusted: parsing never raises on garbage (a client is then `broken`), frames are
size-capped, and only what the RFC allows a server to send is accepted (no masking).

Usage:
    client = WsClient(serve(scenario), "A")           # tornado_site.serve
    scenario.at(0.0, client.open)                      # GET /chat with Upgrade: websocket
    scenario.at(0.5, lambda: client.send("hello"))
    ...run...
    client.read()                                      # parses the server's bytes
    client.accepted, client.messages, client.closed_by_server
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import struct
from dataclasses import dataclass, field

from ..engine.connection import Connection
from .http_client import HOST, Malformed, arrival_of, parse_response

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_FRAME = 1 << 20
TEXT, BINARY, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0


def accept_for(key: str) -> str:
    """The Sec-WebSocket-Accept a server must answer for `key`."""
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()  # noqa: S324 - the RFC's hash


def frame(opcode: int, payload: bytes, mask: bytes) -> bytes:
    """One final client frame, masked as the RFC requires of clients."""
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    key = (mask * (length // 4 + 1))[:length]
    masked = int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")
    return head + mask + masked.to_bytes(length, "big")


@dataclass(frozen=True)
class Message:
    text: str  # text frames; binary frames decoded as UTF-8 when they can be, else ""
    at: float  # virtual arrival time of its last byte (absolute)


@dataclass
class WsClient:
    connection: Connection
    name: str
    path: str = "/chat"
    key: str = field(default_factory=lambda: base64.b64encode(secrets.token_bytes(16)).decode())
    status: int | None = None  # the handshake's HTTP status, once answered
    accepted: bool = False
    messages: list[Message] = field(default_factory=list)
    closed_by_server: bool = False  # a close frame came, or the server closed the connection
    closed_by_us: bool = False
    broken: str = ""  # why the server's bytes could not be parsed

    # -- writing ---------------------------------------------------------------------------------
    def open(self) -> None:
        request = (
            f"GET {self.path} HTTP/1.1\r\nHost: {HOST}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {self.key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        )
        self.connection.write(request.encode("ascii"))

    def send(self, text: str) -> None:
        self.connection.write(frame(TEXT, text.encode(), secrets.token_bytes(4)))

    def close(self) -> None:
        """A clean close: a close frame (1000), the connection kept open for the reply."""
        self.closed_by_us = True
        self.connection.write(frame(CLOSE, struct.pack("!H", 1000), secrets.token_bytes(4)))

    def drop(self) -> None:
        """An abrupt close: the connection goes away without a close frame."""
        self.closed_by_us = True
        self.connection.close()

    def stop_reading(self) -> None:
        self.connection.reading = False

    def resume_reading(self) -> None:
        self.connection.reading = True

    # -- reading ---------------------------------------------------------------------------------
    def read(self) -> None:
        """Parse everything the server wrote (call once, after the scenario ran)."""
        data = bytes(self.connection.received)
        try:
            response = parse_response(data)
        except Malformed as exc:
            self.broken = str(exc)
            return
        if response is None:
            self.closed_by_server = self.connection.eof and not self.closed_by_us
            return
        self.status = response.status
        self.accepted = (
            response.status == 101
            and response.headers.get("upgrade", "").lower() == "websocket"
            and response.headers.get("sec-websocket-accept") == accept_for(self.key)
        )
        if self.accepted:
            self._frames(data, response.end)
        if self.connection.eof and not self.closed_by_us:
            self.closed_by_server = True

    def _frames(self, data: bytes, at: int) -> None:
        pending = bytearray()
        pending_opcode = TEXT
        while at + 2 <= len(data):
            first, second = data[at], data[at + 1]
            fin, opcode, masked, length = first & 0x80, first & 0x0F, second & 0x80, second & 0x7F
            at += 2
            if length == 126:
                if at + 2 > len(data):
                    return
                (length,) = struct.unpack("!H", data[at : at + 2])
                at += 2
            elif length == 127:
                if at + 8 > len(data):
                    return
                (length,) = struct.unpack("!Q", data[at : at + 8])
                at += 8
            if masked or length > MAX_FRAME or first & 0x70:
                self.broken = "a frame a server may not send"
                return
            if at + length > len(data):
                return
            payload, at = data[at : at + length], at + length
            if opcode == CLOSE:
                self.closed_by_server = not self.closed_by_us
                return
            if opcode in (PING, PONG):
                continue
            if opcode in (TEXT, BINARY):
                pending, pending_opcode = bytearray(payload), opcode
            elif opcode == CONTINUATION:
                pending += payload
            else:
                self.broken = f"unknown opcode {opcode}"
                return
            if fin:
                when = arrival_of(self.connection, at)
                text = bytes(pending).decode("utf-8", errors="replace")
                if pending_opcode == BINARY and "\ufffd" in text:
                    text = ""
                self.messages.append(Message(text, when if when is not None else 0.0))
                pending = bytearray()

    def texts(self) -> list[str]:
        return [m.text for m in self.messages]
