"""pipeline: `async def process_all(source, handle, workers, maxsize) -> list`.

`source` is an async-iterable stub (each `__anext__` is a request the grader answers with the
next item, or StopAsyncIteration) and `handle` an async stub; both are graceful, so the grader
sees whether cancelled work was awaited. The grader's fake (`Orders`) keeps its books in the
order it saw things happen: an item counts as *taken* when the grader delivers it, and as
*started* when `handle(item)` arrives; the child only learns of a delivery after the grader made
it, so the count of items taken but not started is exact.

Checks: complete (every item handled exactly once, every result returned; the empty source),
order (results in source order, with handles finishing in another order), bounded (never more
than `workers` handles at once, and `workers` of them at once when items are waiting),
backpressure (never more than `maxsize` items taken but not started), errors (a handle raises:
that error, at once, with no handle or read left running, nothing taken or started after it).
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import dataclass, field

from ..engine.model import Raised, Reply, Request, Returned, ServiceError
from ..engine.run import Run, describe_exception
from ..engine.scenario import Scenario
from ..harness.wire import ExcInfo
from .common import only_call, peak_in_flight
from .fakes import BODY_BYTES, describe_type, type_error

FN = "process_all"
EPSILON = 1e-9


@dataclass
class Orders:
    """A stream of orders and the service that handles them, with the grader's books."""

    latencies: list[float]  # handle(item i) takes latencies[i]
    read_latency: float = 0.0
    failures: dict[int, ExcInfo] = field(default_factory=dict)
    items: list[str] = field(default_factory=list)
    results: list[bytes] = field(default_factory=list)
    handed: int = 0  # items delivered so far
    started: Counter[int] = field(default_factory=Counter)
    held: int = 0  # taken from the source, handle not called yet
    peak_held: int = 0
    failed_at: float | None = None
    reads_after_error: int = 0
    starts_after_error: int = 0
    handles: set[int] = field(default_factory=set)  # ids of requests that handle a real item

    def __post_init__(self) -> None:
        count = len(self.latencies)
        self.items = [f"order-{i}-{secrets.token_hex(4)}" for i in range(count)]
        self.results = [secrets.token_bytes(BODY_BYTES) for _ in range(count)]
        self.index = {item: i for i, item in enumerate(self.items)}

    # -- the source ------------------------------------------------------------------------------
    def next_item(self, request: Request) -> Reply:
        if self.failed_at is not None:
            self.reads_after_error += 1
        return Reply(self.read_latency, effect=self._deliver)

    def _deliver(self) -> str:
        if self.handed >= len(self.items):
            raise ServiceError(ExcInfo("StopAsyncIteration"))
        item = self.items[self.handed]
        self.handed += 1
        self.held += 1
        self.peak_held = max(self.peak_held, self.held)
        return item

    # -- the service -----------------------------------------------------------------------------
    def handle(self, request: Request) -> Reply:
        if len(request.args) != 1 or not isinstance(request.args[0], str):
            return type_error("handle() takes one argument: an item from the source")
        index = self.index.get(request.args[0])
        if index is None or index >= self.handed:
            return Reply(error=ExcInfo("ValueError", args=("not an item from the source",)))
        if self.failed_at is not None:
            self.starts_after_error += 1
        self.handles.add(request.id)
        if not self.started[index]:
            self.held -= 1
        self.started[index] += 1
        latency = self.latencies[index]
        failure = self.failures.get(index)
        if failure is not None:
            return Reply(latency, effect=lambda: self._fail(request, failure))
        return Reply(latency, value=self.results[index])

    def _fail(self, request: Request, failure: ExcInfo) -> None:
        self.failed_at = request.issued_at + self.latencies[self.index[request.args[0]]]
        raise ServiceError(failure)

    # -- judging ---------------------------------------------------------------------------------
    def source_of(self, result: object) -> int | None:
        for index, expected in enumerate(self.results):
            if result == expected:
                return index
        return None


