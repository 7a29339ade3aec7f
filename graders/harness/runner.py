"""Child side: load the submission, then run the calls the grader asks for on a VirtualLoop.

The runner is what a sandboxed child executes after confinement. It speaks only through the
session socket; the grader decides everything that matters (time, answers, verdict).
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import io
import os
import random
import socket
import sys
import threading
import types
from typing import Any

from . import helpers, packing, stubs, wire
from .vloop import VirtualLoop, account_threads, install_clocks

FILENAME = "submission.py"
BATCHED = {wire.REQUEST, wire.CANCEL, wire.DONE}
BATCH_LIMIT = 200  # messages; keeps a batch well under wire.MAX_MESSAGE


class Session:
    """One grading session in the child: implements the stubs' Transport."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.loop: VirtualLoop | None = None
        self.module: types.ModuleType | None = None
        self.seq = 0
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.kept: dict[str, Any] = {}
        self.stub_cache: dict[str, Any] = {}
        self.callbacks: dict[int, Any] = {}
        self.sockets: list[socket.socket] = []  # sockets the grader handed over, by index
        self._send_lock = threading.Lock()
        self._queue: list[dict[str, Any]] = []  # loop-thread messages not sent yet, in order

    # -- Transport -------------------------------------------------------------------------------
    def send(self, message: dict[str, Any], fds: list[int] | None = None) -> None:
        """Send a message. Requests, cancellations and results from the loop thread wait in a
        queue sent in one datagram with the next idle report: the grader learns nothing later
        than it needs (it acts only once the child is idle), with one wake-up instead of many."""
        with self._send_lock:
            if message["op"] in BATCHED and not fds and self._on_loop_thread():
                self._queue.append(message)
                if len(self._queue) >= BATCH_LIMIT:
                    self._flush()
                return
            self._flush()
            data = wire.encode(message)
            if fds:
                socket.send_fds(self.sock, [data], fds)
            else:
                self.sock.sendall(data)

    def _on_loop_thread(self) -> bool:
        return self.loop is not None and self.loop.on_loop_thread()

    def _flush(self, last: dict[str, Any] | None = None) -> None:
        """Send the queue (and `last`) as one batch; caller holds the send lock."""
        messages = [*self._queue, last] if last is not None else self._queue
        self._queue = []
        if not messages:
            return
        try:
            data = wire.encode(
                messages[0] if len(messages) == 1 else {"op": wire.BATCH, "messages": messages}
            )
        except wire.WireError:  # too big together: one by one, oversized results replaced
            for message in messages:
                self.sock.sendall(_encode_alone(message))
            return
        self.sock.sendall(data)

    def pack_args(self, args: tuple[Any, ...]) -> list[Any]:
        return [packing.pack(a, self._register_callback) for a in args]

    def expect(self, request_id: int, future: asyncio.Future[Any]) -> None:
        self.pending[request_id] = future

    def forget(self, request_id: int) -> None:
        self.pending.pop(request_id, None)

    def running_loop(self) -> Any:
        return self.loop

    def decode_reply(self, message: dict[str, Any]) -> Any:
        if "exc" in message:
            raise packing.make_exception(message["exc"], self._resolve_value)
        return self._resolve_value(message.get("value"))

    # -- values ----------------------------------------------------------------------------------
    def _register_callback(self, fn: Any) -> int:
        handle = len(self.callbacks) + 1
        self.callbacks[handle] = fn
        return handle

    def _resolve_value(self, packed: Any) -> Any:
        return packing.unpack_trusted(packed, self._special)

    def _special(self, tag: str, body: Any) -> Any:
        if tag == "$s":
            graceful = bool(body.get("graceful", False))
            key = f"{body['name']}:{body['kind']}:{graceful}"
            if key not in self.stub_cache:
                self.stub_cache[key] = stubs.make_stub(
                    self, body["name"], body["kind"], body.get("methods", {}), graceful
                )
            return self.stub_cache[key]
        if tag == "$r":
            handle, attr = body
            obj = self.kept[handle]
            return getattr(obj, attr) if attr else obj
        if tag == "$c":
            return self.callbacks[body]
        if tag == "$h":
            return helpers.HELPERS[body]
        if tag == "$fd":
            return self.sockets[body]
        raise wire.WireError(f"unknown tag {tag!r}")

    # -- loading ---------------------------------------------------------------------------------
    def load(self, source: str) -> None:
        module = types.ModuleType("submission")
        module.__file__ = FILENAME
        sys.modules["submission"] = module
        try:
            code = compile(source, FILENAME, "exec", dont_inherit=True)
            exec(code, module.__dict__)  # noqa: S102 - running the submission is the point
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too: they are results
            self.send({"op": wire.LOADED, "ok": False, "exc": packing.pack_exception(exc)})
            return
        self.module = module
        self.send({"op": wire.LOADED, "ok": True})

    # -- the loop's side -------------------------------------------------------------------------
    def on_idle(self, timer: float | None, busy: int) -> None:
        with self._send_lock:
            self._flush({"op": wire.IDLE, "ack": self.seq, "timer": timer, "busy": busy})

    def on_readable(self) -> None:
        while True:
            try:
                data, fds, _flags, _addr = socket.recv_fds(
                    self.sock, wire.MAX_MESSAGE, wire.MAX_FDS, socket.MSG_DONTWAIT
                )
            except BlockingIOError:
                return
            if not data:
                os._exit(0)  # the grader closed the session
            # Sockets travel with the message that first refers to them, numbered in order.
            self.sockets.extend(socket.socket(fileno=fd) for fd in fds)
            self.handle(wire.decode(data))

    def handle(self, message: dict[str, Any]) -> None:
        assert self.loop is not None
        op = message["op"]
        if op == wire.CALL:
            self.seq = message["seq"]
            self.loop.call_soon(self.start_call, message)
        elif op == wire.TICK:
            self.seq = message["seq"]
            self.loop.advance_to(message["t"])
            for event in message.get("events", []):
                self.deliver(event)
        else:
            raise wire.WireError(f"unexpected op {op!r}")

    def deliver(self, event: dict[str, Any]) -> None:
        assert self.loop is not None
        if "id" in event:
            future = self.pending.get(event["id"])
            if future is None or future.done():
                return  # cancelled meanwhile
            try:
                value = self.decode_reply(event)
            except BaseException as exc:
                future.set_exception(exc)
            else:
                future.set_result(value)
        elif "release" in event:
            stubs.blocking_calls.release(event["release"])
        elif "invoke" in event:
            fn = self.callbacks.get(event["invoke"])
            args = [self._resolve_value(a) for a in event.get("args", [])]
            if fn is not None:
                self.loop.call_soon(fn, *args)
        elif "call" in event:
            self.loop.call_soon(self.start_call, event)

    def start_call(self, message: dict[str, Any]) -> None:
        assert self.loop is not None
        assert self.module is not None
        call_id: int = message["call"]
        fn = message["fn"]
        context = contextvars.copy_context()
        context.run(stubs.current_call.set, call_id)
        try:
            target = self._resolve_value(fn) if isinstance(fn, dict) else getattr(self.module, fn)
            args = [self._resolve_value(a) for a in message.get("args", [])]
            result = context.run(target, *args)
        except Exception as exc:
            self.send({"op": wire.DONE, "call": call_id, "ok": False,
                       "exc": packing.pack_exception(exc)})  # fmt: skip
            return
        if message.get("keep"):
            self.kept[message["keep"]] = result
        if not asyncio.iscoroutine(result):
            value = None if message.get("keep") else packing.pack(result)
            self.send({"op": wire.DONE, "call": call_id, "ok": True, "value": value,
                       "awaitable": False})  # fmt: skip
            return
        task = self.loop.create_task(result, context=context)
        task.add_done_callback(lambda t: self.finish(call_id, t))

    def finish(self, call_id: int, task: asyncio.Task[Any]) -> None:
        if task.cancelled():
            exc: dict[str, Any] = {"type": "CancelledError", "module": "asyncio.exceptions",
                                   "args": [], "text": "", "tb": ""}  # fmt: skip
            self.send({"op": wire.DONE, "call": call_id, "ok": False, "exc": exc})
            return
        error = task.exception()
        if error is not None:
            self.send({"op": wire.DONE, "call": call_id, "ok": False,
                       "exc": packing.pack_exception(error)})  # fmt: skip
            return
        message = {"op": wire.DONE, "call": call_id, "ok": True,
                   "value": packing.pack(task.result()), "awaitable": True}  # fmt: skip
        self.send(message)


