"""What the grader takes from the child and what it checks for itself, driven by hand against
a real sandboxed child: an idle report's timer must be a finite number; an idle report does not
end a measured stretch while the kernel shows the loop thread still busy (or blocked somewhere
else); threads the harness does not count are waited for; a loop busy until the deadline
counts as busy; the child's clocks follow virtual time."""

from __future__ import annotations

import time

import pytest

from graders.engine import kernel
from graders.engine.model import EndKind, Reply, Returned
from graders.engine.scenario import Scenario
from graders.sandbox.worker import Worker
from tests.graders.sessions import session_for

pytestmark = pytest.mark.sandbox

FORGE = """
import asyncio, gc, select, signal, socket, time

def session():
    return next(o for o in gc.get_objects()
                if hasattr(o, "pending") and hasattr(getattr(o, "sock", None), "send"))

def say_idle(timer=b"null"):
    s = session()
    s._flush()
    s.sock.send(b'{"op": "idle", "ack": %d, "timer": %s, "busy": 0}' % (s.seq, timer))

async def bad_timer(timer, fetch):
    say_idle(timer)
    return await fetch("x")

async def idle_then_sleep(fetch):
    say_idle()
    time.sleep(0.3)
    return await fetch("x")

def interrupt(signum, frame):
    raise InterruptedError

async def idle_then_wait_elsewhere(fetch):
    request = asyncio.ensure_future(fetch("x"))
    await asyncio.sleep(0)  # the request is on its way
    reader, _writer = socket.socketpair()
    signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    say_idle()
    try:
        select.select([reader], [], [])  # no timeout: the loop thread waits, not in its epoll
    except InterruptedError:
        pass
    return await request

async def honest(fetch):
    return await fetch("x")

async def idle_then_fetch(fetch):
    say_idle()
    return await fetch("x")
"""


def _fetch(scenario: Scenario) -> object:
    return scenario.service("fetch", lambda request: Reply(1.0, value=b"body"))


@pytest.mark.parametrize(
    "timer", [b"1" + b"0" * 400, b"NaN", b"Infinity", b"-Infinity", b"true", b'"soon"']
)
def test_an_idle_report_whose_timer_is_not_a_finite_number_is_a_protocol_violation(
    worker: Worker, timer: bytes
) -> None:
    # An integer beyond float range once crashed the grader itself (OverflowError): the
    # submission was ungradable and re-queued for ever.
    with session_for(worker, FORGE) as session:
        scenario = Scenario(session, "timer")
        scenario.call("bad_timer", timer, _fetch(scenario))
        ending = scenario.run()
    assert ending.kind is EndKind.CRASHED
    assert ending.detail == "protocol"


needs_kernel = pytest.mark.skipif(
    not kernel.available(), reason="the kernel's view of threads is not readable here"
)


@needs_kernel
def test_a_loop_that_reports_idle_and_then_sleeps_is_measured_until_it_is_idle(
    worker: Worker,
) -> None:
    with session_for(worker, FORGE) as session:
        forged = Scenario(session, "forged", measure_blocking=True)
        call = forged.call("idle_then_sleep", _fetch(forged))
        assert forged.run().completed
        honest = Scenario(session, "honest", measure_blocking=True)
        honest.call("honest", _fetch(honest))
        assert honest.run().completed
    assert call.outcome == Returned(b"body")
    assert forged.observations.blocked(0.005) >= 0.25  # the sleep, although it said idle first
    assert honest.observations.blocked(0.005) == 0.0


@needs_kernel
def test_a_loop_that_reports_idle_and_then_waits_in_something_else_counts_as_blocked(
    worker: Worker,
) -> None:
    with session_for(worker, FORGE) as session:
        scenario = Scenario(session, "elsewhere", measure_blocking=True)
        call = scenario.call("idle_then_wait_elsewhere", _fetch(scenario))
        assert scenario.run().completed
    assert call.outcome == Returned(b"body")
    assert scenario.observations.loop_thread_busy >= 1


THREADS = """
import asyncio, time
from concurrent.futures import ThreadPoolExecutor

POOL = ThreadPoolExecutor(max_workers=4)

def slow_then_read(read, name):
    time.sleep(0.05)  # real time, in a thread: the grader must wait for it
    return read(name)

async def probe(read):
    # Submitted to the pool directly: the harness never counts these threads as work.
    futures = [asyncio.wrap_future(POOL.submit(slow_then_read, read, n)) for n in "abcd"]
    return list(await asyncio.gather(*futures))
"""


@needs_kernel
def test_threads_the_harness_does_not_count_are_waited_for(worker: Worker) -> None:
    with session_for(worker, THREADS, threads=True) as session:
        scenario = Scenario(session, "pool")
        read = scenario.service(
            "read", lambda request: Reply(1.0, value=request.args[0]), kind="blocking"
        )
        call = scenario.call("probe", read)
        assert scenario.run().completed, scenario.ending
    assert call.outcome == Returned(["a", "b", "c", "d"])
    assert all(r.issued_at == 0.0 for r in scenario.requests.values())
    assert scenario.observations.max_in_flight["read"] == 4
    assert call.finished_at == pytest.approx(1.0)


def test_a_loop_busy_until_the_deadline_counts_as_busy(worker: Worker) -> None:
    source = "async def spin():\n    while True:\n        pass\n"
    with session_for(worker, source) as session:
        scenario = Scenario(session, "spin", measure_blocking=True, deadline=0.3)
        scenario.call("spin")
        assert scenario.run().kind is EndKind.TIMEOUT
    # Recorded although no idle report ever came (minus the time the child waited for a CPU,
    # which a loaded machine makes large).
    assert len(scenario.observations.busy) == 1
    assert scenario.observations.longest_busy > 0.1


CLOCKS = """
import asyncio, time

async def clocks():
    loop = asyncio.get_running_loop()
    start = (time.monotonic(), time.time(), time.perf_counter(), time.monotonic_ns())
    await asyncio.sleep(2.5)
    return [loop.time(), time.monotonic(), time.time(), time.perf_counter(),
            time.monotonic_ns() - start[3], start[0]]
"""


def test_the_childs_clocks_follow_virtual_time(worker: Worker) -> None:
    # In asyncio loop.time() is time.monotonic(): code that mixes them, and Tornado, which
    # schedules with time.time(), keep exact virtual times.
    with session_for(worker, CLOCKS) as session:
        scenario = Scenario(session, "clocks")
        call = scenario.call("clocks")
        assert scenario.run().completed
    assert isinstance(call.outcome, Returned)
    loop_time, monotonic, wall, perf, elapsed_ns, started = call.outcome.value
    assert monotonic == loop_time == perf == wall
    assert loop_time - started == 2.5
    assert elapsed_ns == 2_500_000_000


@needs_kernel
def test_a_request_sent_while_the_grader_looked_away_is_read_not_called_a_deadlock(
    worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The child reports idle, sends a request at once and is back asleep in epoll_wait before
    # the grader looks: the kernel then shows a quiet loop, and only the socket tells that it
    # spoke. (A loaded CI machine once made the grader this slow by chance: a deadlock.)
    with session_for(worker, FORGE) as session:
        looks = session.threads_view

        def slow_look() -> object:
            time.sleep(0.05)  # long enough for the child to send and go back to sleep
            return looks()

        monkeypatch.setattr(session, "threads_view", slow_look)
        scenario = Scenario(session, "looked-away", measure_blocking=True)
        call = scenario.call("idle_then_fetch", _fetch(scenario))
        assert scenario.run().completed
    assert call.outcome == Returned(b"body")
