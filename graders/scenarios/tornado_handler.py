"""tornado-handler: `def make_app(backend) -> tornado.web.Application`.

The grader builds the student's app in the child (Tornado 6 on the child's virtual-time asyncio
loop), serves it on sockets it holds the other end of, and speaks HTTP/1.1 to it, one request per
connection. `backend.slow(n)` is an async stub whose latency the grader chooses.

Checks: responses (GET /slow/<n> answers 200 with backend.slow(n)'s result, n passed as an int;
GET /fast answers 200 "ok"), fast-not-blocked (with five /slow requests waiting, /fast is
answered at the very virtual instant it was sent, while the /slow requests wait for the backend),
concurrent-slow (ten /slow requests: all ten backend calls in flight together, every answer
after one latency), no-blocking (the loop never stays busy for long: measured by the grader
between idle reports, as for gather-all).
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import dataclass, field

from ..engine.model import Call, Reply, Request
from ..engine.run import Run
from ..engine.scenario import Scenario
from ..harness.wire import ExcInfo
from .common import BLOCKING_FLOOR, BLOCKING_LIMIT, blocked
from .fakes import describe_type, type_error
from .http_client import Exchange, Malformed, Response
from .tornado_site import app_failed, build, run_until, serve

FN = "make_app"
EPSILON = 1e-9


@dataclass
class Backend:
    """`await backend.slow(n)` answers a random text after `latency(n)` virtual seconds."""

    base: float = 1.0
    per_n: float = 0.0
    results: dict[int, str] = field(default_factory=dict)
    calls: Counter[int] = field(default_factory=Counter)
    wrong_type: str | None = None  # the type name of a non-int n, if any came

    def latency(self, n: int) -> float:
        return round(self.base + self.per_n * n, 6)

    def result(self, n: int) -> str:
        if n not in self.results:
            self.results[n] = f"slow {n}: {secrets.token_hex(8)}"
        return self.results[n]

    def slow(self, request: Request) -> Reply:
        if len(request.args) != 1:
            return type_error("backend.slow(n) takes one argument")
        n = request.args[0]
        if not isinstance(n, int) or isinstance(n, bool):
            self.wrong_type = describe_type(n)
            return type_error(f"backend.slow(n): n must be an int, not {self.wrong_type}")
        if n < 0 or n > 10_000:
            return Reply(error=ExcInfo("ValueError", args=(f"no such n: {n}",)))
        self.calls[n] += 1
        return Reply(self.latency(n), value=self.result(n))


@dataclass
class Site:
    scenario: Scenario
    app: Call  # the student's make_app(backend)
    backend: Backend
    exchanges: list[Exchange]

    def start(self) -> float:
        return self.scenario.start_clock


def grade(run: Run) -> None:
    scenarios: list[Scenario] = []
    responses(run, scenarios)
    fast_not_blocked(run, scenarios)
    concurrent_slow(run, scenarios)
    no_blocking(run, scenarios)


def _site(run: Run, name: str, backend: Backend, requests: list[tuple[str, float]]) -> Site:
    scenario = run.scenario(name, measure_blocking=True)
    stub = scenario.service_object("backend", {"slow": backend.slow})
    app = build(scenario, FN, stub)
    exchanges = []
    for path, at in requests:
        exchange = Exchange(serve(scenario), path, at)
        scenario.at(at, exchange.send)
        exchanges.append(exchange)
    # Long enough for code that takes the requests one at a time (virtual time is free).
    latencies = [backend.latency(_n(path)) for path, _at in requests if _n(path) >= 0]
    run_until(scenario, max((at for _path, at in requests), default=0.0) + sum(latencies) + 1.0)
    return Site(scenario, app, backend, exchanges)


def _n(path: str) -> int:
    return int(path.rsplit("/", 1)[1]) if path.startswith("/slow/") else -1


def _broken(run: Run, check: str, site: Site) -> bool:
    return app_failed(run, check, site.scenario, site.app)


def _answered(exchange: Exchange, backend: Backend) -> bool:
    """Whether the exchange got 200 with the right body (random for /slow: unguessable)."""
    response = exchange.response()
    n = _n(exchange.path)
    expected = backend.result(n).encode() if n >= 0 else b"ok"
    return isinstance(response, Response) and response.status == 200 and response.body == expected


def responses(run: Run, scenarios: list[Scenario]) -> None:
    rng = run.random("responses")
    backend = Backend(base=0.5, per_n=0.25)
    paths = [f"/slow/{n}" for n in [0, *sorted(rng.sample(range(1, 12), 2))]] + ["/fast"]
    site = _site(run, "responses", backend, [(path, 0.0) for path in paths])
    scenarios.append(site.scenario)
    if _broken(run, "responses", site):
        return
    for exchange in site.exchanges:
        path = exchange.path
        response = exchange.response()
        if backend.wrong_type is not None:
            run.failed("responses", "n-type", type=backend.wrong_type)
            return
        if isinstance(response, Malformed):
            run.failed("responses", "malformed", path=path)
            return
        if response is None:
            run.failed("responses", "no-response", path=path)
            return
        if response.status != 200:
            run.failed("responses", "status", path=path, status=response.status)
            return
        n = _n(path)
        expected = backend.result(n).encode() if n >= 0 else b"ok"
        if response.body != expected:
            run.failed("responses", "slow-body" if n >= 0 else "fast-body", path=path)
            return
        if n >= 0 and backend.calls[n] != 1:
            run.failed("responses", "backend-calls", path=path, calls=backend.calls[n])
            return
    run.passed("responses", n=len(paths) - 1)


def fast_not_blocked(run: Run, scenarios: list[Scenario]) -> None:
    rng = run.random("fast-not-blocked")
    backend = Backend(base=2.0)
    slow = [(f"/slow/{n}", 0.0) for n in rng.sample(range(1, 50), 5)]
    fast = [("/fast", 0.5), ("/fast", 1.5)]
    site = _site(run, "fast-not-blocked", backend, slow + fast)
    scenarios.append(site.scenario)
    if _broken(run, "fast-not-blocked", site):
        return
    # The /slow requests must really have waited for the backend: an app that answers
    # everything at once, backend or not, never delays /fast.
    for exchange in site.exchanges[: len(slow)]:
        n = _n(exchange.path)
        response = exchange.response()
        answered = exchange.answered_at(site.start())
        waited = answered is not None and answered >= backend.latency(n) - EPSILON
        if not isinstance(response, Response) or not backend.calls[n] or not waited:
            run.failed("fast-not-blocked", "not-correct")
            return
    for exchange in site.exchanges[len(slow) :]:
        if not _answered(exchange, backend):
            run.failed("fast-not-blocked", "not-correct")
            return
        answered = exchange.answered_at(site.start())
        assert answered is not None
        if abs(answered - exchange.sent_at) > EPSILON:
            run.failed(
                "fast-not-blocked",
                "delayed",
                sent=f"{exchange.sent_at:g}",
                answered=f"{answered:g}",
                n=len(slow),
            )
            return
    run.passed("fast-not-blocked", n=len(slow))


def concurrent_slow(run: Run, scenarios: list[Scenario]) -> None:
    rng = run.random("concurrent-slow")
    backend = Backend(base=1.0)
    count = 10
    requests = [(f"/slow/{n}", 0.0) for n in rng.sample(range(1, 100), count)]
    site = _site(run, "concurrent-slow", backend, requests)
    scenarios.append(site.scenario)
    if _broken(run, "concurrent-slow", site):
        return
    if not all(_answered(exchange, backend) for exchange in site.exchanges):
        run.failed("concurrent-slow", "not-correct", n=count)
        return
    most = site.scenario.observations.max_in_flight.get("backend.slow", 0)
    last = max(exchange.answered_at(site.start()) or 0.0 for exchange in site.exchanges)
    if most < count or last > backend.base + EPSILON:
        run.failed(
            "concurrent-slow",
            "serialized",
            most=most,
            n=count,
            last=f"{last:g}",
            latency=f"{backend.base:g}",
        )
        return
    run.passed("concurrent-slow", n=count, latency=f"{backend.base:g}")


def no_blocking(run: Run, scenarios: list[Scenario]) -> None:
    rng = run.random("no-blocking")
    backend = Backend(base=0.2, per_n=0.1)
    requests = [(f"/slow/{n}", round(0.1 * i, 3)) for i, n in enumerate(_sample(rng, 8))]
    requests.append(("/fast", 0.45))
    site = _site(run, "no-blocking", backend, requests)
    scenarios.append(site.scenario)
    if _broken(run, "no-blocking", site):
        return
    if not all(_answered(exchange, backend) for exchange in site.exchanges):
        run.failed("no-blocking", "not-correct", n=len(requests))
        return
    if blocked(scenarios):
        run.failed(
            "no-blocking",
            "blocked",
            limit=f"{BLOCKING_LIMIT:g}",
            floor=f"{BLOCKING_FLOOR * 1000:g}",
        )
        return
    run.passed("no-blocking", n=len(requests))


def _sample(rng: random.Random, count: int) -> list[int]:
    return rng.sample(range(1, 20), count)
