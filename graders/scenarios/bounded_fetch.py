"""bounded-fetch: `async def fetch_bounded(urls, fetch, limit) -> list[bytes]`.

Checks: correct (bodies in order; limit above and below the number of URLs; the empty list),
bounded (never more than `limit` fetches in flight), saturates (while URLs are waiting, exactly
`limit` fetches are in flight: a finished fetch is replaced at the same virtual instant, so the
makespan equals the greedy schedule's; batches of `limit` fail this; only the first fetch of each
URL counts), validates-limit (`limit < 1` raises ValueError before anything is fetched, and
`limit` = 1 does not).
"""

from __future__ import annotations

import random

from ..engine.model import Raised, Request, Returned
from ..engine.run import Run
from ..engine.scenario import Scenario
from .common import makespan, only_call, raised, returned
from .fakes import Web, compare_bodies, describe_type, make_urls, same_bodies

FN = "fetch_bounded"


def grade(run: Run) -> None:
    correct(run)
    bounded(run)
    saturates(run)
    validates_limit(run)


def _fetch_bounded(run: Run, name: str, web: Web, urls: list[str], limit: int) -> Scenario:
    scenario = run.scenario(name)
    fetch = scenario.service("fetch", web.fetch)
    scenario.call(FN, urls, fetch, limit)
    scenario.run()
    return scenario


def _spread(rng: random.Random, count: int, step: float = 0.1) -> list[float]:
    latencies = [round(step * (i + 1), 3) for i in range(count)]
    rng.shuffle(latencies)
    return latencies


def correct(run: Run) -> None:
    rng = run.random("correct")
    for count, limit in ((7, 3), (4, 10)):
        urls = make_urls(rng, count)
        web = Web(urls, _spread(rng, count))
        scenario = _fetch_bounded(run, f"correct-{count}-{limit}", web, urls, limit)
        outcome = returned(run, "correct", scenario, FN)
        if outcome is None:
            return
        wrong = compare_bodies(web, outcome.value, urls)
        if wrong is not None:
            run.failed("correct", wrong[0], limit=limit, **wrong[1])
            return
        for index, times in enumerate(web.times_fetched().values()):
            if times != 1:
                run.failed("correct", "fetched-times", index=index, times=times)
                return
    scenario = _fetch_bounded(run, "correct-empty", Web([], []), [], 2)
    outcome = returned(run, "correct", scenario, FN)
    if outcome is None:
        return
    if outcome.value != [] or not isinstance(outcome.value, list):
        run.failed("correct", "empty", type=describe_type(outcome.value))
        return
    run.passed("correct")


def bounded(run: Run) -> None:
    rng = run.random("bounded")
    for count, limit in ((12, 3), (5, 1)):
        urls = make_urls(rng, count)
        web = Web(urls, _spread(rng, count))
        scenario = _fetch_bounded(run, f"bounded-{count}-{limit}", web, urls, limit)
        outcome = returned(run, "bounded", scenario, FN)
        if outcome is None:
            return
        if not same_bodies(web, outcome.value, urls):
            run.failed("bounded", "not-correct", n=count, limit=limit)
            return
        most = scenario.observations.max_in_flight.get("fetch", 0)
        if most > limit:
            run.failed("bounded", "too-many", most=most, limit=limit, n=count)
            return
    run.passed("bounded")


def greedy_makespan(latencies: list[float], limit: int) -> float:
    """Start URLs in list order, a new one the instant one finishes."""
    finishing: list[float] = []
    for latency in latencies:
        start = 0.0
        if len(finishing) >= limit:
            finishing.sort()
            start = finishing.pop(0)
        finishing.append(start + latency)
    return max(finishing, default=0.0)


def first_fetches(requests: list[Request], urls: list[str]) -> list[Request]:
    """The first request of each URL of the scenario: the work. Requests for other URLs and
    repeated fetches are left out, so that they cannot stand in for a URL that waits."""
    wanted = set(urls)
    first: dict[str, Request] = {}
    for request in sorted(requests, key=lambda r: r.order):
        url = request.args[0] if len(request.args) == 1 else None
        if isinstance(url, str) and url in wanted and url not in first:
            first[url] = request
    return list(first.values())


def idle_slot(
    requests: list[Request], start: float, count: int, limit: int
) -> tuple[float, int] | None:
    """The first instant some URL was waiting while fewer than `limit` fetches were in flight
    (`requests`: the first fetch of each URL, see first_fetches)."""

    def end(r: Request) -> float | None:
        return r.completed_at if r.completed_at is not None else r.cancelled_at

    instants = sorted({start} | {t for r in requests if (t := end(r)) is not None})
    for t in instants:
        started = [r for r in requests if r.issued_at <= t + 1e-9]
        if len(started) >= count:
            return None
        in_flight = [r for r in started if (e := end(r)) is None or e > t + 1e-9]
        if len(in_flight) < limit:
            return t - start, len(in_flight)
    return None


def saturates(run: Run) -> None:
    rng = run.random("saturates")
    count, limit = 12, 3
    urls = make_urls(rng, count)
    latencies = [round(0.1 * rng.randint(2, 12), 3) for _ in range(count)]
    web = Web(urls, latencies)
    scenario = _fetch_bounded(run, "saturates", web, urls, limit)
    outcome = returned(run, "saturates", scenario, FN)
    if outcome is None:
        return
    if not same_bodies(web, outcome.value, urls):
        run.failed("saturates", "not-correct", n=count, limit=limit)
        return
    call = only_call(scenario)
    assert call.started_at is not None
    fetches = first_fetches(list(scenario.requests.values()), urls)
    slot = idle_slot(fetches, call.started_at, count, limit)
    if slot is not None:
        at, in_flight = slot
        run.failed(
            "saturates",
            "idle-slot",
            at=f"{at:g}",
            in_flight=in_flight,
            limit=limit,
            makespan=f"{makespan(call):g}",
            greedy=f"{greedy_makespan(latencies, limit):g}",
        )
        return
    run.passed("saturates", limit=limit)


def validates_limit(run: Run) -> None:
    rng = run.random("validates-limit")
    # First a valid limit: code that raises ValueError whatever the limit validates nothing.
    urls = make_urls(rng, 2)
    web = Web(urls, [0.5, 0.5])
    scenario = _fetch_bounded(run, "limit-1", web, urls, 1)
    outcome = raised(run, "validates-limit", scenario, FN)
    if outcome is None:
        return
    if isinstance(outcome, Raised) and outcome.exc.type == "ValueError":
        run.failed("validates-limit", "valid-limit-raised", limit=1)
        return
    for count, limit in ((3, 0), (3, -2), (0, 0)):
        urls = make_urls(rng, count)
        web = Web(urls, [0.5] * count)
        scenario = _fetch_bounded(run, f"limit-{limit}", web, urls, limit)
        outcome = raised(run, "validates-limit", scenario, FN)
        if outcome is None:
            return
        if isinstance(outcome, Returned):
            run.failed(
                "validates-limit", "returned", limit=limit, type=describe_type(outcome.value)
            )
            return
        assert isinstance(outcome, Raised)
        if outcome.exc.type != "ValueError":
            run.failed("validates-limit", "wrong-exception", limit=limit, exc_type=outcome.exc.type)
            return
        if web.fetched:
            run.failed("validates-limit", "fetched", limit=limit)
            return
    run.passed("validates-limit")
