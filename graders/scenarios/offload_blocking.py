"""offload-blocking: `async def read_all(paths, read_blocking) -> list[bytes]`.

`read_blocking` really blocks the thread that calls it: the grader holds each call and releases
it when its virtual duration has passed. Checks: correct (contents in order, each path read once,
the empty list), off-loop (never called on the event-loop thread: while calls are held the loop
keeps reporting idle, and the kernel shows its thread asleep in epoll_wait), overlap (four 1 s
reads all in progress together; done after 1 s of virtual time).
"""

from __future__ import annotations

from ..engine.run import Run
from ..engine.scenario import Scenario
from .common import makespan, only_call, returned
from .fakes import Files, compare_bodies, describe_type, make_paths, same_bodies

FN = "read_all"


def grade(run: Run) -> None:
    scenarios: list[Scenario] = []
    correct(run, scenarios)
    overlap(run, scenarios)
    off_loop(run, scenarios)


def _read_all(run: Run, name: str, files: Files) -> Scenario:
    scenario = run.scenario(name)
    read_blocking = scenario.service("read_blocking", files.read_blocking, kind="blocking")
    scenario.call(FN, list(files.paths), read_blocking)
    scenario.run()
    return scenario


def correct(run: Run, scenarios: list[Scenario]) -> None:
    rng = run.random("correct")
    paths = make_paths(rng, 5)
    durations = [0.1 * (i + 1) for i in range(len(paths))]
    rng.shuffle(durations)
    files = Files(paths, durations)
    scenario = _read_all(run, "correct", files)
    scenarios.append(scenario)
    outcome = returned(run, "correct", scenario, FN)
    if outcome is None:
        return
    web = files.as_web()
    wrong = compare_bodies(web, outcome.value, paths)
    if wrong is not None:
        run.failed("correct", wrong[0], **wrong[1])
        return
    for index, times in enumerate(web.times_fetched().values()):
        if times != 1:
            run.failed("correct", "read-times", index=index, times=times)
            return
    scenario = _read_all(run, "correct-empty", Files([], []))
    scenarios.append(scenario)
    outcome = returned(run, "correct", scenario, FN)
    if outcome is None:
        return
    if outcome.value != [] or not isinstance(outcome.value, list):
        run.failed("correct", "empty", type=describe_type(outcome.value))
        return
    run.passed("correct", n=len(paths))


def overlap(run: Run, scenarios: list[Scenario]) -> None:
    paths = make_paths(run.random("overlap"), 4)
    files = Files(paths, [1.0] * len(paths))
    scenario = _read_all(run, "overlap", files)
    scenarios.append(scenario)
    outcome = returned(run, "overlap", scenario, FN)
    if outcome is None:
        return
    if not same_bodies(files.as_web(), outcome.value, paths):
        run.failed("overlap", "not-correct", n=len(paths))
        return
    most = scenario.observations.max_in_flight.get("read_blocking", 0)
    took = makespan(only_call(scenario))
    if most < len(paths) or took > 1.0 + 1e-6:
        run.failed("overlap", "sequential", most=most, n=len(paths), makespan=f"{took:g}")
        return
    run.passed("overlap", n=len(paths))


def off_loop(run: Run, scenarios: list[Scenario]) -> None:
    rng = run.random("off-loop")
    paths = make_paths(rng, 4)
    durations = [0.2 * (i + 1) for i in range(len(paths))]
    rng.shuffle(durations)
    files = Files(paths, durations)
    scenario = _read_all(run, "off-loop", files)
    scenarios.append(scenario)
    outcome = returned(run, "off-loop", scenario, FN)
    if outcome is None:
        return
    if not same_bodies(files.as_web(), outcome.value, paths):
        run.failed("off-loop", "not-correct", n=len(paths))
        return
    stalls = sum(s.observations.loop_stalls for s in scenarios)
    busy = sum(s.observations.loop_thread_busy for s in scenarios)
    if stalls:
        run.failed("off-loop", "on-loop")
        return
    if busy:
        run.failed("off-loop", "loop-thread-busy")
        return
    run.passed("off-loop", n=len(paths))
