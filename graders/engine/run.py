"""One grading of one submission: the context a scenarios module works with.

A scenarios module (`graders/scenarios/<assignment>.py`) defines `grade(run: Run) -> None`. It
builds scenarios with `run.scenario(...)`, runs them, inspects what the grader observed, and
gives every check of the assignment exactly one verdict with `run.passed(...)` or
`run.failed(...)`. Sessions (children) are reused while scenarios end cleanly and replaced after
a crash, timeout or deadlock, so one failure does not spoil the next check.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

from ..catalogue import Assignment
from ..harness.wire import ExcInfo
from ..sandbox.worker import ChildLimits, Worker, WorkerFailure
from .model import Ending, EndKind, Raised, Returned
from .scenario import DEADLINE, Scenario
from .schedule import Scheduler
from .session import Loaded, Session

IMPORT_DEADLINE = 2.0
MAX_TIMEOUTS = 2  # after this many timed-out scenarios the rest are skipped
# A scenario of a correct submission takes milliseconds of real time (50 at most, measured on
# a loaded machine); one that takes half a second blocks or computes for long. After a few of
# those the rest are skipped, and a whole submission gets BUDGET: code that sleeps in every
# step must not hold a worker for minutes (a correct one needs well under a second in all).
SLOW_SCENARIO = 0.5
MAX_SLOW = 3
BUDGET = 20.0  # real seconds per submission, whatever happens
OUTPUT_CAP = 8 * 1024  # bytes of the student's output kept for feedback


class SubmissionBroken(Exception):
    """The submission could not be imported: there is nothing to check."""

    def __init__(self, loaded: Loaded) -> None:
        super().__init__("the submission failed to import")
        self.loaded = loaded


@dataclass(frozen=True)
class Verdict:
    check: str
    passed: bool
    reason: str
    params: dict[str, Any] = field(default_factory=dict)


class Run:
    def __init__(
        self,
        worker: Worker,
        assignment: Assignment,
        source: str,
        *,
        seed: int,
        limits: ChildLimits,
    ) -> None:
        self.worker = worker
        self.assignment = assignment
        self.source = source
        self.seed = seed
        self.limits = limits
        self.verdicts: dict[str, Verdict] = {}
        self.outputs: list[tuple[bytes, int]] = []
        self.timeouts = 0
        self.slow = 0  # scenarios that ran SLOW_SCENARIO or longer
        self.started = time.monotonic()
        self._session: Session | None = None

    def random(self, purpose: str) -> random.Random:
        """A generator for scenario data, seeded by (assignment, seed, purpose): what one check
        draws never shifts what another check gets."""
        return random.Random(f"{self.assignment.id}:{self.seed}:{purpose}")  # noqa: S311

    # -- sessions ----------------------------------------------------------------------------------
    def session(self) -> Session:
        """The live session, or a new child with the submission loaded."""
        if self._session is not None and self._session.ended is None:
            return self._session
        self._retire()
        child = self.worker.spawn(self.limits)
        session = Session(child, threads=self.assignment.interface.threads)
        self._session = session
        loaded = session.load(self.source, seed=self.seed, deadline=IMPORT_DEADLINE)
        if not loaded.ok:
            self._retire()
            raise SubmissionBroken(loaded)
        return session

    @property
    def current_session(self) -> Session | None:
        """The live session, if any (it changes after a scenario ends badly)."""
        if self._session is not None and self._session.ended is None:
            return self._session
        return None

    def _retire(self) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        session.end(EndKind.COMPLETED)
        self.outputs.append(session.child.read_output(OUTPUT_CAP))
        session.child.close_output()

    def close(self) -> None:
        self._retire()

    @property
    def exhausted(self) -> str | None:
        """Why the remaining scenarios are skipped ("timeouts" or "slow"), or None."""
        if self.timeouts >= MAX_TIMEOUTS:
            return "timeouts"
        if self.slow >= MAX_SLOW or time.monotonic() - self.started > BUDGET:
            return "slow"
        return None

    def scenario(
        self,
        name: str,
        *,
        scheduler: Scheduler | None = None,
        measure_blocking: bool = False,
        deadline: float = DEADLINE,
        fresh: bool = False,
    ) -> Scenario:
        """A new scenario on a live session (see Scenario for the building methods).

        `fresh`: on a new child, so nothing an earlier scenario left behind (module globals such
        as a server's set of clients, tasks still waiting, sockets) can affect this one.
        """
        if fresh:
            self._retire()
        skipped = self.exhausted
        session = None if skipped else self.session()
        scenario = Scenario(
            session,
            name,
            scheduler=scheduler,
            measure_blocking=measure_blocking,
            deadline=deadline,
        )
        scenario.on_end = self._on_end
        if skipped:
            scenario.skip_reason = skipped
        return scenario

    def _on_end(self, scenario: Scenario) -> None:
        ending = scenario.ending
        assert ending is not None
        if scenario.real_seconds >= SLOW_SCENARIO:
            self.slow += 1
        if ending.kind is EndKind.CRASHED and not self.worker.alive:
            # The whole sandbox went down (the child died with it): our failure, not theirs.
            self._retire()
            raise WorkerFailure("the grading worker died during a scenario")
        if ending.kind is EndKind.TIMEOUT:
            self.timeouts += 1
        if not ending.clean:
            self._retire()

    # -- verdicts ----------------------------------------------------------------------------------
    def passed(self, check: str, reason: str = "passed", **params: Any) -> None:
        self._verdict(Verdict(check, True, reason, params))

    def failed(self, check: str, reason: str, **params: Any) -> None:
        self._verdict(Verdict(check, False, reason, params))

    def _verdict(self, verdict: Verdict) -> None:
        self.assignment.check(verdict.check)  # KeyError for an unknown check: a bug of ours
        self.verdicts.setdefault(verdict.check, verdict)  # the first verdict stands

    def decided(self, check: str) -> bool:
        return check in self.verdicts

    def fail_ending(self, check: str, ending: Ending) -> None:
        """Fail `check` because the scenario did not complete (generic messages)."""
        kind = ending.kind
        if kind is EndKind.DEADLOCK:
            self.failed(check, "deadlock", calls=ending.detail)
        elif kind is EndKind.TIMEOUT:
            self.failed(check, "timeout", seconds=ending.detail)
        elif kind is EndKind.LIMIT:
            self.failed(check, "limit", virtual=ending.detail)
        elif kind is EndKind.SKIPPED:
            self.failed(check, "skipped-slow" if ending.detail == "slow" else "skipped")
        elif ending.detail == "protocol":
            self.failed(check, "protocol")
        elif ending.exc is not None:
            self.failed(check, "exit-raised", **describe_exception(ending.exc))
        else:
            self.failed(check, "crashed")

    def fail_outcome(self, check: str, outcome: Returned | Raised | None, *, fn: str) -> bool:
        """Fail `check` when the call raised or is not a coroutine; True if it did."""
        if outcome is None:
            self.failed(check, "no-result", fn=fn)
            return True
        if isinstance(outcome, Raised):
            self.failed(check, "raised", fn=fn, **describe_exception(outcome.exc))
            return True
        if not outcome.awaitable:
            self.failed(check, "not-async", fn=fn)
            return True
        return False


def describe_exception(exc: ExcInfo) -> dict[str, str]:
    text = exc.text if len(exc.text) <= 300 else exc.text[:300] + "…"
    where = ""
    if exc.traceback:
        where = "\n" + exc.traceback.rstrip()
    return {"exc_type": exc.type, "exc_text": text, "where": where}
