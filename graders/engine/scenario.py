"""A scenario: fake services, the calls the grader makes, and the drive to completion.

Usage:
    sc = Scenario(session, "concurrent", measure_blocking=True)
    fetch = sc.service("fetch", web.fetch)          # grader-side handler, child-side stub
    call = sc.call("fetch_all", urls, fetch)
    ending = sc.run()                                # COMPLETED, DEADLOCK, TIMEOUT, ...
    call.outcome, sc.requests, sc.observations       # what the grader saw, in virtual time
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable
from typing import Any

from ..harness import wire
from ..harness.wire import (
    Callback,
    Fd,
    Helper,
    Ref,
    Stub,
    WireError,
    pack_trusted,
    unpack_untrusted,
)
from .connection import Connection
from .kernel import LoopState
from .model import (
    Call,
    Ending,
    EndKind,
    Observations,
    Raised,
    Reply,
    Request,
    Returned,
    Service,
    ServiceError,
)
from .schedule import Option, Scheduler, Timed
from .session import (
    STALL_AGAIN,
    STALL_FIRST,
    THREAD_QUIET,
    ChildExit,
    ProtocolViolation,
    Session,
    reply_socket,
)

Action = Callable[[], list[dict[str, Any]] | None]
DEADLINE = 2.0  # real seconds per scenario: correct code needs milliseconds
VIRTUAL_LIMIT = 3600.0  # virtual seconds: beyond this a scenario would never finish
STEP_LIMIT = 20_000  # scheduler steps
# Real seconds between two looks at the kernel's view of the child, growing, after YIELDS
# looks that only give the CPU away.
QUIET_POLLS = (0.00005, 0.0001, 0.0002, 0.0005)
YIELDS = 20


class Scenario:
    def __init__(
        self,
        session: Session | None,
        name: str,
        *,
        scheduler: Scheduler | None = None,
        measure_blocking: bool = False,
        deadline: float = DEADLINE,
        virtual_limit: float = VIRTUAL_LIMIT,
    ) -> None:
        self.session = session
        self.name = name
        self.scheduler = scheduler or Timed()
        self.measure_blocking = measure_blocking
        self.deadline = deadline
        self.virtual_limit = virtual_limit
        self.services: dict[str, tuple[str, Service]] = {}
        self.graceful: set[str] = set()  # stubs whose cancellations the grader confirms
        self.calls: dict[int, Call] = {}
        self.requests: dict[int, Request] = {}
        self.observations = Observations()
        self.start_clock = session.clock if session is not None else 0.0
        self.ending: Ending | None = None
        self.on_end: Callable[[Scenario], None] = lambda scenario: None
        self.skip_reason = "timeouts"  # why a scenario without a session is skipped (see Run)
        self.real_seconds = 0.0  # how long it ran, in real time
        self._run_started: float | None = None
        self.connections: list[Connection] = []
        self.actions: dict[int, tuple[float, Action, int, bool]] = {}
        self._unsent_fds: list[socket.socket] = []
        self._stalled = False
        self._impatient = False  # the latest settle gave up waiting for busy threads
        self._unverified = False  # an idle report the kernel has not confirmed yet
        self._counter = 0

    # -- building ----------------------------------------------------------------------------------
    def service(
        self, name: str, handler: Service, kind: str = "async", *, graceful: bool = False
    ) -> Stub:
        """Register a fake service; returns the stub argument to pass to the student's code.

        `graceful` (async and aiter stubs): a cancelled request is still *cancelling* until the
        grader confirms it, one step later at the same virtual time, like a client that closes
        its connection. Code that cancels without awaiting the cancelled task finishes first,
        and `Call.left_running` shows it.
        """
        self._check_graceful(kind, graceful)
        self.services[name] = (kind, handler)
        if graceful:
            self.graceful.add(name)
        return Stub(name, kind, graceful=graceful)

    def service_object(
        self, name: str, methods: dict[str, Service], kind: str = "async", *, graceful: bool = False
    ) -> Stub:
        self._check_graceful(kind, graceful)
        for method, handler in methods.items():
            self.services[f"{name}.{method}"] = (kind, handler)
            if graceful:
                self.graceful.add(f"{name}.{method}")
        return Stub(name, "object", dict.fromkeys(methods, kind), graceful=graceful)

    @staticmethod
    def _check_graceful(kind: str, graceful: bool) -> None:
        if graceful and kind not in ("async", "aiter"):
            raise ValueError(f"only async and aiter stubs can be graceful, not {kind}")

    def connect(self, *, send_buffer: int | None = None) -> Connection:
        """A new socket pair; its child end goes with the next message to the child.

        `send_buffer` shrinks the child end's SO_SNDBUF (bytes), so that a connection whose
        reading the grader stops (`Connection.reading = False`) fills up after a few kilobytes.
        """
        if len(self._unsent_fds) >= wire.MAX_FDS:
            raise ValueError(f"at most {wire.MAX_FDS} connections can be made before the next step")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        if send_buffer is not None:
            theirs.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
        ours.setblocking(False)
        if self.session is None:  # a skipped scenario: a connection that goes nowhere
            theirs.close()
            connection = Connection(ours, Fd(-1))
            self.connections.append(connection)
            return connection
        connection = Connection(ours, Fd(self.session.next_fd))
        self.session.next_fd += 1
        self._unsent_fds.append(theirs)
        self.connections.append(connection)
        return connection

    def at(self, t: float, action: Action, *, settled: bool = False) -> None:
        """Run `action` in the grader at virtual time `t` (relative to the scenario's start),
        e.g. write a request on a Connection; the child then runs until idle again. An action
        may return events for the child (see `invoke`).

        `settled`: the action happens at `t` only once the clock is at `t` and the child has
        settled there (its timers due by `t` have fired), in a step of its own. Code that is
        woken by the action itself then responds at `t`; code that only notices it when a
        timer of its own fires (polling) needs another wake-up, which the grader sees.
        """
        key = len(self.actions) + len(self.calls) + 1_000_000
        self.actions[key] = (t, action, self._next_ids()[1], settled)

    def invoke(self, callback: Callback, *args: Any, at: float, settled: bool = True) -> None:
        """Call a callable the student's code passed to a stub, on its loop, at virtual `at`.

        A call from outside arrives once the child has settled at `at` (see `at`), unless
        `settled` is False: then it is delivered with whatever else happens at `at`.
        """
        event = {"invoke": callback.handle, "args": [pack_trusted(a) for a in args]}
        self.at(at, lambda: [event], settled=settled)

    def call(
        self, fn: str | Ref | Helper, *args: Any, at: float | None = None, keep: str = ""
    ) -> Call:
        """Call the student's `fn` (a name in their module, or a Ref) when the scenario runs."""
        call_id, order = self._next_ids()
        call = Call(call_id, fn, list(args), at=at, keep=keep or None, order=order)
        self.calls[call.id] = call
        return call

    def _next_ids(self) -> tuple[int, int]:
        session = self.session
        if session is None:
            self._counter += 1
            return self._counter, self._counter
        ids = session.next_call, session.next_order
        session.next_call += 1
        session.next_order += 1
        return ids

    @property
    def live(self) -> Session:
        if self.session is None:
            raise RuntimeError(f"scenario {self.name} was skipped")
        return self.session

    # -- observations ------------------------------------------------------------------------------
    def in_flight(self, stub: str | None = None) -> list[Request]:
        return [
            r
            for r in self.requests.values()
            if r.in_flight and (stub is None or r.stub == stub or r.stub.startswith(stub + "."))
        ]

    def on_busy_period(self, seconds: float) -> None:
        if self.measure_blocking:
            self.observations.busy.append(seconds)

    def _close_stretch(self, end: float) -> None:
        """The child stopped running at `end` (real time): record the stretch since the step."""
        session = self.live
        if session.busy_open:
            session.busy_open = False
            self.on_busy_period(session.stretch(end))

    # -- messages from the child -------------------------------------------------------------------
    def on_message(self, message: dict[str, Any], fds: list[int]) -> None:
        op = message["op"]
        if op in (wire.REQUEST, wire.BLOCKING, wire.SYNC):
            self._on_request(op, message, fds)
            return
        close_fds(fds)
        if op == wire.CANCEL:
            request = self.requests.get(_int(message, "id"))
            if request is not None and request.in_flight and not request.blocking:
                request.cancelled_at = self.live.clock
        elif op == wire.DONE:
            call = self.calls.get(_int(message, "call"))
            if call is None or call.done or call.started_at is None:
                raise ProtocolViolation("result for an unknown call")
            if message.get("ok"):
                value = unpack_untrusted(message.get("value"))
                call.outcome = Returned(value, bool(message.get("awaitable", True)))
            else:
                call.outcome = Raised(unpack_untrusted({"$x": message.get("exc")}))
            call.finished_at = self.live.clock
            # Messages arrive in the order the child sent them: a cancellation sent just before
            # this result, and not yet confirmed, was not awaited.
            call.left_running = tuple(r.id for r in self.requests.values() if not r.settled)
        else:
            raise ProtocolViolation(f"unexpected op {op!r}")

    def _on_request(self, op: str, message: dict[str, Any], fds: list[int]) -> None:
        blocking = op != wire.REQUEST
        if (blocking and len(fds) != 1) or (not blocking and fds):
            close_fds(fds)
            raise ProtocolViolation("a blocking request carries exactly one reply socket")
        reply_to = reply_socket(fds[0]) if blocking else None
        session = self.live
        request_id = _int(message, "id")
        stub = message.get("stub")
        args = message.get("args")
        if not isinstance(stub, str) or stub not in self.services or not isinstance(args, list):
            raise ProtocolViolation(f"request to an unknown stub {stub!r}")
        if request_id in self.requests:
            raise ProtocolViolation("duplicate request id")
        kind, handler = self.services[stub]
        allowed = {
            wire.REQUEST: ("async", "aiter"),
            wire.BLOCKING: ("blocking",),
            wire.SYNC: ("sync",),
        }
        if kind not in allowed[op]:
            raise ProtocolViolation(f"{stub} is not a {op} stub")
        request = Request(
            id=request_id,
            stub=stub,
            args=[unpack_untrusted(a) for a in args],
            call=_int(message, "call"),
            issued_at=session.clock,
            blocking=blocking,
            socket=reply_to,
            order=session.next_order,
            graceful=stub in self.graceful,
        )
        session.next_order += 1
        request.reply = handler(request)
        self.requests[request_id] = request
        if op == wire.SYNC:  # answered at once, no time passes
            self._complete(request)
            return
        base = stub.split(".", 1)[0]
        for key in {stub, base}:
            count = len(self.in_flight(key))
            if count > self.observations.max_in_flight.get(key, 0):
                self.observations.max_in_flight[key] = count

    # -- driving -----------------------------------------------------------------------------------
    def run(self, until: Callable[[], bool] | None = None) -> Ending:
        """Drive until every call is done (or, when given, until `until()` holds), the child
        deadlocks, dies or hangs. A deadlock is: the child idle, no request in flight, no timer,
        no pending grader action, and the goal not reached."""
        session = self.session
        if session is None:
            return self._finish(Ending(EndKind.SKIPPED, self.skip_reason))
        if session.ended is not None:
            return self._finish(session.ended)
        self._run_started = time.monotonic()
        session.scenario = self
        self.start_clock = session.clock
        limit = time.monotonic() + self.deadline
        steps = 0
        try:
            while True:
                ending = self._settle(limit)
                while ending is None and self._drain():
                    # Reading freed room in a socket the child may be waiting to write to:
                    # let it write, at the same virtual time, before anything else happens.
                    ending = self._verify(limit)[0]
                    if ending is None:
                        session.send_step(wire.TICK, {"t": session.clock, "events": []})
                        ending = self._settle(limit)
                if ending is not None:
                    return self._finish(ending)
                done = (
                    until()
                    if until is not None
                    else (bool(self.calls) and all(c.done for c in self.calls.values()))
                )
                if done:
                    ending = self._verify(limit)[0]
                    return self._finish(ending or Ending(EndKind.COMPLETED))
                options = self._options()
                if not options and self._impatient:
                    # Nothing else can happen, so there is no hurry: wait for the threads
                    # still at work (until the deadline) before calling it a deadlock.
                    ending = self._settle(limit, patient=True)
                    if ending is not None:
                        return self._finish(ending)
                    continue
                if not options:
                    ending, changed = self._verify(limit)
                    if ending is not None:
                        return self._finish(ending)
                    if changed:
                        continue  # it was not idle after all: look again
                    return self._finish(self._deadlock())
                chosen, t = self.scheduler.choose(session.clock, options)
                ending, changed = self._verify(limit)
                if ending is not None:
                    return self._finish(ending)
                if changed:
                    continue  # the child said more while we looked: choose again
                steps += 1
                if t - self.start_clock > self.virtual_limit or steps > STEP_LIMIT:
                    note = f"{t - self.start_clock:.0f} s of virtual time, {steps} steps"
                    ending = session.end(EndKind.LIMIT, f"{self.virtual_limit:g}", note=note)
                    return self._finish(ending)
                self._apply(chosen, t)
        except ChildExit as exc:
            return self._finish(session.end(EndKind.CRASHED, exc.cause, exc.exc, str(exc)))
        except (ProtocolViolation, WireError) as exc:
            return self._finish(session.end(EndKind.CRASHED, "protocol", note=str(exc)))

    def _drain(self) -> bool:
        """Read what the child wrote on every connection; True if anything came."""
        clock = self.live.clock
        drained = [connection.drain(clock) for connection in self.connections]  # every one
        return any(drained)

    def _finish(self, ending: Ending) -> Ending:
        self.ending = ending
        if self._run_started is not None:
            self.real_seconds = time.monotonic() - self._run_started
        for connection in self.connections:
            connection.close()
        for sock in self._unsent_fds:
            sock.close()
        for request in self.requests.values():
            if request.socket is not None:
                request.socket.close()
                request.socket = None
        if self.session is not None:
            self.session.scenario = None
            if ending.kind is EndKind.DEADLOCK:
                self.session.end(EndKind.DEADLOCK, ending.detail)  # stuck tasks: never reuse
        self.on_end(self)
        return ending

    def _deadlock(self) -> Ending:
        stuck = sorted(c.name for c in self.calls.values() if not c.done)
        return Ending(EndKind.DEADLOCK, ", ".join(stuck))

    def _settle(self, limit: float, *, patient: bool = False) -> Ending | None:
        """Wait until the child is settled after the latest step (None), or it ended.

        Threads that stay busy without sending anything are waited for THREAD_QUIET, then
        time moves on (`_impatient`), unless `patient`: then until the deadline.
        """
        session = self.live
        self._impatient = False
        # The kernel decides whether the child is quiet where the child's own word is not
        # enough: with threads (it may not count them all) and when blocking is measured (an
        # idle report can be sent while the loop goes on running).
        watch = session.kernel_view and (session.threads or self.measure_blocking)
        quiet_since: float | None = None
        hinted_since: float | None = None  # since when the child says its threads work
        looked = False  # the kernel was asked since the latest idle report
        polls = 0
        asked_at = time.monotonic()
        while True:
            now = time.monotonic()
            if now >= limit:
                self._close_stretch(time.time())  # a loop busy until the deadline counts
                return session.end(EndKind.TIMEOUT, f"{self.deadline:g}")
            if session.ack == session.seq and watch and not session.threads:
                # One thread: the kernel is asked just before the next step (`_verify`). By
                # then its loop has long reached epoll_wait; right after its report it has
                # usually not, and looking again and again would only slow it down.
                self._unverified = True
                return None
            if session.ack == session.seq and watch and self._threads_at_work(hinted_since, now):
                # The child says threads still work for it: they will send something (a
                # request, a new idle report). The kernel is asked once they say they are done.
                hinted_since = hinted_since or now
                wait = min(limit, hinted_since + THREAD_QUIET) - now
            elif session.ack == session.seq and watch:
                view = session.threads_view()
                # Messages a thread sent before it went quiet are in the socket already: a
                # view is only final once nothing is waiting to be read after it was taken.
                # (A single thread sends its idle report last, then waits.)
                if view is not None and view.quiet and not (session.threads and session.readable()):
                    if view.loop is LoopState.BLOCKED:
                        # It said idle, but its loop thread waits in something else (a blocking
                        # call, a lock): the loop is blocked, whoever answered for it.
                        self.observations.loop_thread_busy += 1
                    self._close_stretch(time.time() if looked else session.idle_stamp)
                    return None
                looked = True
                quiet_since = quiet_since or now
                if not patient and now - quiet_since >= THREAD_QUIET:
                    # Still not quiet: threads that sleep or spin, or a loop thread that went
                    # on running after its idle report. Move on; a busy loop counts.
                    if view is not None and view.loop is not LoopState.IDLE:
                        self.observations.loop_thread_busy += 1
                    self._close_stretch(time.time())
                    self._impatient = True
                    return None
                polls += 1
                wait = min(limit - now, QUIET_POLLS[min(polls, len(QUIET_POLLS)) - 1])
            elif session.ack == session.seq:
                self._close_stretch(session.idle_stamp)
                if session.idle_busy == 0:
                    return None
                quiet_since = quiet_since or now
                wait = min(limit, quiet_since + THREAD_QUIET) - now
                if wait <= 0 and not patient:
                    self._impatient = True
                    return None  # threads say they are busy but nothing happens
                wait = max(wait, 0.0) if not patient else min(limit - now, QUIET_POLLS[-1])
            else:
                held = [r for r in self.requests.values() if r.blocking and r.in_flight]
                stall = asked_at + (STALL_AGAIN if self._stalled else STALL_FIRST)
                if held and now >= stall:
                    # The loop does not answer while blocking calls are held: it is blocked
                    # in one of them. Count it, then let time move to release the earliest.
                    self.observations.loop_stalls += 1
                    self._stalled = True
                    self._close_stretch(time.time())
                    return None
                wait = (min(limit, stall) if held else limit) - now
            got = session.receive(max(0.0, wait))
            if got is not None:
                if got[0].get("op") != wire.IDLE or not watch:
                    quiet_since = None
                session.handle(*got)

    def _verify(self, limit: float) -> tuple[Ending | None, bool]:
        """Before the next step, or the end: a single-threaded child's loop thread must be
        asleep in epoll_wait, as its idle report said (see `_settle`). Returns how it ended
        (None: it did not), and whether messages came meanwhile (the step chosen before may
        be stale)."""
        if not self._unverified:
            return None, False
        self._unverified = False
        session = self.live
        since = time.monotonic()
        polls = 0
        changed = False
        while True:
            now = time.monotonic()
            if now >= limit:
                self._close_stretch(time.time())
                return session.end(EndKind.TIMEOUT, f"{self.deadline:g}"), changed
            view = session.threads_view()
            # A child that woke, spoke and went back to sleep since our last read looks just
            # as quiet as one that never woke: the view only counts once nothing it sent is
            # waiting unread (a request left in the socket here was once declared a deadlock).
            if view is not None and view.quiet and session.readable():
                got = session.receive(0.0)
                if got is not None:
                    changed = True
                    session.handle(*got)
                continue
            if view is not None and view.quiet:
                if view.loop is LoopState.BLOCKED:
                    # It said idle, but its loop thread waits in something else (a blocking
                    # call): the loop is blocked, whoever answered for it.
                    self.observations.loop_thread_busy += 1
                self._close_stretch(time.time() if polls else session.idle_stamp)
                return None, changed
            if now - since >= THREAD_QUIET:
                # Still running (or sleeping) after its idle report: the report was forged or
                # premature, and the loop is busy. Move on; it counts.
                self.observations.loop_thread_busy += 1
                self._close_stretch(time.time())
                return None, changed
            polls += 1
            if polls <= YIELDS:
                # Usually the child is only waiting for a CPU (ours, often: it woke us with its
                # report): let it run rather than sleep (a sleep costs tens of microseconds of
                # timer slack at least).
                os.sched_yield()
                wait = 0.0
            else:
                wait = QUIET_POLLS[min(polls - YIELDS, len(QUIET_POLLS)) - 1]
            got = session.receive(min(limit - now, wait))
            if got is not None:
                changed = True
                session.handle(*got)

    def _threads_at_work(self, since: float | None, now: float) -> bool:
        """Whether the child's own count says threads still work for it (only believed for
        THREAD_QUIET: a child can say anything)."""
        session = self.live
        fresh = since is None or now - since < THREAD_QUIET
        return session.threads and session.idle_busy > 0 and fresh

    def _options(self) -> list[Option]:
        session = self.live
        options = [
            Option("start", c.at if c.at is not None else self.start_clock, c.order, c.id, c.id)
            for c in self.calls.values()
            if c.started_at is None
        ]
        for r in self.requests.values():
            if r.in_flight and r.reply is not None:
                options.append(
                    Option("complete", r.issued_at + r.reply.latency, r.order, r.call, r.id)
                )
            elif r.graceful and r.cancelled_at is not None and r.cancel_done_at is None:
                options.append(Option("confirm", r.cancelled_at, r.order, r.call, r.id))
        for key, (t, _action, order, settled) in self.actions.items():
            options.append(Option("action", self.start_clock + t, order, -1, key, settled))
        if session.idle_timer is not None:
            options.append(Option("timer", float(session.idle_timer), 1 << 60, -1, 0))
        return options

    def _apply(self, chosen: list[Option], t: float) -> None:
        session = self.live
        session.clock = max(session.clock, t)
        events: list[dict[str, Any]] = []
        for option in chosen:
            if option.kind == "start":
                call = self.calls[option.key]
                call.started_at = session.clock
                event: dict[str, Any] = {
                    "call": call.id,
                    "fn": call.fn if isinstance(call.fn, str) else pack_trusted(call.fn),
                    "args": [pack_trusted(a) for a in call.args],
                }
                if call.keep:
                    event["keep"] = call.keep
                events.append(event)
            elif option.kind == "complete":
                request = self.requests[option.key]
                answer = self._complete(request)
                if not request.blocking:
                    events.append({"id": request.id, **answer})
                else:
                    events.append({"release": request.id})
            elif option.kind == "confirm":
                request = self.requests[option.key]
                request.cancel_done_at = session.clock
                events.append({"id": request.id, "value": None})
            elif option.kind == "action":
                _t, action, _order, _settled = self.actions.pop(option.key)
                events.extend(action() or [])
            elif option.kind == "timer":
                self.observations.timer_wakeups += 1
        sending, self._unsent_fds = self._unsent_fds, []
        session.send_step(wire.TICK, {"t": session.clock, "events": events},
                          [s.fileno() for s in sending])  # fmt: skip
        for sock in sending:
            sock.close()

    def _complete(self, request: Request) -> dict[str, Any]:
        """Decide the request's answer now; blocking ones are answered on their socket."""
        reply = request.reply or Reply()
        request.completed_at = self.live.clock
        answer: dict[str, Any]
        try:
            value = reply.effect() if reply.effect is not None else reply.value
        except ServiceError as exc:
            request.answer = exc.info
            answer = {
                "exc": {"type": exc.info.type, "args": [pack_trusted(a) for a in exc.info.args]}
            }
        else:
            if reply.error is not None:
                request.answer = reply.error
                answer = {"exc": pack_trusted(reply.error)["$x"]}
            else:
                request.answer = value
                answer = {"value": pack_trusted(value)}
        if request.socket is not None:
            with contextlib.suppress(OSError):  # the thread is gone: judged by what it did
                request.socket.send(wire.encode({"op": "reply", **answer}))
            request.socket.close()
            request.socket = None
        return answer


def _int(message: dict[str, Any], key: str) -> int:
    value = message.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProtocolViolation(f"{key} must be an integer")
    return value


def close_fds(fds: list[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
