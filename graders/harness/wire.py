"""The wire between the grader and the sandboxed child: messages and the values they carry.

Both sides import this module (the child as `harness.wire`, the grader as
`graders.harness.wire`), so it uses the standard library only and relative imports nowhere.

A message is one JSON object sent as one SOCK_SEQPACKET datagram; its "op" names it. Values
that cross the wire (arguments, return values, exceptions) are *packed*: JSON scalars and lists
stand for themselves, every other Python value becomes a one-key object whose key starts with
"$". The child packs whatever the student's code produced without calling any of its methods;
the grader unpacks with `unpack_untrusted`, which never executes anything, bounds sizes and
depth, and turns anything unexpected into `WireError`.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field
from typing import Any

PROTOCOL = 1
MAX_MESSAGE = 128 * 1024  # bytes in one datagram (below the socket buffer); bigger is refused
MAX_FDS = 64  # sockets the grader hands over with one message
MAX_DEPTH = 24
MAX_ITEMS = 20_000  # containers and their items, summed over one value
MAX_TEXT = 4_000  # characters kept of exception texts and tracebacks

# Ops: child -> grader
HELLO = "hello"  # first message, carries SCM_CREDENTIALS; nothing of the student's has run yet
LOADED = "loaded"  # the submission module was imported (ok) or failed to import
IDLE = "idle"  # the loop has nothing to run: ack (last seq seen), timer (next deadline), busy
REQUEST = "req"  # an async stub was called: id, stub, args, call
CANCEL = "cancel"  # the task awaiting request id was cancelled
BLOCKING = "breq"  # a blocking stub was called (its reply socket travels as SCM_RIGHTS)
SYNC = "sreq"  # an immediate stub was called: answer at once on the private socket
DONE = "done"  # a call finished: call, ok, value | exc
EXIT = "exit"  # the child is about to die: reason (SystemExit in a task, harness failure)
BATCH = "batch"  # several of the above, in order, in one datagram: messages

# Ops: grader -> child
GO = "go"  # after hello: source, filename, seed, threads
CALL = "call"  # start a call: call, fn, args, keep
TICK = "tick"  # seq, t (new virtual time), events: completions, callbacks, releases


class WireError(ValueError):
    """A message or value that does not follow the protocol."""


def encode(message: dict[str, Any]) -> bytes:
    data = json.dumps(message, separators=(",", ":"), allow_nan=False).encode()
    if len(data) > MAX_MESSAGE:
        raise WireError(f"message of {len(data)} bytes exceeds {MAX_MESSAGE}")
    return data


def decode(data: bytes) -> dict[str, Any]:
    """Parse one datagram into a message; never raises anything but WireError."""
    if len(data) > MAX_MESSAGE:
        raise WireError("message too large")
    try:
        message = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise WireError(f"not JSON: {exc}") from None
    if not isinstance(message, dict) or not isinstance(message.get("op"), str):
        raise WireError("a message is a JSON object with a string 'op'")
    return message


# -- Values the grader reads back -------------------------------------------------------------


@dataclass(frozen=True)
class Opaque:
    """A value the child could not put on the wire as data: only its type is known."""

    type: str
    module: str = ""
    note: str = ""  # why it is opaque when it is not an object's nature (e.g. "too large")

    def __str__(self) -> str:
        return f"<{self.type} object>"


@dataclass(frozen=True)
class ExcInfo:
    """An exception raised in the child, as data."""

    type: str
    module: str = "builtins"
    args: tuple[Any, ...] = ()
    text: str = ""
    traceback: str = ""

    @property
    def builtin(self) -> bool:
        return self.module == "builtins"

    def describe(self) -> str:
        return f"{self.type}: {self.text}" if self.text else self.type


@dataclass(frozen=True)
class Callback:
    """A callable the student's code passed to a stub; the grader can invoke it later."""

    handle: int


@dataclass(frozen=True)
class Stub:
    """Grader side: marks an argument the child turns into a stub object."""

    name: str
    kind: str  # "async" | "blocking" | "sync" | "aiter" | "object"
    methods: dict[str, str] = field(default_factory=dict)
    graceful: bool = False  # a cancelled request finishes cancelling when the grader confirms


@dataclass(frozen=True)
class Ref:
    """Grader side: an object the child kept from an earlier call, optionally one attribute."""

    handle: str
    attr: str = ""


@dataclass(frozen=True)
class Helper:
    """Grader side: a call target provided by the harness (e.g. "tornado.serve")."""

    name: str