def _encode_alone(message: dict[str, Any]) -> bytes:
    try:
        return wire.encode(message)
    except wire.WireError:
        if message.get("op") != wire.DONE:
            raise
        too_large = {"$o": {"type": "?", "module": "", "note": "too large to send"}}
        return wire.encode({**message, "value": too_large})


def _redirect_output() -> None:
    sys.stdout = io.TextIOWrapper(
        io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
        write_through=True,
    )  # fmt: skip
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
        write_through=True,
    )  # fmt: skip


def warm_up() -> None:
    """Exercise the session's code paths once in a child prepared ahead of need.

    A forked child shares the zygote's pages until it writes to them; running this while the
    child waits for its hand-over takes those copy-on-write faults off the grading path.
    """
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        session = Session(ours)
        loop = VirtualLoop(ours.fileno(), session.on_readable, session.on_idle)
        session.loop = loop
        compile("async def f(x):\n    return [x]\n", FILENAME, "exec", dont_inherit=True)

        async def work() -> Any:
            await asyncio.sleep(0)
            return packing.pack([b"x", ("y", 1)])

        wire.decode(wire.encode({"op": wire.IDLE, "value": loop.run_until_complete(work())}))
        loop.close()
    finally:
        ours.close()
        theirs.close()
    asyncio.set_event_loop(None)
    gc.collect()  # leave no harness object of the warm-up behind


def serve(sock: socket.socket) -> None:
    """Run one session: wait for "go", load the submission, then serve calls forever."""
    _redirect_output()
    session = Session(sock)
    sock.setblocking(True)
    go = wire.decode(sock.recv(wire.MAX_MESSAGE))
    if go.get("op") != wire.GO:
        raise wire.WireError("expected go")
    random.seed(go.get("seed", 0))
    loop = VirtualLoop(sock.fileno(), session.on_readable, session.on_idle)
    session.loop = loop
    asyncio.set_event_loop(loop)
    install_clocks(loop)
    stubs.blocking_calls.on_park = loop.thread_work.parked
    if go.get("threads"):
        account_threads(loop)
    session.load(go["source"])
    if session.module is None:
        return
    sock.setblocking(False)
    try:
        loop.run_forever()
    except BaseException as exc:  # SystemExit or KeyboardInterrupt escaping a task
        session.send({"op": wire.EXIT, "exc": packing.pack_exception(exc)})
