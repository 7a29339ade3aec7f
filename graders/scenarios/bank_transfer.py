"""bank-transfer: `class Bank(store)` with `async def transfer(src, dst, amount) -> None`.

Checks: correct (single transfers one at a time: balances, ValueError on insufficient funds
with nothing changed, an exact balance, accounts still usable after a refusal), conserves,
no-overdraft and no-deadlock (concurrent workloads under a portfolio of explored schedules:
the grader picks the completion order of the in-flight store requests and the arrival order of
the transfers), parallel (transfers between disjoint pairs of accounts overlap in time, and
together take no longer than the slowest of them alone).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from ..engine.explore import Explorer
from ..engine.model import Ending, EndKind, Raised, Returned
from ..engine.run import Run, describe_exception
from ..engine.scenario import Scenario
from ..engine.schedule import Choice
from ..harness.wire import Ref, Stub
from .common import makespan
from .fakes import Store, show_balances

Transfer = tuple[str, str, int]
EXPLORED = ("conserves", "no-overdraft", "no-deadlock")
EPSILON = 1e-9
BUDGET_PER_WORKLOAD = 40


@dataclass(frozen=True)
class Workload:
    name: str
    balances: dict[str, int]
    transfers: tuple[Transfer, ...]

    def describe(self) -> str:
        return " | ".join(show(t) for t in self.transfers)


WORKLOADS = (
    Workload("same-source", {"A": 100, "B": 0, "C": 0}, (("A", "B", 70), ("A", "C", 70))),
    Workload("opposite", {"A": 100, "B": 100}, (("A", "B", 30), ("B", "A", 40))),
    Workload(
        "ring",
        {"A": 50, "B": 50, "C": 50},
        (("A", "B", 20), ("B", "C", 30), ("C", "A", 40)),
    ),
    Workload("fan-in", {"A": 40, "B": 40, "C": 0}, (("A", "C", 30), ("B", "C", 30))),
)


def show(transfer: Transfer) -> str:
    src, dst, amount = transfer
    return f"transfer({src!r}, {dst!r}, {amount})"


class Banks:
    """Fresh `Bank(store)` objects in the child, opened a batch at a time.

    Every Bank holds the same `store` stub object; which fake Store answers its requests is
    decided per scenario by the grader, so a Bank opened earlier is as fresh as a new one. A
    batch is lost when its session is replaced (after a deadlock or a crash).
    """

    BATCH = 40

    def __init__(self, run: Run) -> None:
        self.run = run
        self.numbers = itertools.count(1)
        self._free: list[Ref] = []
        self._session: object = None

    @staticmethod
    def store_stub(scenario: Scenario, store: Store) -> Stub:
        return scenario.service_object("store", {"get": store.get, "set": store.set})

    def open(self, store: Store, check: str | tuple[str, ...]) -> Ref | None:
        """A Bank not used before; None after failing `check`(s) if opening fails."""
        if self._free and self._session is self.run.current_session:
            return self._free.pop(0)
        checks = (check,) if isinstance(check, str) else check
        scenario = self.run.scenario("open-banks")
        stub = self.store_stub(scenario, store)
        handles = [f"bank-{next(self.numbers)}" for _ in range(self.BATCH)]
        calls = [scenario.call("Bank", stub, keep=handle) for handle in handles]
        ending = scenario.run()
        outcome = calls[0].outcome
        for name in checks:
            if not ending.completed:
                self.run.fail_ending(name, ending)
            elif isinstance(outcome, Raised):
                self.run.failed(name, "raised", fn="Bank", **describe_exception(outcome.exc))
        if not ending.completed or not all(isinstance(c.outcome, Returned) for c in calls):
            return None
        self._session = self.run.current_session
        self._free = [Ref(handle, "transfer") for handle in handles[1:]]
        return Ref(handles[0], "transfer")


def grade(run: Run) -> None:
    banks = Banks(run)
    correct(run, banks)
    explore(run, banks)
    parallel(run, banks)


def correct(run: Run, banks: Banks) -> None:
    """Sequential transfers, one scenario each."""
    store = Store({"A": 100, "B": 50, "C": 0})
    transfer = banks.open(store, "correct")
    if transfer is None:
        return
    steps: list[tuple[Transfer, bool]] = [
        (("A", "B", 30), True),
        (("B", "C", 80), True),  # the whole balance
        (("A", "C", 500), False),  # refused: nothing changes
        (("C", "A", 10), True),  # the accounts of a refused transfer still work
    ]
    for step, succeeds in steps:
        before = dict(store.balances)
        scenario = run.scenario(f"correct:{show(step)}")
        scenario.call(transfer, *step)
        Banks.store_stub(scenario, store)
        ending = scenario.run()
        if not ending.completed:
            run.fail_ending("correct", ending)
            return
        (call,) = scenario.calls.values()
        outcome = call.outcome
        if isinstance(outcome, Returned) and not outcome.awaitable:
            run.failed("correct", "not-async", fn="Bank.transfer")
            return
        expected = dict(before)
        if succeeds:
            if isinstance(outcome, Raised):
                run.failed("correct", "raised", fn=show(step), **describe_exception(outcome.exc))
                return
            src, dst, amount = step
            expected[src] -= amount
            expected[dst] += amount
        elif isinstance(outcome, Returned):
            run.failed("correct", "no-value-error", transfer=show(step), balance=before[step[0]])
            return
        elif outcome is not None and outcome.exc.type != "ValueError":
            run.failed("correct", "wrong-exception", transfer=show(step), exc_type=outcome.exc.type)
            return
        if store.balances != expected:
            account = next(a for a in sorted(expected) if store.balances[a] != expected[a])
            run.failed(
                "correct",
                "balance" if succeeds else "changed-on-error",
                transfer=show(step),
                account=account,
                got=store.balances[account],
                expected=expected[account],
            )
            return
    run.passed("correct")


def _fail_all(run: Run, ending: Ending) -> None:
    for check in EXPLORED:
        if not run.decided(check):
            run.fail_ending(check, ending)


def explore(run: Run, banks: Banks) -> None:
    explored = 0
    for workload in WORKLOADS:
        explorer = Explorer(f"{run.seed}:{workload.name}", BUDGET_PER_WORKLOAD)
        for schedule in explorer:
            if all(run.decided(check) for check in EXPLORED):
                return
            store = Store(workload.balances)
            transfer = banks.open(store, tuple(c for c in EXPLORED if not run.decided(c)))
            if transfer is None:
                return
            choice = Choice(schedule.strategy)
            scenario = run.scenario(f"{workload.name}/{schedule.label}", scheduler=choice)
            Banks.store_stub(scenario, store)
            calls = [scenario.call(transfer, *t) for t in workload.transfers]
            ending = scenario.run()
            explorer.record(schedule, choice.trace)
            where = {
                "schedule": f"{workload.name}/{schedule.label}",
                "seed": run.seed,
                "transfers": workload.describe(),
                "balances": show_balances(workload.balances),
            }
            if ending.kind is EndKind.DEADLOCK:
                if not run.decided("no-deadlock"):
                    stuck = [
                        show(t)
                        for t, c in zip(workload.transfers, calls, strict=True)
                        if not c.done
                    ]
                    run.failed("no-deadlock", "deadlock-under", stuck=", ".join(stuck), **where)
                continue
            if not ending.completed:
                _fail_all(run, ending)
                return
            explored += 1
            succeeded = []
            for t, call in zip(workload.transfers, calls, strict=True):
                outcome = call.outcome
                if isinstance(outcome, Returned) and not outcome.awaitable:
                    for check in EXPLORED:
                        if not run.decided(check):
                            run.failed(check, "not-async", fn="Bank.transfer")
                    return
                if isinstance(outcome, Raised) and outcome.exc.type != "ValueError":
                    for check in EXPLORED:
                        if not run.decided(check):
                            run.failed(
                                check, "raised", fn=show(t), **describe_exception(outcome.exc)
                            )
                    return
                if isinstance(outcome, Returned):
                    succeeded.append(t)
            if not succeeded:
                for check in EXPLORED:
                    if not run.decided(check):
                        run.failed(check, "none-succeeded", **where)
                return
            # A transfer that returned must have written both balances: a bank that does
            # nothing (or only checks) never overdraws, conserves or deadlocks, and earns
            # nothing for it.
            written = {
                r.args[0]
                for r in scenario.requests.values()
                if r.stub == "store.set" and r.args and r.completed_at is not None
            }
            idle = [t for t in succeeded if not {t[0], t[1]} <= written]
            if idle:
                for check in EXPLORED:
                    if not run.decided(check):
                        run.failed(check, "no-writes", transfer=show(idle[0]), **where)
                return
            _judge(run, store, succeeded, where)
    for check in EXPLORED:
        if not run.decided(check):
            run.passed(check, schedules=explored, workloads=len(WORKLOADS))


def _judge(run: Run, store: Store, succeeded: list[Transfer], where: dict[str, object]) -> None:
    expected = dict(store.initial)
    for src, dst, amount in succeeded:
        expected[src] -= amount
        expected[dst] += amount
    if not run.decided("conserves"):
        before, after = sum(store.initial.values()), store.total
        if before != after:
            run.failed("conserves", "total-changed", before=before, after=after,
                       final=show_balances(store.balances), **where)  # fmt: skip
        elif store.balances != expected:
            run.failed("conserves", "lost-update", final=show_balances(store.balances),
                       expected=show_balances(expected), **where)  # fmt: skip
    if store.negative and not run.decided("no-overdraft"):
        account, balance = store.negative[0]
        run.failed("no-overdraft", "negative", account=account, balance=balance, **where)


PAIRS: tuple[Transfer, ...] = (("A", "B", 10), ("C", "D", 10), ("E", "F", 10), ("G", "H", 10))


def _pairs_store() -> Store:
    return Store(dict.fromkeys("ABCDEFGH", 100))


def parallel(run: Run, banks: Banks) -> None:
    """The four disjoint transfers together take no longer than the slowest of them alone.

    Store requests of all four overlapping is not enough: a bank that serializes transfers
    under one lock, with a read before taking it, overlaps them too. Each transfer is first
    run alone (on the same Bank), then all four at once.
    """
    transfer = banks.open(_pairs_store(), "parallel")
    if transfer is None:
        return
    alone: list[float] = []
    for t in PAIRS:
        scenario = run.scenario(f"parallel-alone:{show(t)}")
        Banks.store_stub(scenario, _pairs_store())
        call = scenario.call(transfer, *t)
        ending = scenario.run()
        if not ending.completed:
            run.fail_ending("parallel", ending)
            return
        if not isinstance(call.outcome, Returned) or not call.outcome.awaitable:
            run.failed("parallel", "not-correct", n=len(PAIRS))
            return
        alone.append(makespan(call))
    store = _pairs_store()
    scenario = run.scenario("parallel")
    Banks.store_stub(scenario, store)
    calls = [scenario.call(transfer, *t) for t in PAIRS]
    ending = scenario.run()
    if not ending.completed:
        run.fail_ending("parallel", ending)
        return
    expected = dict(store.initial)
    for (src, dst, amount), call in zip(PAIRS, calls, strict=True):
        if not isinstance(call.outcome, Returned) or not call.outcome.awaitable:
            run.failed("parallel", "not-correct", n=len(PAIRS))
            return
        expected[src] -= amount
        expected[dst] += amount
    if store.balances != expected:
        run.failed("parallel", "not-correct", n=len(PAIRS))
        return
    owner = {account: index for index, t in enumerate(PAIRS) for account in t[:2]}
    requests = list(scenario.requests.values())
    most = 0
    for instant in sorted({r.issued_at for r in requests}):
        active = {
            owner.get(str(r.args[0]) if r.args else "", -1)
            for r in requests
            if r.issued_at <= instant and (r.completed_at is None or r.completed_at > instant)
        }
        most = max(most, len(active - {-1}))
    took = max(makespan(c) for c in calls)
    slowest = max(alone)
    if most < len(PAIRS):
        run.failed("parallel", "serialized", most=most, n=len(PAIRS), makespan=f"{took:g}",
                   single=f"{slowest:g}")  # fmt: skip
        return
    if took > slowest + EPSILON:
        run.failed("parallel", "waited", n=len(PAIRS), makespan=f"{took:g}", single=f"{slowest:g}")
        return
    run.passed("parallel", n=len(PAIRS))