def grade(run: Run) -> None:
    complete(run)
    order(run)
    bounded(run)
    backpressure(run)
    errors(run)


def _process(run: Run, name: str, orders: Orders, workers: int, maxsize: int) -> Scenario:
    scenario = run.scenario(name)
    source = scenario.service("source", orders.next_item, kind="aiter", graceful=True)
    handle = scenario.service("handle", orders.handle, graceful=True)
    scenario.call(FN, source, handle, workers, maxsize)
    scenario.run()
    return scenario


def _spread(rng: random.Random, count: int, low: int = 1, high: int = 30) -> list[float]:
    return [round(n * 0.1, 3) for n in rng.sample(range(low, high), count)]


def _returned(run: Run, check: str, scenario: Scenario) -> Returned | None:
    ending = scenario.ending
    assert ending is not None
    if not ending.completed:
        run.fail_ending(check, ending)
        return None
    outcome = only_call(scenario).outcome
    if run.fail_outcome(check, outcome, fn=FN):
        return None
    assert isinstance(outcome, Returned)
    return outcome


def _all_results(orders: Orders, value: object) -> bool:
    """Whether `value` is a list of exactly the results, in any order, each item handled
    exactly once (an extra handle() call of an item, cancelled at once, would "start" it
    early for backpressure's books)."""
    if not isinstance(value, list) or len(value) != len(orders.results):
        return False
    if any(orders.started[index] != 1 for index in range(len(orders.items))):
        return False
    try:
        return Counter(value) == Counter(orders.results)
    except TypeError:
        return False


def complete(run: Run) -> None:
    rng = run.random("complete")
    orders = Orders(_spread(rng, 10), read_latency=0.05)
    scenario = _process(run, "complete", orders, 3, 2)
    outcome = _returned(run, "complete", scenario)
    if outcome is None:
        return
    value = outcome.value
    if not isinstance(value, list):
        run.failed("complete", "not-a-list", type=describe_type(value))
        return
    for index in range(len(orders.items)):
        if orders.started[index] != 1:
            run.failed("complete", "handled-times", index=index, times=orders.started[index])
            return
    if len(value) != len(orders.items):
        run.failed("complete", "wrong-length", got=len(value), expected=len(orders.items))
        return
    for position, result in enumerate(value):
        if orders.source_of(result) is None:
            run.failed("complete", "wrong-result", index=position, type=describe_type(result))
            return
    if not _all_results(orders, value):
        run.failed("complete", "duplicated", n=len(orders.items))
        return
    empty = Orders([])
    scenario = _process(run, "complete-empty", empty, 2, 2)
    outcome = _returned(run, "complete", scenario)
    if outcome is None:
        return
    if outcome.value != [] or not isinstance(outcome.value, list):
        run.failed("complete", "empty", type=describe_type(outcome.value))
        return
    run.passed("complete", n=len(orders.items))


def order(run: Run) -> None:
    rng = run.random("order")
    count = 8
    # Later items finish first: completion order is nearly the reverse of source order.
    latencies = [round(2.0 - 0.2 * i + 0.01 * rng.randrange(5), 3) for i in range(count)]
    orders = Orders(latencies)
    scenario = _process(run, "order", orders, 4, 4)
    outcome = _returned(run, "order", scenario)
    if outcome is None:
        return
    if not _all_results(orders, outcome.value):
        run.failed("order", "not-correct")
        return
    assert isinstance(outcome.value, list)
    for position, result in enumerate(outcome.value):
        source = orders.source_of(result)
        if source != position:
            run.failed("order", "swapped", index=position, other=source)
            return
    run.passed("order", n=count)


