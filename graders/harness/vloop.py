"""A virtual-time asyncio loop whose clock belongs to the grader.

`VirtualLoop.time()` only moves when the grader says so. Whenever the loop has nothing ready to
run and no I/O pending, it reports `idle` (with its earliest timer and how many threads are still
working for it) and then sleeps until the grader's next message: the grader, which holds every
in-flight request's completion time, advances the clock to the earliest event and delivers it.
So a scenario with ten seconds of latencies runs in milliseconds, and makespans, timeouts and call
times are exact on any machine.

The clocks of the `time` module follow the loop's (`install_clocks`): in real asyncio
`loop.time()` is `time.monotonic()`, so code that mixes them (a deadline taken with
`time.monotonic()`, Tornado's IOLoop, which schedules with `time.time()`) keeps its meaning.

Threads (for `run_in_executor` and `asyncio.to_thread`) are accounted for: work handed to another
thread keeps the loop "busy" until it either returns its result to the loop or waits in a
blocking stub, so the grader never moves time while a thread could still issue a request.
"""

from __future__ import annotations

import asyncio
import concurrent.futures.thread
import selectors
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

_CHANNEL = object()  # selector key data marking the grader's socket
# What time.time() says at virtual time 0. Zero, not a date: seconds since 1970 are so large
# that adding a latency to them rounds it by about 0.2 microseconds, and Tornado computes its
# timers as `time.time() + delay - time.time()`; the grader checks virtual times exactly.
EPOCH = 0.0


