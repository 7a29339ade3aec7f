"""Who happens next: the grader's choice of the next event when the child is idle.

A *timed* schedule follows virtual time: calls start at their `at`, requests complete after
their latency, the child's timers fire when due; simultaneous events are delivered together,
except *settled* actions (`Scenario.at(..., settled=True)`, calls from outside such as a
callback), which come in a step of their own once the clock is at their time.

A *choice* schedule explores interleavings: at each step one enabled event (start a call,
complete one in-flight request) is picked by a strategy, and the clock moves by one step. Timers
fire only when nothing else can happen (I/O is faster than timeouts). Strategies:

- `fifo`    requests complete in the order they were issued (calls start first);
- `lifo`    the newest request completes first ("keep running the last task");
- `random`  uniform choice, seeded;
- `pct`     probabilistic concurrency testing: random call priorities, `depth - 1` random
            points where the running call's priority drops to the lowest;
- `jitter`  each call arrives after a random delay and each request takes a random latency;
- `replay`  a fixed list of choices (bounded exhaustive search), then fifo.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

OptionKind = Literal["start", "complete", "confirm", "timer", "action"]
STEP = 0.001  # virtual seconds per choice step


@dataclass(frozen=True)
class Option:
    kind: OptionKind
    due: float  # when it happens on a timed schedule
    order: int  # creation order: FIFO key
    owner: int  # the call it belongs to (-1 for timers)
    key: int  # call id, request id, action index, or 0 for the timer
    settled: bool = False  # an action that waits until the child has settled at its time


class Scheduler(Protocol):
    def choose(self, now: float, options: Sequence[Option]) -> tuple[list[Option], float]:
        """The events that happen next, and the virtual time they happen at."""
        ...


class Timed:
    """Virtual time decides; ties are delivered together."""

    def choose(self, now: float, options: Sequence[Option]) -> tuple[list[Option], float]:
        due = min(o.due for o in options)
        chosen = sorted((o for o in options if o.due <= due + 1e-9), key=lambda o: o.order)
        prompt = [o for o in chosen if not o.settled]
        if prompt:  # settled actions at this instant wait for a step of their own
            # The latest of them: a child timer delivered a rounding error early would not
            # fire, and come back for ever.
            return prompt, max(now, *(o.due for o in prompt))
        if now < due - 1e-9:
            return [], due  # first the clock alone: the child's timers due by then fire
        return chosen[:1], max(now, due)


class Strategy(Protocol):
    name: str

    def pick(self, step: int, options: Sequence[Option]) -> int:
        """Index into `options` (sorted by order)."""
        ...


@dataclass
class Fifo:
    name: str = "fifo"

    def pick(self, step: int, options: Sequence[Option]) -> int:
        starts = [i for i, o in enumerate(options) if o.kind in ("start", "action")]
        return starts[0] if starts else 0


@dataclass
class Lifo:
    name: str = "lifo"

    def pick(self, step: int, options: Sequence[Option]) -> int:
        starts = [i for i, o in enumerate(options) if o.kind in ("start", "action")]
        return starts[0] if starts else len(options) - 1


@dataclass
class Uniform:
    seed: int
    name: str = "random"
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)  # noqa: S311 - reproducible schedules

    def pick(self, step: int, options: Sequence[Option]) -> int:
        return self._rng.randrange(len(options))


@dataclass
class Pct:
    """PCT (Burckhardt et al.): random priorities per call, depth-1 priority change points."""

    seed: int
    depth: int = 3
    horizon: int = 40  # expected number of steps, to place change points
    name: str = "pct"
    _rng: random.Random = field(init=False)
    _priority: dict[int, float] = field(init=False, default_factory=dict)
    _changes: set[int] = field(init=False, default_factory=set)
    _lowest: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)  # noqa: S311
        self._changes = {self._rng.randrange(1, self.horizon) for _ in range(self.depth - 1)}

    def _prio(self, owner: int) -> float:
        if owner not in self._priority:
            self._priority[owner] = self._rng.random() + 1.0
        return self._priority[owner]

    def pick(self, step: int, options: Sequence[Option]) -> int:
        best = max(range(len(options)), key=lambda i: (self._prio(options[i].owner), -i))
        if step in self._changes:
            self._lowest -= 1.0
            self._priority[options[best].owner] = self._lowest
        return best


@dataclass
class Jitter:
    """Random arrival delays and latencies: timing windows rather than orderings."""

    seed: int
    spread: float = 10.0
    name: str = "jitter"
    _rng: random.Random = field(init=False)
    _delay: dict[tuple[str, int], float] = field(init=False, default_factory=dict)
    _clock: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)  # noqa: S311

    def pick(self, step: int, options: Sequence[Option]) -> int:
        def due(o: Option) -> float:
            key = (o.kind, o.key)
            if key not in self._delay:
                self._delay[key] = self._clock + self._rng.uniform(0.0, self.spread)
            return self._delay[key]

        best = min(range(len(options)), key=lambda i: (due(options[i]), options[i].order))
        self._clock = max(self._clock, due(options[best]))
        return best


@dataclass
class Replay:
    """Follow `choices` (indices), then behave like `fallback`."""

    choices: Sequence[int]
    fallback: Strategy = field(default_factory=Fifo)
    name: str = "replay"

    def pick(self, step: int, options: Sequence[Option]) -> int:
        if step < len(self.choices):
            return min(self.choices[step], len(options) - 1)
        return self.fallback.pick(step, options)


@dataclass
class Choice:
    """One option per step, chosen by a strategy; records the decisions it made."""

    strategy: Strategy
    step_size: float = STEP
    trace: list[tuple[int, int]] = field(default_factory=list)  # (choice, number of options)

    def choose(self, now: float, options: Sequence[Option]) -> tuple[list[Option], float]:
        ordered = sorted(options, key=lambda o: o.order)
        active = [o for o in ordered if o.kind != "timer"]
        if not active:
            timer = ordered[0]
            return [timer], max(now, timer.due)
        index = self.strategy.pick(len(self.trace), active)
        self.trace.append((index, len(active)))
        return [active[index]], now + self.step_size