@dataclass(frozen=True)
class Fd:
    """Grader side: the child's end of a socket the grader created (see Scenario.connect)."""

    index: int


def _str_field(obj: dict[str, Any], key: str, limit: int = MAX_TEXT) -> str:
    value = obj.get(key, "")
    if not isinstance(value, str):
        raise WireError(f"{key} must be a string")
    return value[:limit]


class _Budget:
    def __init__(self) -> None:
        self.items = 0

    def take(self, n: int = 1) -> None:
        self.items += n
        if self.items > MAX_ITEMS:
            raise WireError("value has too many items")


def unpack_untrusted(packed: Any) -> Any:
    """Turn a packed value from the child into plain data (bytes, tuples, Opaque, ExcInfo...).

    Usage: `value = unpack_untrusted(message["value"])`
    """
    return _unpack(packed, 0, _Budget())


def _unpack(packed: Any, depth: int, budget: _Budget) -> Any:
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if packed is None or isinstance(packed, bool | int | str):
        return packed
    if isinstance(packed, float):
        return packed
    if isinstance(packed, list):
        budget.take(len(packed) + 1)
        return [_unpack(item, depth + 1, budget) for item in packed]
    if not isinstance(packed, dict) or len(packed) != 1:
        raise WireError("a tagged value is an object with exactly one key")
    ((tag, body),) = packed.items()
    budget.take()
    if tag == "$b":
        if not isinstance(body, str):
            raise WireError("$b holds base64 text")
        try:
            return base64.b64decode(body, validate=True)
        except ValueError:
            raise WireError("$b is not base64") from None
    if tag == "$t":
        if not isinstance(body, list):
            raise WireError("$t holds a list")
        budget.take(len(body))
        return tuple(_unpack(item, depth + 1, budget) for item in body)
    if tag == "$d":
        if not isinstance(body, list):
            raise WireError("$d holds a list of pairs")
        budget.take(len(body))
        out: dict[Any, Any] = {}
        for pair in body:
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("$d holds [key, value] pairs")
            key = _unpack(pair[0], depth + 1, budget)
            try:
                out[key] = _unpack(pair[1], depth + 1, budget)
            except TypeError:
                raise WireError("unhashable dict key") from None
        return out
    if tag == "$f":
        if body not in ("nan", "inf", "-inf"):
            raise WireError("$f is nan, inf or -inf")
        return float(body)
    if tag == "$x":
        if not isinstance(body, dict):
            raise WireError("$x holds an object")
        args = body.get("args", [])
        if not isinstance(args, list):
            raise WireError("exception args must be a list")
        budget.take(len(args))
        return ExcInfo(
            type=_str_field(body, "type", 200) or "?",
            module=_str_field(body, "module", 200),
            args=tuple(_unpack(item, depth + 1, budget) for item in args),
            text=_str_field(body, "text"),
            traceback=_str_field(body, "tb"),
        )
    if tag == "$o":
        if not isinstance(body, dict):
            raise WireError("$o holds an object")
        return Opaque(
            type=_str_field(body, "type", 200) or "?",
            module=_str_field(body, "module", 200),
            note=_str_field(body, "note", 200),
        )
    if tag == "$c":
        if not isinstance(body, int) or isinstance(body, bool) or body < 0:
            raise WireError("$c holds a callback handle")
        return Callback(body)
    raise WireError(f"unknown tag {tag!r}")


def pack_trusted(value: Any) -> Any:
    """Grader side: pack a value the grader chose (bodies, exceptions, stubs, refs)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$f": repr(value)}
    if isinstance(value, bytes | bytearray):
        return {"$b": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, list):
        return [pack_trusted(item) for item in value]
    if isinstance(value, tuple):
        return {"$t": [pack_trusted(item) for item in value]}
    if isinstance(value, dict):
        return {"$d": [[pack_trusted(k), pack_trusted(v)] for k, v in value.items()]}
    if isinstance(value, ExcInfo):
        return {"$x": {"type": value.type, "args": [pack_trusted(a) for a in value.args]}}
    if isinstance(value, Stub):
        body: dict[str, Any] = {"name": value.name, "kind": value.kind, "methods": value.methods}
        if value.graceful:
            body["graceful"] = True
        return {"$s": body}
    if isinstance(value, Ref):
        return {"$r": [value.handle, value.attr]}
    if isinstance(value, Callback):
        return {"$c": value.handle}
    if isinstance(value, Helper):
        return {"$h": value.name}
    if isinstance(value, Fd):
        return {"$fd": value.index}
    raise TypeError(f"cannot pack {type(value).__name__}")
