"""The engine's primitives, driven by hand against a real sandboxed child: virtual time,
timeouts and cancellation seen by the grader, deadlock detection, blocking measurement, choice
schedules, and what issue-5 assignments need (immediate stubs with callbacks, async-iterable
sources, a Tornado app served over a socket the grader holds)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from graders import Catalogue, Grader
from graders.engine.model import EndKind, Raised, Reply, Request, Returned
from graders.engine.run import Run
from graders.engine.scenario import Scenario
from graders.engine.schedule import Choice, Fifo, Lifo, Replay, Uniform
from graders.harness.wire import ExcInfo, Helper, Ref
from graders.sandbox.worker import Worker
from tests.graders.sessions import session_for

pytestmark = pytest.mark.sandbox


def answer(latency: float, value: object = None) -> Reply:
    return Reply(latency, value=value)


def test_a_ten_second_scenario_takes_milliseconds_and_ends_at_virtual_ten(worker: Worker) -> None:
    source = "import asyncio\nasync def probe():\n    await asyncio.sleep(10)\n    return 'woke'\n"
    with session_for(worker, source) as session:
        scenario = Scenario(session, "sleep")
        call = scenario.call("probe")
        started = time.monotonic()
        assert scenario.run().completed
        assert time.monotonic() - started < 1.0
        assert call.outcome == Returned("woke")
        assert call.finished_at is not None
        assert call.started_at is not None
        assert call.finished_at - call.started_at == pytest.approx(10.0)


def test_a_timeout_cancels_the_request_and_the_grader_sees_when(worker: Worker) -> None:
    source = (
        "import asyncio\n"
        "async def probe(fetch):\n"
        "    try:\n"
        "        return await asyncio.wait_for(fetch('slow'), 2)\n"
        "    except TimeoutError:\n"
        "        return 'gave up'\n"
    )
    with session_for(worker, source) as session:
        scenario = Scenario(session, "timeout")
        fetch = scenario.service("fetch", lambda request: answer(5.0, b"late"))
        call = scenario.call("probe", fetch)
        assert scenario.run().completed
        assert call.outcome == Returned("gave up")
        (request,) = scenario.requests.values()
        assert request.cancelled_at == pytest.approx(2.0)
        assert request.completed_at is None
        assert call.finished_at == pytest.approx(2.0)


def test_tasks_waiting_on_each_other_are_reported_as_a_deadlock_at_once(worker: Worker) -> None:
    source = "import asyncio\nasync def probe():\n    await asyncio.Event().wait()\n"
    with session_for(worker, source) as session:
        scenario = Scenario(session, "deadlock")
        scenario.call("probe")
        started = time.monotonic()
        ending = scenario.run()
        assert ending.kind is EndKind.DEADLOCK
        assert ending.detail == "probe"
        assert time.monotonic() - started < 1.0


def test_the_grader_measures_how_long_the_loop_stays_busy(worker: Worker) -> None:
    source = (
        "import asyncio, time\n"
        "async def blocks(fetch):\n"
        "    time.sleep(0.3)\n"
        "    return await fetch('x')\n"
        "async def yields(fetch):\n"
        "    await asyncio.sleep(0.3)\n"
        "    return await fetch('x')\n"
    )
    with session_for(worker, source) as session:
        blocking = Scenario(session, "blocks", measure_blocking=True)
        blocking.call("blocks", blocking.service("fetch", lambda r: answer(1.0, b"b")))
        assert blocking.run().completed
        polite = Scenario(session, "yields", measure_blocking=True)
        polite.call("yields", polite.service("fetch", lambda r: answer(1.0, b"b")))
        assert polite.run().completed
    assert blocking.observations.longest_busy >= 0.25
    assert polite.observations.longest_busy < 0.1


def test_choice_schedules_pick_one_event_per_step_and_replay_exactly(worker: Worker) -> None:
    source = (
        "import asyncio\n"
        "async def probe(name, fetch):\n"
        "    return [await fetch(name + str(i)) for i in range(3)]\n"
    )

    def order_under(strategy: object) -> tuple[list[str], list[tuple[int, int]]]:
        with session_for(worker, source) as session:
            choice = Choice(strategy)  # type: ignore[arg-type]
            scenario = Scenario(session, "choice", scheduler=choice)
            fetch = scenario.service("fetch", lambda r: answer(1.0, r.args[0]))
            scenario.call("probe", "a", fetch)
            scenario.call("probe", "b", fetch)
            assert scenario.run().completed
            done = sorted(scenario.requests.values(), key=lambda r: r.completed_at or 0)
            return [str(r.args[0]) for r in done], choice.trace

    fifo, fifo_trace = order_under(Fifo())
    assert fifo == ["a0", "b0", "a1", "b1", "a2", "b2"]
    lifo, _ = order_under(Lifo())
    assert lifo[:2] == ["b0", "b1"]
    shuffled, trace = order_under(Uniform(seed=3))
    replayed, _ = order_under(Replay([choice for choice, _n in trace]))
    assert replayed == shuffled
    assert all(n >= 1 for _c, n in fifo_trace)


def test_immediate_stubs_answer_at_once_and_callbacks_run_when_the_grader_says(
    worker: Worker,
) -> None:
    # The notes' dinner story (issue 5, callback-await): start() answers at once, the kitchen
    # calls back later on the event loop.
    source = (
        "import asyncio\n"
        "async def cook(kitchen, dish):\n"
        "    loop = asyncio.get_running_loop()\n"
        "    meal = loop.create_future()\n"
        "    if not kitchen.start(dish, meal.set_result, meal.set_exception):\n"
        "        raise RuntimeError('refused')\n"
        "    return await meal\n"
    )
    with session_for(worker, source) as session:
        scenario = Scenario(session, "kitchen")

        def start(request: Request) -> Reply:
            dish, on_done, _on_error = request.args
            scenario.invoke(on_done, f"hot {dish}", at=3.0)
            return Reply(value=True)

        kitchen = scenario.service_object("kitchen", {"start": start}, kind="sync")
        call = scenario.call("cook", kitchen, "soup")
        assert scenario.run().completed
        assert call.outcome == Returned("hot soup")
        assert call.finished_at == pytest.approx(3.0)
        (request,) = scenario.requests.values()
        assert request.completed_at == pytest.approx(0.0)


def test_the_grader_counts_wake_ups_of_a_polling_loop(worker: Worker) -> None:
    # issue 5, callback-await's no-polling: waiting on a future wakes the loop once; polling
    # every 10 ms wakes it about 300 times in 3 s of virtual time.
    source = (
        "import asyncio\n"
        "async def waits(kitchen):\n"
        "    return await kitchen.ready()\n"
        "async def polls(kitchen):\n"
        "    task = asyncio.ensure_future(kitchen.ready())\n"
        "    while not task.done():\n"
        "        await asyncio.sleep(0.01)\n"
        "    return task.result()\n"
    )
    wakeups = {}
    with session_for(worker, source) as session:
        for fn in ("waits", "polls"):
            scenario = Scenario(session, fn)
            kitchen = scenario.service_object("kitchen", {"ready": lambda r: answer(3.0, "meal")})
            call = scenario.call(fn, kitchen)
            assert scenario.run().completed
            assert call.outcome == Returned("meal")
            wakeups[fn] = scenario.observations.timer_wakeups
    assert wakeups["waits"] == 0
    assert wakeups["polls"] >= 290


def test_async_iterable_sources_hand_out_items_one_request_at_a_time(worker: Worker) -> None:
    source = "async def total(source):\n    return sum([item async for item in source])\n"
    items = iter([1, 2, 3])

    def next_item(request: Request) -> Reply:
        item = next(items, None)
        if item is None:
            return Reply(0.5, error=ExcInfo("StopAsyncIteration"))
        return Reply(0.5, value=item)

    with session_for(worker, source) as session:
        scenario = Scenario(session, "source")
        call = scenario.call("total", scenario.service("source", next_item, kind="aiter"))
        assert scenario.run().completed
        assert call.outcome == Returned(6)
        assert call.finished_at == pytest.approx(2.0)


TORNADO_APP = """
import asyncio
import tornado.web

