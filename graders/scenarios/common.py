"""Helpers shared by scenarios modules."""

from __future__ import annotations

from ..engine.model import Call, Raised, Returned
from ..engine.run import Run
from ..engine.scenario import Scenario


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
