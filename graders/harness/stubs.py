"""Child side: the stand-ins the student's code receives for the grader's fake services.

Every stub only forwards to the grader: it holds no answer, no counter and no clock. Kinds:

- `async`    `await fetch(url)`: a request the grader completes (or fails) at a virtual time it
             chooses; cancelling the awaiting task tells the grader.
- `blocking` `read_blocking(path)`: blocks the calling thread until the grader releases it; the
             reply travels on a socket private to the call, so a call made on the loop thread
             really blocks the loop (and the grader sees the loop stop answering).
- `sync`     `kitchen.start(...)`: an immediate round trip; the grader answers at once.
- `aiter`    `async for item in source`: each step is an async request; the grader answers with
             a value or StopAsyncIteration.
- `object`   a namespace whose methods are stubs of the kinds above (`store.get`, `store.set`).

An `async` or `aiter` stub may be *graceful*: when the awaiting task is cancelled, the stub tells
the grader and then waits for the grader to confirm before the CancelledError goes on, as a real
client closes its connection before it is done. The grader confirms at the same virtual instant,
so no time passes, but code that cancels a task without awaiting it returns while the request
is still cancelling, and the grader sees that.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import socket
import threading
from collections.abc import Callable
from typing import Any, Protocol

from . import wire

current_call: contextvars.ContextVar[int] = contextvars.ContextVar("quizloop_call", default=-1)
_request_ids = itertools.count(1)


class Transport(Protocol):
    """What stubs need from the child session."""

    def send(self, message: dict[str, Any], fds: list[int] | None = None) -> None: ...
    def pack_args(self, args: tuple[Any, ...]) -> list[Any]: ...
    def expect(self, request_id: int, future: asyncio.Future[Any]) -> None: ...
    def forget(self, request_id: int) -> None: ...
    def decode_reply(self, message: dict[str, Any]) -> Any: ...
    def running_loop(self) -> Any: ...


class StubObject:
    """A fake service object; its attributes are the method stubs."""

    def __init__(self, name: str, methods: dict[str, Callable[..., Any]]) -> None:
        self._quizloop_name = name
        for method, fn in methods.items():
            object.__setattr__(self, method, fn)

    def __repr__(self) -> str:
        return f"<{self._quizloop_name}>"


def make_stub(
    transport: Transport, name: str, kind: str, methods: dict[str, str], graceful: bool = False
) -> Any:
    if kind == "object":
        return StubObject(
            name,
            {m: make_stub(transport, f"{name}.{m}", k, {}, graceful) for m, k in methods.items()},
        )
    if kind == "async":
        return _async_stub(transport, name, graceful)
    if kind == "blocking":
        return _blocking_stub(transport, name)
    if kind == "sync":
        return _sync_stub(transport, name)
    if kind == "aiter":
        return _AsyncSource(transport, name, graceful)
    raise wire.WireError(f"unknown stub kind {kind!r}")


async def _await_request(
    transport: Transport, name: str, args: tuple[Any, ...], graceful: bool = False
) -> Any:
    loop = transport.running_loop()
    if asyncio.get_running_loop() is not loop:
        raise RuntimeError(f"{name}() only works on the event loop it was given on")
    request_id = next(_request_ids)
    future: asyncio.Future[Any] = loop.create_future()
    transport.expect(request_id, future)
    transport.send(
        {
            "op": wire.REQUEST,
            "id": request_id,
            "stub": name,
            "args": transport.pack_args(args),
            "call": current_call.get(),
        }
    )
    try:
        return await future
    except asyncio.CancelledError:
        if not future.done() or future.cancelled():
            transport.send({"op": wire.CANCEL, "id": request_id})
            if graceful:
                # The grader's confirmation arrives as an ordinary reply to the same id.
                confirmed: asyncio.Future[Any] = loop.create_future()
                transport.expect(request_id, confirmed)
                await confirmed
        raise
    finally:
        transport.forget(request_id)


def _async_stub(transport: Transport, name: str, graceful: bool) -> Callable[..., Any]:
    async def stub(*args: Any) -> Any:
        return await _await_request(transport, name, args, graceful)

    stub.__name__ = stub.__qualname__ = name.rsplit(".", 1)[-1]
    return stub


class BlockingCalls:
    """Tracks blocking calls parked in the grader, so idle reports count threads correctly."""

    NEW, WAITING, RELEASED = range(3)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: dict[int, int] = {}
        self.on_park: Callable[[int], None] = lambda delta: None

    def park(self, request_id: int) -> None:
        with self._lock:
            if self._state.get(request_id, self.NEW) != self.NEW:
                return
            self._state[request_id] = self.WAITING
        self.on_park(+1)

    def release(self, request_id: int) -> None:
        """Called once by the loop (tick) and once by the thread (reply); counts only once."""
        with self._lock:
            state = self._state.get(request_id, self.NEW)
            self._state[request_id] = self.RELEASED
        if state == self.WAITING:
            self.on_park(-1)


blocking_calls = BlockingCalls()


def _private_call(transport: Transport, name: str, op: str, args: tuple[Any, ...]) -> Any:
    """Send a request with a socket private to this call, and block until the grader answers."""
    loop = transport.running_loop()
    parks = op == wire.BLOCKING and not loop.on_loop_thread()
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    request_id = next(_request_ids)
    try:
        message = {
            "op": op,
            "id": request_id,
            "stub": name,
            "args": transport.pack_args(args),
            "call": current_call.get(),
        }
        transport.send(message, [theirs.fileno()])
        theirs.close()
        if parks:
            blocking_calls.park(request_id)
        data = mine.recv(wire.MAX_MESSAGE)
    finally:
        mine.close()
        theirs.close()
        if parks:
            blocking_calls.release(request_id)
    if not data:
        raise RuntimeError(f"{name}(): the grader went away")
    return transport.decode_reply(wire.decode(data))


def _blocking_stub(transport: Transport, name: str) -> Callable[..., Any]:
    def stub(*args: Any) -> Any:
        return _private_call(transport, name, wire.BLOCKING, args)

    stub.__name__ = stub.__qualname__ = name.rsplit(".", 1)[-1]
    return stub


def _sync_stub(transport: Transport, name: str) -> Callable[..., Any]:
    def stub(*args: Any) -> Any:
        return _private_call(transport, name, wire.SYNC, args)

    stub.__name__ = stub.__qualname__ = name.rsplit(".", 1)[-1]
    return stub


class _AsyncSource:
    """An async iterable whose items the grader hands out one request at a time."""

    def __init__(self, transport: Transport, name: str, graceful: bool) -> None:
        self._transport = transport
        self._name = name
        self._graceful = graceful

    def __aiter__(self) -> _AsyncSource:
        return self

    async def __anext__(self) -> Any:
        return await _await_request(self._transport, self._name, (), self._graceful)

    def __repr__(self) -> str:
        return f"<{self._name}>"