class ThreadWork:
    """How much work other threads hold for the loop: running items minus those parked in stubs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._waiting = 0
        self.wake: Callable[[], None] = lambda: None

    def started(self) -> None:
        with self._lock:
            self._running += 1

    def finished(self, *, wake: bool) -> None:
        with self._lock:
            self._running -= 1
        if wake:
            self.wake()

    def parked(self, delta: int) -> None:
        with self._lock:
            self._waiting += delta
        self.wake()

    def busy(self) -> int:
        with self._lock:
            return max(0, self._running - self._waiting)


class _VirtualSelector(selectors.BaseSelector):
    """Wraps the real selector: polls instead of sleeping, and reports idleness to the grader.

    While idle it sleeps on the grader's channel and the loop's self-pipe only (how threads wake
    the loop), not on the other descriptors: bytes the grader writes on a connection are seen
    when the grader's next message arrives, after the clock has moved, all of them at once.
    Otherwise the loop could wake for the first of several writes, at the old virtual time.
    """

    def __init__(self, loop: VirtualLoop) -> None:
        self._real = selectors.DefaultSelector()
        self._wake = selectors.DefaultSelector()  # what may end an idle sleep
        self._loop = loop

    def wake_on(self, fd: int) -> None:
        self._wake.register(fd, selectors.EVENT_READ)

    # The mapping methods simply delegate.
    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._real.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.modify(fileobj, events, data)

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self._real.get_map()

    def close(self) -> None:
        self._real.close()
        self._wake.close()

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        loop = self._loop
        events = self._filter(self._real.select(0))
        if events or loop.has_ready() or (timeout is not None and timeout <= 0):
            return events
        # Nothing to run and nothing readable: this is the moment a real loop would sleep.
        loop.report_idle()
        while True:
            self._wake.select(None)
            events = self._filter(self._real.select(0))
            if events or loop.has_ready() or loop.timer_due():
                return events
            # A message that gave the loop nothing to do (a bare tick): say so, with its ack.
            loop.report_idle()

    def _filter(
        self, events: list[tuple[selectors.SelectorKey, int]]
    ) -> list[tuple[selectors.SelectorKey, int]]:
        kept = []
        for key, mask in events:
            if key.data is _CHANNEL:
                self._loop.on_channel_readable()
            else:
                kept.append((key, mask))
        return kept


class VirtualLoop(asyncio.SelectorEventLoop):
    """The event loop student code runs on: real I/O, virtual time.

    Usage: `loop = VirtualLoop(channel_fd, on_readable, on_idle)`; the grader's messages are
    handled by `on_readable` (called on the loop thread, inside select) and `on_idle(timer, busy)`
    sends the idle report.
    """

    def __init__(
        self,
        channel_fd: int,
        on_readable: Callable[[], None],
        on_idle: Callable[[float | None, int], None],
    ) -> None:
        super().__init__(selector=_VirtualSelector(self))
        self._vt = 0.0
        self._on_readable = on_readable
        self._on_idle = on_idle
        self.thread_work = ThreadWork()
        self.thread_work.wake = self._write_to_self  # type: ignore[attr-defined]
        selector: _VirtualSelector = self._selector  # type: ignore[attr-defined]
        selector.register(channel_fd, selectors.EVENT_READ, _CHANNEL)
        selector.wake_on(channel_fd)
        selector.wake_on(self._ssock.fileno())  # type: ignore[attr-defined]

    # -- the clock -----------------------------------------------------------------------------
    def time(self) -> float:
        return self._vt

    def advance_to(self, t: float) -> None:
        if t > self._vt:
            self._vt = t

    def next_timer(self) -> float | None:
        scheduled: list[asyncio.TimerHandle] = self._scheduled  # type: ignore[attr-defined]
        live = [h.when() for h in scheduled[:64] if not h.cancelled()]
        if live:
            return min(live)
        # The heap's head may be cancelled: fall back to a full scan (rare).
        live = [h.when() for h in scheduled if not h.cancelled()]
        return min(live) if live else None

    def timer_due(self) -> bool:
        # Read from the heap itself, not through next_timer(): a timer left out of the idle
        # reports still fires when the grader moves time past it.
        scheduled: list[asyncio.TimerHandle] = self._scheduled  # type: ignore[attr-defined]
        return any(h.when() <= self._vt and not h.cancelled() for h in scheduled)

    def has_ready(self) -> bool:
        return bool(self._ready)  # type: ignore[attr-defined]

    # -- hooks called by the selector ------------------------------------------------------------
    def on_channel_readable(self) -> None:
        self._on_readable()

    def report_idle(self) -> None:
        self._on_idle(self.next_timer(), self.thread_work.busy())

    # -- threads ---------------------------------------------------------------------------------
    def run_in_executor(self, executor: Any, func: Any, *args: Any) -> Any:  # type: ignore[override]
        self.thread_work.started()
        try:
            future = super().run_in_executor(executor, func, *args)
        except BaseException:  # no thread could start (threads are not allowed): no work
            self.thread_work.finished(wake=False)
            raise
        # Runs on the loop after the result has been copied in: only then is the work over.
        future.add_done_callback(lambda _f: self.thread_work.finished(wake=False))
        return future

    def on_loop_thread(self) -> bool:
        thread_id: int | None = self._thread_id  # type: ignore[attr-defined]
        return threading.get_ident() == thread_id


def account_threads(loop: VirtualLoop) -> None:
    """Count threads the student starts directly (not executor workers) as work for the loop."""
    original_start = threading.Thread.start
    original_bootstrap = threading.Thread._bootstrap_inner  # type: ignore[attr-defined]
    worker = concurrent.futures.thread._worker

    def start(self: threading.Thread) -> None:
        counted = getattr(self, "_target", None) is not worker
        if counted:
            loop.thread_work.started()
            self._quizloop_counted = True  # type: ignore[attr-defined]
        try:
            original_start(self)
        except BaseException:
            if counted:
                loop.thread_work.finished(wake=True)
            raise

    def bootstrap_inner(self: threading.Thread) -> None:
        try:
            original_bootstrap(self)
        finally:
            if getattr(self, "_quizloop_counted", False):
                loop.thread_work.finished(wake=True)

    threading.Thread.start = start  # type: ignore[method-assign]
    threading.Thread._bootstrap_inner = bootstrap_inner  # type: ignore[attr-defined]


def install_clocks(loop: VirtualLoop) -> None:
    """Make `time.monotonic()`, `time.perf_counter()` and `time.time()` (and their `_ns`
    forms) read the loop's virtual clock (`time.time()` counts from EPOCH).

    Without this, a deadline taken with `time.monotonic()` and awaited with `asyncio.wait`
    would drift by real microseconds (a different verdict, and different numbers in the
    feedback, on every run), and Tornado's timers, which it computes from `time.time()`,
    would fire early. Code that reads the module's functions at call time sees the change;
    `time.sleep` stays real (it blocks, and the grader measures that).
    """

    def monotonic() -> float:
        return loop.time()

    def monotonic_ns() -> int:
        return round(loop.time() * 1e9)

    def wall() -> float:
        return EPOCH + loop.time()

    def wall_ns() -> int:
        return round((EPOCH + loop.time()) * 1e9)

    time.monotonic = monotonic
    time.monotonic_ns = monotonic_ns
    time.perf_counter = monotonic
    time.perf_counter_ns = monotonic_ns
    time.time = wall
    time.time_ns = wall_ns
