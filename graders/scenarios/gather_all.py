"""gather-all: `async def fetch_all(urls, fetch) -> list[bytes]`, every fetch at once.

Checks: correct (bodies in order, each URL fetched once, the empty list), concurrent (all 50
requests in flight together; the virtual makespan is the slowest latency), errors (a failing
fetch's exception propagates), no-blocking (the loop never stays busy for long: the grader
times each stretch between two idle reports, outside the child).
"""

from __future__ import annotations

from ..engine.model import Returned
from ..engine.run import Run
from ..engine.scenario import Scenario
from .common import BLOCKING_FLOOR, BLOCKING_LIMIT, blocked, makespan, only_call, raised, returned
from .fakes import Web, compare_bodies, describe_type, fetch_error, make_urls, same_bodies

FN = "fetch_all"
CONCURRENT_URLS = 50


def grade(run: Run) -> None:
    scenarios: list[Scenario] = []
    correct(run, scenarios)
    concurrent(run, scenarios)
    errors(run, scenarios)
    no_blocking(run, scenarios)


def _fetch_all(run: Run, name: str, web: Web, urls: list[str]) -> Scenario:
    scenario = run.scenario(name, measure_blocking=True)
    fetch = scenario.service("fetch", web.fetch)
    scenario.call(FN, urls, fetch)
    scenario.run()
    return scenario


def correct(run: Run, scenarios: list[Scenario]) -> None:
    rng = run.random("correct")
    urls = make_urls(rng, 8)
    latencies = [0.1 * (i + 1) for i in range(len(urls))]
    rng.shuffle(latencies)  # bodies arrive in another order than urls
    web = Web(urls, latencies)
    scenario = _fetch_all(run, "correct", web, urls)
    scenarios.append(scenario)
    outcome = returned(run, "correct", scenario, FN)
    if outcome is None:
        return
    wrong = compare_bodies(web, outcome.value, urls)
    if wrong is not None:
        run.failed("correct", wrong[0], **wrong[1])
        return
    for index, times in enumerate(web.times_fetched().values()):
        if times != 1:
            run.failed("correct", "fetched-times", index=index, times=times)
            return
    empty = Web([], [])
    scenario = _fetch_all(run, "correct-empty", empty, [])
    scenarios.append(scenario)
    outcome = returned(run, "correct", scenario, FN)
    if outcome is None:
        return
    if outcome.value != [] or not isinstance(outcome.value, list):
        run.failed("correct", "empty", type=describe_type(outcome.value))
        return
    run.passed("correct", n=len(urls))


def concurrent(run: Run, scenarios: list[Scenario]) -> None:
    rng = run.random("concurrent")
    urls = make_urls(rng, CONCURRENT_URLS)
    web = Web(urls, [1.0] * len(urls))
    scenario = _fetch_all(run, "concurrent", web, urls)
    scenarios.append(scenario)
    outcome = returned(run, "concurrent", scenario, FN)
    if outcome is None:
        return
    if not same_bodies(web, outcome.value, urls):
        run.failed("concurrent", "not-correct", n=len(urls))
        return
    took = makespan(only_call(scenario))
    most = scenario.observations.max_in_flight.get("fetch", 0)
    if most < len(urls) or took > 1.0 + 1e-6:
        run.failed(
            "concurrent",
            "too-few-in-flight",
            most=most,
            n=len(urls),
            makespan=f"{took:g}",
            expected="1",
        )
        return
    run.passed("concurrent", n=len(urls))


def errors(run: Run, scenarios: list[Scenario]) -> None:
    rng = run.random("errors")
    urls = make_urls(rng, 6)
    failing = urls[2]
    error = fetch_error(f"connection reset by {failing}")
    latencies = [1.0] * len(urls)
    latencies[2] = 0.3
    web = Web(urls, latencies, failures={failing: error})
    scenario = _fetch_all(run, "errors", web, urls)
    scenarios.append(scenario)
    outcome = raised(run, "errors", scenario, FN)
    if outcome is None:
        return
    if isinstance(outcome, Returned):
        run.failed("errors", "returned", type=describe_type(outcome.value))
        return
    if outcome.exc.type != error.type or outcome.exc.args != error.args:
        run.failed("errors", "wrong-exception", exc_type=outcome.exc.type)
        return
    run.passed("errors")


def no_blocking(run: Run, scenarios: list[Scenario]) -> None:
    rng = run.random("no-blocking")
    urls = make_urls(rng, 20)
    latencies = [round(0.2 + 0.04 * i, 2) for i in range(len(urls))]
    rng.shuffle(latencies)
    web = Web(urls, latencies)
    scenario = _fetch_all(run, "no-blocking", web, urls)
    scenarios.append(scenario)
    outcome = returned(run, "no-blocking", scenario, FN)
    if outcome is None:
        return
    if not same_bodies(web, outcome.value, urls):
        run.failed("no-blocking", "not-correct", n=len(urls))
        return
    if blocked(scenarios):
        run.failed(
            "no-blocking",
            "blocked",
            limit=f"{BLOCKING_LIMIT:g}",
            floor=f"{BLOCKING_FLOOR * 1000:g}",
        )
        return
    run.passed("no-blocking", n=len(urls))