class Slow(tornado.web.RequestHandler):
    async def get(self, n):
        self.write(await self.application.settings["backend"].slow(int(n)))

class Fast(tornado.web.RequestHandler):
    def get(self):
        self.write("ok")

def make_app(backend):
    return tornado.web.Application([(r"/slow/(\\d+)", Slow), (r"/fast", Fast)], backend=backend)
"""


def http_get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: grader\r\n\r\n".encode()


def test_a_tornado_app_is_served_to_the_grader_over_http_in_virtual_time(worker: Worker) -> None:
    with session_for(worker, TORNADO_APP) as session:
        scenario = Scenario(session, "http")
        backend = scenario.service_object(
            "backend", {"slow": lambda r: answer(float(r.args[0]), f"slept {r.args[0]}")}
        )
        scenario.call("make_app", backend, keep="app")
        slow, fast = scenario.connect(), scenario.connect()
        scenario.call(Helper("tornado.serve"), Ref("app"), slow.fd)
        scenario.call(Helper("tornado.serve"), Ref("app"), fast.fd)
        scenario.at(0.0, lambda: slow.write(http_get("/slow/2")))
        scenario.at(0.5, lambda: fast.write(http_get("/fast")))
        ending = scenario.run(until=lambda: b"slept 2" in slow.received)
        assert ending.completed, ending
    assert fast.received.startswith(b"HTTP/1.1 200")
    assert fast.received.endswith(b"ok")
    assert fast.arrivals[0][0] == pytest.approx(0.5)  # /fast is not delayed by /slow
    assert slow.arrivals[-1][0] == pytest.approx(2.0)
    assert [r.stub for r in scenario.requests.values()] == ["backend.slow"]


def test_a_stub_given_to_another_event_loop_refuses_politely(worker: Worker) -> None:
    source = (
        "import asyncio\n"
        "async def probe(fetch):\n"
        "    return await asyncio.to_thread(asyncio.run, fetch('x'))\n"
    )
    with session_for(worker, source, threads=True) as session:
        scenario = Scenario(session, "other-loop")
        call = scenario.call("probe", scenario.service("fetch", lambda r: answer(1.0, b"x")))
        assert scenario.run().completed
        assert isinstance(call.outcome, Raised)
        assert call.outcome.exc.type == "RuntimeError"
        assert "event loop" in call.outcome.exc.text


def test_unknown_stub_names_are_a_protocol_violation(worker: Worker) -> None:
    source = (
        "import gc, json\n"
        "async def probe():\n"
        "    sock = next(o.sock for o in gc.get_objects() if hasattr(o, 'pending'))\n"
        "    sock.send(json.dumps({'op': 'req', 'id': 1, 'stub': 'rm -rf', 'args': [],"
        " 'call': 1}).encode())\n"
    )
    with session_for(worker, source) as session:
        scenario = Scenario(session, "forged")
        scenario.call("probe")
        ending = scenario.run()
        assert ending.kind is EndKind.CRASHED
        assert ending.detail == "protocol"


def test_a_worker_that_dies_mid_grading_is_not_the_students_fault(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reference = Catalogue.load()["gather-all"].reference.read_bytes()
    original = Run.scenario
    killed: list[str] = []

    def scenario_then_kill_worker(self: Run, name: str, **options: Any) -> Scenario:
        made = original(self, name, **options)
        if not killed:
            killed.append(name)
            self.worker.close()  # the whole sandbox goes down under a running session
        return made

    monkeypatch.setattr(Run, "scenario", scenario_then_kill_worker)
    with Grader() as grader:
        result = grader.grade("gather-all", reference)
    assert killed
    assert result.gradable
    assert result.score == result.max_score  # graded again, on a fresh worker
