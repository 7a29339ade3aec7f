"""callback-await: `async def cook(kitchen, dish) -> str`, the notes' dinner story.

`kitchen.start(dish, on_done, on_error)` is an immediate stub: the grader answers True or False
at once, and when it accepted, calls back `on_done(meal)` or `on_error(exc)` on the child's loop
at a virtual time of its choosing. Checks: refused (False: RuntimeError at once, no waiting;
True: no RuntimeError), no-polling (while waiting 60 s for the callback, and in every other
accepted order, the loop wakes for none of the code's own timers: waiting on a future, not
sleeping in a loop; a `sleep(0)` busy-wait never lets the loop go idle and runs into the
real-time deadline), result (the meal the kitchen passed, unguessable), error (the exception
the kitchen passed, unchanged).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field

from ..engine.model import EndKind, Raised, Reply, Request, Returned
from ..engine.run import Run, describe_exception
from ..engine.scenario import Scenario
from ..harness.wire import Callback, ExcInfo
from .common import only_call
from .fakes import describe_type, type_error

FN = "cook"
DEADLINE = 0.5  # real seconds per scenario: correct code needs milliseconds
POLLING_WAIT = 60.0  # virtual seconds the kitchen takes in the no-polling scenario
WAKEUP_CAP = 20  # stop watching a poller after this many wake-ups
DISHES = ("dumplings", "noodles", "mapo tofu", "fried rice", "hot pot", "steamed fish")


@dataclass
class Kitchen:
    """Accepts or refuses at once; when it accepts, calls back after `cooking` seconds with
    the meal (or the error)."""

    dish: str
    accepts: bool = True
    cooking: float = 3.0
    error: ExcInfo | None = None
    meal: str = ""
    starts: int = 0
    scenario: Scenario | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.meal = f"{self.dish} #{secrets.token_hex(6)}"

    def start(self, request: Request) -> Reply:
        args = request.args
        if len(args) != 3 or not isinstance(args[0], str):
            return type_error("kitchen.start(dish, on_done, on_error) takes three arguments")
        if args[0] != self.dish:
            return Reply(error=ExcInfo("ValueError", args=(f"nobody ordered {args[0]!r}",)))
        on_done, on_error = args[1], args[2]
        if not isinstance(on_done, Callback) or not isinstance(on_error, Callback):
            return type_error("kitchen.start(dish, on_done, on_error): pass two callables")
        self.starts += 1
        if not self.accepts:
            return Reply(value=False)
        assert self.scenario is not None
        if self.error is not None:
            self.scenario.invoke(on_error, self.error, at=self.cooking)
        else:
            self.scenario.invoke(on_done, self.meal, at=self.cooking)
        return Reply(value=True)


@dataclass
class Cooked:
    scenario: Scenario
    kitchen: Kitchen


def grade(run: Run) -> None:
    refusal_ok = refused(run)
    quiet = no_polling(run)
    accepted = [result(run, refusal_ok), error(run)]
    if quiet:
        # Polling is watched in every order that waits, not only in no-polling's: code that
        # waits properly only there (it runs second) would pass otherwise.
        no_polling_elsewhere(run, accepted)


def _cook(
    run: Run, name: str, kitchen: Kitchen, until_wakeups: int | None = None, fresh: bool = False
) -> Scenario:
    scenario = run.scenario(name, deadline=DEADLINE, fresh=fresh)
    kitchen.scenario = scenario
    stub = scenario.service_object("kitchen", {"start": kitchen.start}, kind="sync")
    call = scenario.call(FN, stub, kitchen.dish)
    if until_wakeups is None:
        scenario.run()
    else:
        scenario.run(until=lambda: call.done or scenario.observations.timer_wakeups > until_wakeups)
    return scenario


def _kitchen(rng: random.Random, *, accepts: bool = True, error: ExcInfo | None = None) -> Kitchen:
    return Kitchen(rng.choice(DISHES), accepts, rng.choice((2.0, 3.5, 5.0)), error)


def _outcome(run: Run, check: str, scenario: Scenario) -> Returned | Raised | None:
    ending = scenario.ending
    assert ending is not None
    if ending.kind is EndKind.DEADLOCK:
        run.failed(check, "waits-forever")
        return None
    if not ending.completed:
        run.fail_ending(check, ending)
        return None
    outcome = only_call(scenario).outcome
    if isinstance(outcome, Returned) and not outcome.awaitable:
        run.failed(check, "not-async", fn=FN)
        return None
    return outcome


def _started_once(run: Run, check: str, kitchen: Kitchen) -> bool:
    if kitchen.starts != 1:
        run.failed(check, "starts", starts=kitchen.starts)
        return False
    return True


def refused(run: Run) -> bool:
    """The refusal scenario; True if it went right (the verdict waits for `result`)."""
    kitchen = _kitchen(run.random("refused"), accepts=False)
    scenario = _cook(run, "refused", kitchen)
    outcome = _outcome(run, "refused", scenario)
    if outcome is None or not _started_once(run, "refused", kitchen):
        return False
    if isinstance(outcome, Returned):
        run.failed("refused", "returned", type=describe_type(outcome.value))
        return False
    if outcome.exc.type != "RuntimeError" or not outcome.exc.builtin:
        run.failed("refused", "wrong-exception", exc_type=outcome.exc.type)
        return False
    call = only_call(scenario)
    if call.finished_at != call.started_at:
        run.failed("refused", "late", took=f"{(call.finished_at or 0) - (call.started_at or 0):g}")
        return False
    # Decided with `result`'s accepted order: code that raises RuntimeError whatever `start`
    # says would otherwise pass.
    return True


def result(run: Run, refusal_ok: bool) -> Cooked:
    kitchen = _kitchen(run.random("result"))
    # A fresh child: a poller cut short in no-polling is still polling in the previous one.
    scenario = _cook(run, "result", kitchen, fresh=True)
    if refusal_ok:
        ending = scenario.ending
        outcome = only_call(scenario).outcome if ending is not None and ending.completed else None
        if isinstance(outcome, Raised) and outcome.exc.type == "RuntimeError":
            run.failed("refused", "refuses-accepted")
        else:
            run.passed("refused")
    _judge_result(run, scenario, kitchen)
    return Cooked(scenario, kitchen)


def _judge_result(run: Run, scenario: Scenario, kitchen: Kitchen) -> None:
    outcome = _outcome(run, "result", scenario)
    if outcome is None or not _started_once(run, "result", kitchen):
        return
    if isinstance(outcome, Raised):
        run.failed("result", "raised", fn=FN, **describe_exception(outcome.exc))
        return
    if outcome.value != kitchen.meal:
        run.failed("result", "wrong-meal", type=describe_type(outcome.value))
        return
    run.passed("result", at=f"{kitchen.cooking:g}")


def error(run: Run) -> Cooked:
    rng = run.random("error")
    kind = rng.choice(("ValueError", "LookupError", "PermissionError"))
    shouted = ExcInfo(kind, args=(f"not cooking tonight ({rng.choice(('tired', 'no gas'))})",))
    kitchen = _kitchen(rng, error=shouted)
    scenario = _cook(run, "error", kitchen)
    _judge_error(run, scenario, kitchen, shouted)
    return Cooked(scenario, kitchen)


def _judge_error(run: Run, scenario: Scenario, kitchen: Kitchen, shouted: ExcInfo) -> None:
    kind = shouted.type
    outcome = _outcome(run, "error", scenario)
    if outcome is None or not _started_once(run, "error", kitchen):
        return
    if isinstance(outcome, Returned):
        run.failed("error", "returned", type=describe_type(outcome.value), exc_type=kind)
        return
    exc = outcome.exc
    if (exc.type, exc.args) != (shouted.type, shouted.args) or not exc.builtin:
        run.failed("error", "wrong-exception", exc_type=exc.type, expected=kind)
        return
    run.passed("error", exc_type=kind)


def no_polling(run: Run) -> bool:
    """The 60 s wait; True if it showed no polling (the verdict waits for the other orders)."""
    kitchen = _kitchen(run.random("no-polling"))
    kitchen.cooking = POLLING_WAIT
    scenario = _cook(run, "no-polling", kitchen, until_wakeups=WAKEUP_CAP)
    if scenario.ending is not None and scenario.ending.kind is EndKind.TIMEOUT:
        run.failed("no-polling", "busy-wait", seconds=f"{DEADLINE:g}")
        return False
    wakeups = scenario.observations.timer_wakeups
    if scenario.ending is not None and scenario.ending.completed and wakeups > WAKEUP_CAP:
        # Cut short: the code was still polling.
        run.failed("no-polling", "polled-often", n=WAKEUP_CAP, wait=f"{POLLING_WAIT:g}")
        return False
    outcome = _outcome(run, "no-polling", scenario)
    if outcome is None:
        return False
    if not isinstance(outcome, Returned) or outcome.value != kitchen.meal:
        run.failed("no-polling", "not-correct")
        return False
    if wakeups:
        run.failed("no-polling", "polled", n=wakeups, wait=f"{POLLING_WAIT:g}")
        return False
    return True


def no_polling_elsewhere(run: Run, accepted: list[Cooked]) -> None:
    for cooked in accepted:
        ending = cooked.scenario.ending
        wakeups = cooked.scenario.observations.timer_wakeups
        if ending is not None and ending.completed and wakeups:
            run.failed("no-polling", "polled", n=wakeups, wait=f"{cooked.kitchen.cooking:g}")
            return
    run.passed("no-polling", wait=f"{POLLING_WAIT:g}")
