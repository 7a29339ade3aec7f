"""retry-backoff: `async def fetch_with_retry(url, fetch, attempts, base_delay) -> bytes`.

The grader's `fetch` follows a script per scenario (fail with this error, or answer this random
body) and answers at once, so the virtual times at which it is called are exactly the waits the
code chose. Checks: succeeds (the body after some ConnectionErrors; one call when the first
succeeds), backoff (calls at exactly 0, d, 3d, 7d, 15d), gives-up (exactly `attempts` calls, then
the last ConnectionError, raised at once; `attempts` = 1 too), selective (another exception
propagates at once, also after a retry; a subclass of ConnectionError is retried).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..engine.model import Raised, Reply, Request, Returned
from ..engine.run import Run
from ..engine.scenario import Scenario
from ..harness.wire import ExcInfo
from .common import only_call
from .fakes import BODY_BYTES, describe_type, type_error

FN = "fetch_with_retry"
EPSILON = 1e-9
URL = "https://api.example.test/orders/"


def refused(attempt: int, kind: str = "ConnectionError") -> ExcInfo:
    return ExcInfo(kind, args=(f"attempt {attempt}: connection refused",))


@dataclass
class Flaky:
    """`fetch` that fails with `errors[k]` on call k and answers `body` once they run out.
    With `body=None` it keeps failing with ConnectionError."""

    url: str
    errors: Sequence[ExcInfo]
    succeeds: bool = True
    body: bytes = field(default_factory=lambda: secrets.token_bytes(BODY_BYTES))
    times: list[float] = field(default_factory=list)

    def fetch(self, request: Request) -> Reply:
        if len(request.args) != 1 or not isinstance(request.args[0], str):
            return type_error("fetch() takes one argument: a URL (str)")
        if request.args[0] != self.url:
            return Reply(error=ExcInfo("ValueError", args=(f"unknown URL {request.args[0]!r}",)))
        self.times.append(request.issued_at)
        k = len(self.times) - 1
        if k < len(self.errors):
            return Reply(error=self.errors[k])
        if self.succeeds:
            return Reply(value=self.body)
        return Reply(error=refused(k + 1))

    @property
    def calls(self) -> int:
        return len(self.times)

    def relative_times(self, start: float) -> list[float]:
        return [t - start for t in self.times]


def grade(run: Run) -> None:
    succeeds(run)
    backoff(run)
    gives_up(run)
    selective(run)


def _retry(run: Run, name: str, flaky: Flaky, attempts: int, delay: float) -> Scenario:
    scenario = run.scenario(name)
    fetch = scenario.service("fetch", flaky.fetch)
    scenario.call(FN, flaky.url, fetch, attempts, delay)
    scenario.run()
    return scenario


def _outcome(run: Run, check: str, scenario: Scenario) -> Returned | Raised | None:
    ending = scenario.ending
    assert ending is not None
    if not ending.completed:
        run.fail_ending(check, ending)
        return None
    outcome = only_call(scenario).outcome
    if isinstance(outcome, Returned) and not outcome.awaitable:
        run.failed(check, "not-async", fn=FN)
        return None
    return outcome


def _start(scenario: Scenario) -> float:
    started = only_call(scenario).started_at
    assert started is not None
    return started


def _finished(scenario: Scenario) -> float:
    call = only_call(scenario)
    assert call.finished_at is not None
    return call.finished_at - _start(scenario)


def _same(exc: ExcInfo, expected: ExcInfo) -> bool:
    return (exc.type, exc.args) == (expected.type, expected.args) and exc.builtin


def succeeds(run: Run) -> None:
    rng = run.random("succeeds")
    cases = [(0, 3), (rng.choice((2, 3)), 5)]  # (failures before the answer, attempts)
    for failures, attempts in cases:
        flaky = Flaky(URL + str(rng.randrange(1000)), [refused(k + 1) for k in range(failures)])
        scenario = _retry(run, f"succeeds-{failures}", flaky, attempts, 0.01)
        outcome = _outcome(run, "succeeds", scenario)
        if outcome is None:
            return
        if isinstance(outcome, Raised):
            run.failed(
                "succeeds",
                "raised",
                fn=FN,
                exc_type=outcome.exc.type,
                exc_text=outcome.exc.text,
                where="",
            )
            return
        if outcome.value != flaky.body:
            run.failed("succeeds", "wrong-body", type=describe_type(outcome.value))
            return
        if flaky.calls != failures + 1:
            run.failed(
                "succeeds", "calls", calls=flaky.calls, expected=failures + 1, failures=failures
            )
            return
    run.passed("succeeds", failures=cases[1][0])


def backoff(run: Run) -> None:
    rng = run.random("backoff")
    delay = rng.choice((0.01, 0.015, 0.02))
    failures, attempts = 4, 6
    flaky = Flaky(URL + str(rng.randrange(1000)), [refused(k + 1) for k in range(failures)])
    scenario = _retry(run, "backoff", flaky, attempts, delay)
    outcome = _outcome(run, "backoff", scenario)
    if outcome is None:
        return
    if flaky.calls < 2:
        run.failed("backoff", "no-retry", calls=flaky.calls)
        return
    expected = [(2**k - 1) * delay for k in range(failures + 1)]
    times = flaky.relative_times(_start(scenario))
    shown = ", ".join(f"{t:g}" for t in expected)
    if len(set(times)) == 1:
        run.failed("backoff", "no-wait", calls=flaky.calls, d=f"{delay:g}", expected=shown)
        return
    for k, (got, want) in enumerate(zip(times, expected, strict=False)):
        if abs(got - want) > EPSILON:
            run.failed(
                "backoff",
                "wrong-time",
                call=k + 1,
                got=f"{got:g}",
                want=f"{want:g}",
                d=f"{delay:g}",
                expected=shown,
            )
            return
    if flaky.calls != failures + 1 or not isinstance(outcome, Returned):
        run.failed("backoff", "not-correct", failures=failures, attempts=attempts)
        return
    run.passed("backoff", d=f"{delay:g}", expected=shown)


def gives_up(run: Run) -> None:
    rng = run.random("gives-up")
    delay = 0.01
    for attempts in (rng.choice((3, 4)), 1):
        flaky = Flaky(URL + str(rng.randrange(1000)), [], succeeds=False)
        scenario = _retry(run, f"gives-up-{attempts}", flaky, attempts, delay)
        outcome = _outcome(run, "gives-up", scenario)
        if outcome is None:
            return
        if flaky.calls != attempts:
            run.failed("gives-up", "calls", calls=flaky.calls, attempts=attempts)
            return
        if isinstance(outcome, Returned):
            run.failed("gives-up", "returned", type=describe_type(outcome.value), attempts=attempts)
            return
        last = refused(attempts)
        if not _same(outcome.exc, last):
            first = _same(outcome.exc, refused(1)) and attempts > 1
            run.failed(
                "gives-up",
                "first-error" if first else "wrong-exception",
                exc_type=outcome.exc.type,
                attempts=attempts,
            )
            return
        failed_at = flaky.relative_times(_start(scenario))[-1]
        took = _finished(scenario)
        if abs(took - failed_at) > EPSILON:
            run.failed("gives-up", "waited", took=f"{took:g}", at=f"{failed_at:g}")
            return
    run.passed("gives-up")


def selective(run: Run) -> None:
    rng = run.random("selective")
    delay = 0.01
    # Errors that are not ConnectionErrors propagate at once, also after a retry (TimeoutError
    # is an OSError too); a ConnectionError subclass is retried like its parent.
    other = ExcInfo("ValueError", args=(f"order id must be positive, not {-rng.randrange(99)}",))
    cases = [
        ("first", [other], False),
        ("after-retry", [refused(1), ExcInfo("TimeoutError", args=("read timed out",))], False),
        ("subclass", [refused(1, "ConnectionResetError")], True),
    ]
    for name, errors, retried in cases:
        flaky = Flaky(URL + str(rng.randrange(1000)), errors)
        scenario = _retry(run, f"selective-{name}", flaky, 4, delay)
        outcome = _outcome(run, "selective", scenario)
        if outcome is None:
            return
        if retried:
            if flaky.calls == 1:
                run.failed("selective", "subclass-not-retried", exc_type=errors[0].type)
                return
            if not isinstance(outcome, Returned) or outcome.value != flaky.body:
                run.failed("selective", "subclass-not-correct", exc_type=errors[0].type)
                return
            continue
        error = errors[-1]
        if flaky.calls > len(errors):
            run.failed(
                "selective", "retried", exc_type=error.type, calls=flaky.calls, expected=len(errors)
            )
            return
        if isinstance(outcome, Returned):
            run.failed(
                "selective", "swallowed", exc_type=error.type, type=describe_type(outcome.value)
            )
            return
        if not _same(outcome.exc, error):
            run.failed("selective", "changed", exc_type=error.type, got=outcome.exc.type)
            return
        failed_at = flaky.relative_times(_start(scenario))[-1]
        if abs(_finished(scenario) - failed_at) > EPSILON:
            run.failed("selective", "waited", exc_type=error.type)
            return
    run.passed("selective")
