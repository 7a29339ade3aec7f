"""Helpers shared by scenarios modules."""

from __future__ import annotations

from collections.abc import Iterable

from ..engine.model import Call, Raised, Request, Returned
from ..engine.run import Run
from ..engine.scenario import Scenario

# Blocking the event loop, measured by the grader in real time (scenarios run with
# measure_blocking): every stretch of at least BLOCKING_FLOOR between a step and the loop's next
# idle moment counts, and more than BLOCKING_LIMIT in all is blocking. A correct loop runs a
# fraction of a millisecond per step (a few milliseconds at worst, on a loaded machine); the
# known-wrong solutions block for tens of milliseconds per step or more.
BLOCKING_LIMIT = 0.1
BLOCKING_FLOOR = 0.005


def blocked(scenarios: Iterable[Scenario]) -> bool:
    """Whether the loop was blocked in any of these (measured) scenarios, in all."""
    scenarios = list(scenarios)
    if any(s.observations.loop_thread_busy for s in scenarios):
        return True  # it said it was idle while the kernel saw its loop thread busy
    return sum(s.observations.blocked(BLOCKING_FLOOR) for s in scenarios) > BLOCKING_LIMIT


def peak_in_flight(requests: Iterable[Request]) -> int:
    """The most of these requests in flight at one virtual instant (a request ends when it
    completes or is cancelled; one that ends at t and one issued at t do not overlap)."""
    events: list[tuple[float, int]] = []
    for request in requests:
        events.append((request.issued_at, 1))
        end = request.completed_at if request.completed_at is not None else request.cancelled_at
        if end is not None:
            events.append((end, -1))
    peak = current = 0
    for _t, delta in sorted(events):  # at equal times -1 sorts first: ends before starts
        current += delta
        peak = max(peak, current)
    return peak


def only_call(scenario: Scenario) -> Call:
    (call,) = scenario.calls.values()
    return call


def returned(run: Run, check: str, scenario: Scenario, fn: str) -> Returned | None:
    """The single call's return value, or None after failing `check` with the reason."""
    assert scenario.ending is not None
    if not scenario.ending.completed:
        run.fail_ending(check, scenario.ending)
        return None
    outcome = only_call(scenario).outcome
    if run.fail_outcome(check, outcome, fn=fn):
        return None
    assert isinstance(outcome, Returned)
    return outcome


def raised(run: Run, check: str, scenario: Scenario, fn: str) -> Raised | Returned | None:
    """The single call's outcome when the scenario completed (else fail `check`, None)."""
    assert scenario.ending is not None
    if not scenario.ending.completed:
        run.fail_ending(check, scenario.ending)
        return None
    outcome = only_call(scenario).outcome
    if isinstance(outcome, Returned) and not outcome.awaitable:
        run.failed(check, "not-async", fn=fn)
        return None
    return outcome


def makespan(call: Call) -> float:
    assert call.started_at is not None
    assert call.finished_at is not None
    return call.finished_at - call.started_at
