"""Driving a student's Tornado application from the grader: build it in the child, serve it on
sockets the grader holds the other end of, and run a scenario to a fixed virtual end.

Usage:
    scenario = run.scenario("fast", measure_blocking=True)
    app = build(scenario, "make_app", backend_stub)      # the student's make_app(backend)
    conn = serve(scenario)                               # one client connection
    scenario.at(0.5, lambda: conn.write(http_client.get("/fast")))
    run_until(scenario, 5.0)
    judge_app(run, check, app)                           # make_app must have returned
"""

from __future__ import annotations

from typing import Any

from ..engine.connection import Connection
from ..engine.model import Call, Raised, Returned
from ..engine.run import Run, describe_exception
from ..engine.scenario import Scenario
from ..harness.wire import Helper, Ref

APP = "app"


def build(scenario: Scenario, fn: str, *args: Any) -> Call:
    """Call the student's `fn(*args)` in the child and keep what it returns as the app."""
    return scenario.call(fn, *args, keep=APP)


def serve(scenario: Scenario, *, send_buffer: int | None = None) -> Connection:
    """A client connection to the app (`build` first): the child serves it with Tornado's
    HTTPServer, on the event loop, like any connection accepted from a listening socket."""
    connection = scenario.connect(send_buffer=send_buffer)
    scenario.call(Helper("tornado.serve"), Ref(APP), connection.fd)
    return connection


def run_until(scenario: Scenario, end: float) -> None:
    """Run the scenario until virtual time `end` (relative to its start): every action up to
    then happens, whatever the app does; nothing after."""
    reached: list[bool] = []
    scenario.at(end, lambda: reached.append(True))
    scenario.run(until=lambda: bool(reached))


def app_failed(run: Run, check: str, scenario: Scenario, app: Call) -> bool:
    """Fail `check` (and say True) when the scenario broke or the app could not be built."""
    ending = scenario.ending
    assert ending is not None
    if not ending.completed:
        run.fail_ending(check, ending)
        return True
    outcome = app.outcome
    if isinstance(outcome, Raised):
        run.failed(check, "raised", fn=app.name, **describe_exception(outcome.exc))
        return True
    if not isinstance(outcome, Returned):
        run.failed(check, "no-result", fn=app.name)
        return True
    if outcome.awaitable:
        run.failed(check, "app-coroutine", fn=app.name)
        return True
    for call in scenario.calls.values():
        if call is not app and isinstance(call.outcome, Raised):
            run.failed(check, "not-an-app", fn=app.name, exc_type=call.outcome.exc.type)
            return True
    return False
