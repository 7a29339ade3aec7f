"""What the grader knows about a scenario: calls, requests, replies and how a run ended.

Everything here lives in the grader's process. The child never sees these objects; it only
receives the values and exceptions the grader decides to deliver.
"""

from __future__ import annotations

import enum
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..harness.wire import ExcInfo, Helper, Ref, Stub


@dataclass
class Reply:
    """A fake service's answer to one request.

    `latency` is virtual seconds from the request to its completion (timed schedules; choice
    schedules ignore it). The answer is `value`, or `error` raised in the student's code; when
    `effect` is set it runs at completion time and its return value is the answer (a store reads
    or writes when the request completes, not when it is issued). An effect may raise
    `ServiceError` to answer with an exception.
    """

    latency: float = 0.0
    value: Any = None
    error: ExcInfo | None = None
    effect: Callable[[], Any] | None = None


class ServiceError(Exception):
    """Raised by a Reply effect: the student's code receives `info` as an exception."""

    def __init__(self, info: ExcInfo) -> None:
        super().__init__(info.describe())
        self.info = info


@dataclass
class Request:
    """One call of a stub by the student's code, as the grader saw it."""

    id: int
    stub: str
    args: list[Any]
    call: int  # the grader call the child says it belongs to (a hint: used only for PCT)
    issued_at: float
    blocking: bool = False
    reply: Reply | None = None
    completed_at: float | None = None
    cancelled_at: float | None = None
    answer: Any = None  # the value or ExcInfo actually delivered
    socket: socket.socket | None = None  # blocking requests: where the reply goes
    order: int = 0
    graceful: bool = False  # cancelling ends only when the grader confirms (see Scenario)
    cancel_done_at: float | None = None  # when the grader confirmed the cancellation

    @property
    def in_flight(self) -> bool:
        return self.completed_at is None and self.cancelled_at is None

    @property
    def settled(self) -> bool:
        """Completed, or cancelled and (for a graceful stub) done cancelling."""
        if self.completed_at is not None:
            return True
        if self.cancelled_at is None:
            return False
        return not self.graceful or self.cancel_done_at is not None


Service = Callable[[Request], Reply]


@dataclass(frozen=True)
class Returned:
    value: Any
    awaitable: bool = True  # False: calling the function did not return a coroutine


@dataclass(frozen=True)
class Raised:
    exc: ExcInfo


Outcome = Returned | Raised


@dataclass
class Call:
    """A call of the student's code the grader starts (`fetch_all(urls, fetch)`)."""

    id: int
    fn: str | Ref | Helper
    args: list[Any]
    at: float | None = None  # virtual start time; None: when the scenario runs
    keep: str | None = None  # keep the result in the child under this handle
    order: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    outcome: Outcome | None = None
    # Requests of the scenario not settled when the call finished (still in flight, or still
    # cancelling): what a call that returns without cleaning up leaves running.
    left_running: tuple[int, ...] = ()

    @property
    def done(self) -> bool:
        return self.outcome is not None

    @property
    def name(self) -> str:
        if isinstance(self.fn, str):
            return self.fn
        if isinstance(self.fn, Helper):
            return self.fn.name
        return self.fn.attr or self.fn.handle


class EndKind(enum.Enum):
    COMPLETED = "completed"  # every call finished
    DEADLOCK = "deadlock"  # idle, nothing in flight, no timer, calls unfinished
    TIMEOUT = "timeout"  # real-time deadline: the loop never went idle, or never answered
    CRASHED = "crashed"  # the child died or broke the protocol
    LIMIT = "limit"  # too much virtual time or too many steps: it would never finish
    SKIPPED = "skipped"  # not run: the submission timed out too often ("timeouts") or was slow


@dataclass(frozen=True)
class Ending:
    """How a scenario ended. `detail` is language-neutral (numbers, names, a cause keyword:
    "exited", "protocol" or "raised" for crashes); `note` is English for logs only."""

    kind: EndKind
    detail: str = ""
    exc: ExcInfo | None = None  # the exception that ended the child, when known
    note: str = ""

    @property
    def completed(self) -> bool:
        return self.kind is EndKind.COMPLETED

    @property
    def clean(self) -> bool:
        """Whether the same child can run the next scenario."""
        return self.kind in (EndKind.COMPLETED, EndKind.SKIPPED)


@dataclass
class Observations:
    """Measurements of one scenario, all taken by the grader."""

    busy: list[float] = field(default_factory=list)  # real seconds the loop ran between idles
    loop_stalls: int = 0  # times the loop stopped answering while blocking calls were held
    # Steps after which the child said it was idle but the kernel showed its loop thread doing
    # something else (blocked in another call, or still running): a loop blocked behind a
    # forged or premature idle report.
    loop_thread_busy: int = 0
    max_in_flight: dict[str, int] = field(default_factory=dict)  # per stub name
    timer_wakeups: int = 0  # steps where time moved to one of the child's own timers

    @property
    def longest_busy(self) -> float:
        return max(self.busy, default=0.0)

    def blocked(self, floor: float) -> float:
        """Real seconds the loop ran in stretches of at least `floor` seconds: blocking,
        counted in all, so that many short stretches add up while the scheduling noise of a
        correct loop (a fraction of a millisecond per step) does not."""
        return sum(b for b in self.busy if b >= floor)


def stub(name: str) -> Stub:
    """An async function stub argument (`fetch`)."""
    return Stub(name, "async")


def blocking_stub(name: str) -> Stub:
    return Stub(name, "blocking")


def object_stub(name: str, methods: dict[str, str]) -> Stub:
    """A stub object (`store`) whose methods are stubs of the given kinds."""
    return Stub(name, "object", methods)
