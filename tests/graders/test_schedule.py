"""Schedulers and the explorer, without a child: deterministic by seed, and the exploration
order the README promises."""

from __future__ import annotations

from graders.engine.explore import Explorer
from graders.engine.schedule import Choice, Fifo, Jitter, Lifo, Option, Pct, Replay, Timed, Uniform


def options() -> list[Option]:
    return [
        Option("start", 0.0, 1, 1, 1),
        Option("complete", 2.0, 2, 1, 10),
        Option("complete", 1.0, 3, 2, 11),
        Option("complete", 1.0, 4, 3, 12),
        Option("timer", 0.5, 1 << 60, -1, 0),
    ]


def test_timed_delivers_the_earliest_events_together() -> None:
    chosen, t = Timed().choose(0.0, options()[1:])
    assert [o.key for o in chosen] == [0]
    assert t == 0.5
    chosen, t = Timed().choose(0.7, options()[1:4])
    assert [o.key for o in chosen] == [11, 12]
    assert t == 1.0


def test_timed_delivers_a_settled_action_alone_once_the_clock_is_at_its_time() -> None:
    # A callback from outside at 1.0: the clock moves to 1.0 first (the child's timers due by
    # then fire), and the callback comes in a step of its own. Code woken by it answers at 1.0;
    # code that only notices it on a timer of its own needs another wake-up.
    callback = Option("action", 1.0, 5, -1, 7, settled=True)
    timer = Option("timer", 1.0, 1 << 60, -1, 0)
    assert Timed().choose(0.0, [callback]) == ([], 1.0)
    assert Timed().choose(0.0, [callback, timer]) == ([timer], 1.0)
    assert Timed().choose(1.0, [callback]) == ([callback], 1.0)
    second = Option("action", 1.0, 6, -1, 8, settled=True)
    assert Timed().choose(1.0, [second, callback]) == ([callback], 1.0)


def test_choice_starts_calls_first_then_follows_the_strategy_and_timers_come_last() -> None:
    fifo = Choice(Fifo())
    assert fifo.choose(0.0, options())[0][0].kind == "start"
    assert fifo.choose(0.0, options()[1:])[0][0].key == 10
    assert Choice(Lifo()).choose(0.0, options()[1:])[0][0].key == 12
    timer_only = Choice(Fifo())
    chosen, t = timer_only.choose(3.0, options()[4:])
    assert chosen[0].kind == "timer"
    assert t == 3.0
    assert timer_only.trace == []


def test_seeded_strategies_repeat_themselves() -> None:
    for make in (Uniform, Pct, Jitter):
        first = [make(seed=5).pick(step, options()[1:4]) for step in range(20)]  # type: ignore[operator]
        second = [make(seed=5).pick(step, options()[1:4]) for step in range(20)]  # type: ignore[operator]
        assert first == second


def test_replay_follows_its_choices_then_fifo() -> None:
    replay = Replay([2, 1])
    assert [replay.pick(step, options()[1:4]) for step in range(3)] == [2, 1, 0]


def test_the_explorer_runs_fifo_lifo_every_one_step_deviation_then_seeded_portfolio() -> None:
    explorer = Explorer("seed", budget=12)
    labels = []
    for schedule in explorer:
        labels.append(schedule.label)
        if schedule.label == "fifo":
            explorer.record(schedule, [(0, 2), (0, 1), (1, 3)])
    assert labels[:2] == ["fifo", "lifo"]
    assert labels[2:5] == ["fifo+1", "fifo+0.0.0", "fifo+0.0.2"]
    assert labels[5].startswith("random:")
    assert labels[6].startswith("pct2:")
    assert len(labels) == 12
    again = Explorer("seed", budget=12)
    repeated = []
    for schedule in again:
        repeated.append(schedule.label)
        if schedule.label == "fifo":
            again.record(schedule, [(0, 2), (0, 1), (1, 3)])
    assert repeated == labels