def bounded(run: Run) -> None:
    rng = run.random("bounded")
    for count, workers, maxsize in ((12, 3, 4), (5, 1, 2)):
        orders = Orders([round(1.0 + 0.1 * rng.randrange(4), 3) for _ in range(count)])
        scenario = _process(run, f"bounded-{workers}", orders, workers, maxsize)
        outcome = _returned(run, "bounded", scenario)
        if outcome is None:
            return
        if not _all_results(orders, outcome.value):
            run.failed("bounded", "not-correct", n=count, workers=workers)
            return
        # Only calls that handle an item count: handle() of something that is not an item is
        # refused at once and does no work, so it cannot make one worker look like several.
        most = peak_in_flight(r for r in scenario.requests.values() if r.id in orders.handles)
        if most > workers:
            run.failed("bounded", "too-many", most=most, workers=workers)
            return
        if most < workers:
            run.failed("bounded", "too-few", most=most, workers=workers, n=count)
            return
    run.passed("bounded")


def backpressure(run: Run) -> None:
    rng = run.random("backpressure")
    for count, workers, maxsize in ((16, 2, 3), (6, 2, 1)):
        orders = Orders(_spread(rng, count, 5, 25), read_latency=0.01)
        scenario = _process(run, f"backpressure-{maxsize}", orders, workers, maxsize)
        outcome = _returned(run, "backpressure", scenario)
        if outcome is None:
            return
        if not _all_results(orders, outcome.value):
            run.failed("backpressure", "not-correct", n=count, maxsize=maxsize)
            return
        if orders.peak_held > maxsize:
            reason = "one-too-many" if orders.peak_held == maxsize + 1 else "read-ahead"
            run.failed(
                "backpressure", reason, peak=orders.peak_held, maxsize=maxsize, workers=workers
            )
            return
    run.passed("backpressure")


def errors(run: Run) -> None:
    rng = run.random("errors")
    count, workers, maxsize = 12, 3, 2
    # Reads take 0.25 s; one of the first three items fails 0.35 s after it starts, while the
    # other handles run (2 s and more) and the next item is being read.
    failing = rng.choice((0, 1, 2))
    latencies = [round(2.0 + 0.1 * rng.randrange(10), 3) for _ in range(count)]
    latencies[failing] = 0.35
    error = ExcInfo("ValueError", args=(f"order {failing}: invalid quantity",))
    orders = Orders(latencies, read_latency=0.25, failures={failing: error})
    scenario = _process(run, "errors", orders, workers, maxsize)
    ending = scenario.ending
    assert ending is not None
    if not ending.completed:
        run.fail_ending("errors", ending)
        return
    call = only_call(scenario)
    outcome = call.outcome
    if isinstance(outcome, Returned):
        if not outcome.awaitable:
            run.failed("errors", "not-async", fn=FN)
        else:
            run.failed("errors", "returned", type=describe_type(outcome.value))
        return
    assert isinstance(outcome, Raised)
    if orders.failed_at is None:
        run.failed("errors", "raised", fn=FN, **describe_exception(outcome.exc))
        return
    if (outcome.exc.type, outcome.exc.args) != (error.type, error.args):
        run.failed("errors", "wrong-exception", exc_type=outcome.exc.type)
        return
    running = [scenario.requests[i] for i in call.left_running]
    handles = [r for r in running if r.stub == "handle"]
    if any(r.cancelled_at is None for r in handles):
        run.failed("errors", "not-cancelled", n=sum(r.cancelled_at is None for r in handles))
        return
    if handles:
        run.failed("errors", "not-awaited", n=len(handles))
        return
    if len(running) > len(handles):
        run.failed("errors", "still-reading")
        return
    if orders.reads_after_error or orders.starts_after_error:
        run.failed(
            "errors", "kept-going", reads=orders.reads_after_error, starts=orders.starts_after_error
        )
        return
    assert call.finished_at is not None
    assert call.started_at is not None
    if call.finished_at > orders.failed_at + EPSILON:
        run.failed(
            "errors",
            "late",
            took=f"{call.finished_at - call.started_at:g}",
            at=f"{orders.failed_at - call.started_at:g}",
        )
        return
    run.passed("errors")
