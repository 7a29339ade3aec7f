"""first-success: `async def first_success(urls, fetch, timeout) -> bytes`.

`fetch` is graceful (`Scenario.service(..., graceful=True)`): a cancelled fetch is still
cancelling until the grader confirms it, at the same virtual instant, so code that cancels the
other fetches without awaiting them returns while they still run, and the grader sees it.

Checks: fastest (every URL requested at once; the body of the first fetch to *succeed*, at the
virtual time it succeeded, although failures came first), cancels-rest (when it returns or
raises, no fetch is still in flight or still cancelling: after the first success and after the
timeout), timeout (no success within `timeout`: TimeoutError exactly at `timeout`, although some
fetches failed before, and a fetch still outstanding then), all-fail (every fetch fails: the
error of the last one to fail, raised when it failed).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..engine.model import Raised, Returned
from ..engine.run import Run
from ..engine.scenario import Scenario
from ..harness.wire import ExcInfo
from .common import only_call
from .fakes import Web, describe_type, make_urls

FN = "first_success"
EPSILON = 1e-9


@dataclass
class Race:
    """URLs with latencies; `failures` maps a URL to the error its fetch raises."""

    urls: list[str]
    latencies: list[float]
    failures: dict[str, ExcInfo]
    timeout: float

    def __post_init__(self) -> None:
        self.web = Web(self.urls, self.latencies, failures=self.failures)

    def first_success(self) -> tuple[int, float] | None:
        successes = [
            (latency, index)
            for index, (url, latency) in enumerate(zip(self.urls, self.latencies, strict=True))
            if url not in self.failures
        ]
        if not successes:
            return None
        latency, index = min(successes)
        return index, latency

    def last_failure(self) -> tuple[int, float]:
        latency, index = max(
            (self.latencies[i], i) for i, url in enumerate(self.urls) if url in self.failures
        )
        return index, latency


def grade(run: Run) -> None:
    fastest = _race(run, "fastest", _fastest_race(run.random("fastest")))
    judge_fastest(run, fastest)
    timed_out = _race(run, "timeout", _timeout_race(run.random("timeout")))
    judge_timeout(run, timed_out)
    judge_cancels_rest(run, fastest, timed_out)
    judge_all_fail(run, _race(run, "all-fail", _all_fail_race(run.random("all-fail"))))


@dataclass
class Ran:
    race: Race
    scenario: Scenario


def _race(run: Run, name: str, race: Race) -> Ran:
    scenario = run.scenario(name)
    fetch = scenario.service("fetch", race.web.fetch, graceful=True)
    scenario.call(FN, list(race.urls), fetch, race.timeout)
    scenario.run()
    return Ran(race, scenario)


def _distinct(rng: random.Random, count: int, low: int, high: int, step: float) -> list[float]:
    return [round(n * step, 3) for n in sorted(rng.sample(range(low, high), count))]


def _refused(url: str, kind: str = "ConnectionRefusedError") -> ExcInfo:
    return ExcInfo(kind, args=(f"{url}: connection failed",))


def _fastest_race(rng: random.Random) -> Race:
    """Two failures first, then the first success, then later successes and a failure."""
    urls = make_urls(rng, 6)
    f0, f1, s0, s1, f2, s2 = _distinct(rng, 6, 2, 40, 0.1)
    order = list(range(6))
    rng.shuffle(order)
    latencies = [0.0] * 6
    failing = []
    for slot, latency, fails in zip(
        order, (f0, f1, s0, s1, f2, s2), (True, True, False, False, True, False), strict=True
    ):
        latencies[slot] = latency
        if fails:
            failing.append(urls[slot])
    failures = {url: _refused(url) for url in failing}
    return Race(urls, latencies, failures, timeout=10.0)


def _timeout_race(rng: random.Random) -> Race:
    """No success within the timeout; two failures before it."""
    timeout = rng.choice((1.5, 2.0, 2.5))
    urls = make_urls(rng, 5)
    latencies = [0.4 * timeout, 0.8 * timeout, 1.5 * timeout, 2.0 * timeout, 3.0 * timeout]
    rng.shuffle(latencies)
    failures = {
        url: _refused(url, "ConnectionResetError")
        for url, latency in zip(urls, latencies, strict=True)
        if latency < timeout
    }
    return Race(urls, [round(x, 3) for x in latencies], failures, timeout=timeout)


def _all_fail_race(rng: random.Random) -> Race:
    """Every fetch fails before the timeout; the last to fail is neither the first nor the last
    URL, and the errors differ in type and text."""
    urls = make_urls(rng, 4)
    latencies = _distinct(rng, 4, 3, 30, 0.1)
    slowest = latencies.pop()
    rng.shuffle(latencies)
    latencies.insert(rng.choice((1, 2)), slowest)
    kinds = ("ConnectionRefusedError", "ConnectionResetError", "ConnectionError", "OSError")
    failures = {url: _refused(url, kind) for url, kind in zip(urls, kinds, strict=True)}
    return Race(urls, latencies, failures, timeout=10.0)


def _elapsed(ran: Ran) -> float:
    call = only_call(ran.scenario)
    assert call.started_at is not None
    assert call.finished_at is not None
    return call.finished_at - call.started_at


def _completed(run: Run, check: str, ran: Ran) -> Returned | Raised | None:
    ending = ran.scenario.ending
    assert ending is not None
    if not ending.completed:
        run.fail_ending(check, ending)
        return None
    outcome = only_call(ran.scenario).outcome
    if isinstance(outcome, Returned) and not outcome.awaitable:
        run.failed(check, "not-async", fn=FN)
        return None
    return outcome


def _error_index(race: Race, exc: ExcInfo) -> int | None:
    for index, url in enumerate(race.urls):
        failure = race.failures.get(url)
        if failure is not None and (exc.type, exc.args) == (failure.type, failure.args):
            return index
    return None


def judge_fastest(run: Run, ran: Ran) -> None:
    race = ran.race
    first = race.first_success()
    assert first is not None
    index, at = first
    outcome = _completed(run, "fastest", ran)
    if outcome is None:
        return
    if isinstance(outcome, Raised):
        failed = _error_index(race, outcome.exc)
        if failed is not None:
            run.failed("fastest", "raised-failure", failed=failed, index=index, at=f"{at:g}")
        else:
            run.failed(
                "fastest",
                "raised",
                fn=FN,
                exc_type=outcome.exc.type,
                exc_text=outcome.exc.text,
                where="",
            )
        return
    if not _all_requested(run, "fastest", ran):
        return
    got = race.web.source_of(outcome.value)
    if got is None:
        run.failed("fastest", "wrong-body", type=describe_type(outcome.value))
        return
    if got != index:
        run.failed("fastest", "not-first", got=got, index=index, at=f"{at:g}")
        return
    took = _elapsed(ran)
    if abs(took - at) > EPSILON:
        run.failed("fastest", "late", took=f"{took:g}", at=f"{at:g}")
        return
    run.passed("fastest", n=len(race.urls), at=f"{at:g}")


def _all_requested(run: Run, check: str, ran: Ran) -> bool:
    """Whether every URL was fetched once, all at the start of the call (else fail `check`)."""
    requested: dict[object, float] = {}
    for request in sorted(ran.scenario.requests.values(), key=lambda r: r.order, reverse=True):
        if request.args:  # the earliest request of each URL wins
            requested[request.args[0]] = request.issued_at
    start = only_call(ran.scenario).started_at or 0.0
    for position, times in enumerate(ran.race.web.times_fetched().values()):
        if times > 1:
            run.failed(check, "fetched-times", index=position, times=times)
            return False
    for position, url in enumerate(ran.race.urls):
        if url not in requested:
            run.failed(check, "not-requested", index=position, at=f"{_elapsed(ran):g}")
            return False
        if requested[url] > start + EPSILON:
            run.failed(check, "started-late", index=position, at=f"{requested[url] - start:g}")
            return False
    return True


def judge_timeout(run: Run, ran: Ran) -> None:
    timeout = ran.race.timeout
    outcome = _completed(run, "timeout", ran)
    if outcome is None:
        return
    # A timeout is one only if something was being waited for: sleeping and raising, without
    # a fetch still outstanding at the timeout, proves nothing. (All at once is `fastest`.)
    start = only_call(ran.scenario).started_at or 0.0
    outstanding = [
        r
        for r in ran.scenario.requests.values()
        if r.completed_at is None or r.completed_at > start + timeout + EPSILON
    ]
    if not outstanding:
        run.failed("timeout", "nothing-outstanding", timeout=f"{timeout:g}")
        return
    if isinstance(outcome, Returned):
        run.failed(
            "timeout",
            "returned",
            type=describe_type(outcome.value),
            took=f"{_elapsed(ran):g}",
            timeout=f"{timeout:g}",
        )
        return
    took = _elapsed(ran)
    if outcome.exc.type != "TimeoutError" or not outcome.exc.builtin:
        run.failed(
            "timeout",
            "wrong-exception",
            exc_type=outcome.exc.type,
            took=f"{took:g}",
            timeout=f"{timeout:g}",
        )
        return
    if abs(took - timeout) > EPSILON:
        run.failed("timeout", "not-at-timeout", took=f"{took:g}", timeout=f"{timeout:g}")
        return
    run.passed("timeout", timeout=f"{timeout:g}")


def judge_cancels_rest(run: Run, fastest: Ran, timed_out: Ran) -> None:
    for ran, when in ((fastest, "success"), (timed_out, "timeout")):
        outcome = _completed(run, "cancels-rest", ran)
        if outcome is None:
            return
        scenario = ran.scenario
        if not scenario.requests:
            run.failed("cancels-rest", "no-requests")
            return
        running = [scenario.requests[i] for i in only_call(scenario).left_running]
        in_flight = sum(r.cancelled_at is None for r in running)
        cancelling = len(running) - in_flight
        if in_flight:
            run.failed("cancels-rest", f"not-cancelled-{when}", n=in_flight)
            return
        if cancelling:
            run.failed("cancels-rest", f"not-awaited-{when}", n=cancelling)
            return
    run.passed("cancels-rest")


def judge_all_fail(run: Run, ran: Ran) -> None:
    race = ran.race
    index, at = race.last_failure()
    outcome = _completed(run, "all-fail", ran)
    if outcome is None:
        return
    if isinstance(outcome, Returned):
        run.failed("all-fail", "returned", type=describe_type(outcome.value))
        return
    took = _elapsed(ran)
    if outcome.exc.type == "TimeoutError":
        run.failed("all-fail", "timed-out", took=f"{took:g}", at=f"{at:g}")
        return
    got = _error_index(race, outcome.exc)
    if got is None:
        run.failed("all-fail", "other-exception", exc_type=outcome.exc.type)
        return
    if got != index:
        got_at = race.latencies[got]
        run.failed("all-fail", "not-last", got=got, got_at=f"{got_at:g}", index=index, at=f"{at:g}")
        return
    if abs(took - at) > EPSILON:
        run.failed("all-fail", "late", took=f"{took:g}", at=f"{at:g}")
        return
    run.passed("all-fail", n=len(race.urls), index=index, at=f"{at:g}")
