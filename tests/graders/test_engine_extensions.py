"""What issue 5's assignments added to the engine, driven by hand against a real sandboxed
child: graceful stubs whose cancellation the grader confirms (so a task cancelled but not
awaited is seen still running when the call returns), writes resumed once a stalled reader reads
again (at the same virtual instant, deterministically), fresh children per scenario, and plain
`def` entry points."""

from __future__ import annotations

import time

import pytest

from graders import Catalogue
from graders.catalogue import Interface
from graders.engine.model import EndKind, Raised, Reply, Request, Returned
from graders.engine.run import Run
from graders.engine.scenario import Scenario
from graders.harness.wire import Helper, Ref
from graders.precheck import Rejection, precheck
from graders.sandbox.worker import ChildLimits, Worker
from tests.graders.sessions import session_for

FIRST = """
import asyncio

async def awaits(fetch):
    tasks = [asyncio.ensure_future(fetch(n)) for n in ("fast", "slow", "slower")]
    done, rest = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in rest:
        task.cancel()
    await asyncio.gather(*rest, return_exceptions=True)
    return done.pop().result()

async def forgets(fetch):
    tasks = [asyncio.ensure_future(fetch(n)) for n in ("fast", "slow", "slower")]
    done, rest = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in rest:
        task.cancel()
    return done.pop().result()

async def times_out(fetch):
    async with asyncio.timeout(1.5):
        return await fetch("slow")
"""

LATENCY = {"fast": 1.0, "slow": 2.0, "slower": 3.0}


def web(request: Request) -> Reply:
    return Reply(LATENCY[str(request.args[0])], value=str(request.args[0]).encode())


@pytest.mark.sandbox
@pytest.mark.parametrize(("fn", "left"), [("awaits", 0), ("forgets", 2)])
def test_the_grader_sees_whether_cancelled_tasks_were_awaited(
    worker: Worker, fn: str, left: int
) -> None:
    with session_for(worker, FIRST) as session:
        scenario = Scenario(session, fn)
        fetch = scenario.service("fetch", web, graceful=True)
        call = scenario.call(fn, fetch)
        assert scenario.run().completed
    assert call.outcome == Returned(b"fast")
    assert call.finished_at == pytest.approx(1.0)  # confirming a cancellation takes no time
    assert len(call.left_running) == left
    cancelled = [r for r in scenario.requests.values() if r.cancelled_at is not None]
    assert [r.cancelled_at for r in cancelled] == pytest.approx([1.0, 1.0])


@pytest.mark.sandbox
def test_a_timeout_on_a_graceful_stub_still_raises_timeout_error(worker: Worker) -> None:
    with session_for(worker, FIRST) as session:
        scenario = Scenario(session, "timeout")
        call = scenario.call("times_out", scenario.service("fetch", web, graceful=True))
        assert scenario.run().completed
    assert isinstance(call.outcome, Raised)
    assert call.outcome.exc.type == "TimeoutError"
    assert call.finished_at == pytest.approx(1.5)
    (request,) = scenario.requests.values()
    assert request.cancel_done_at == pytest.approx(1.5)
    assert call.left_running == ()


def test_a_skipped_scenario_still_builds_and_ends_with_its_connections_closed() -> None:
    # After two timeouts a submission's remaining scenarios are skipped: building them (HTTP
    # and WebSocket clients included) must not fail.
    scenario = Scenario(None, "skipped")
    conn = scenario.connect(send_buffer=4096)
    scenario.at(0.5, lambda: conn.write(b"GET / HTTP/1.1\r\n\r\n"))
    assert scenario.run().kind is EndKind.SKIPPED
    assert conn.closed
    assert not conn.eof


def test_only_async_stubs_can_be_graceful() -> None:
    scenario = Scenario(None, "offline")
    with pytest.raises(ValueError, match="graceful"):
        scenario.service("read", web, kind="blocking", graceful=True)


CHATTY = """
import asyncio
import tornado.web

class Big(tornado.web.RequestHandler):
    def get(self):
        self.write(b"x" * 300_000)

def make_app(backend):
    return tornado.web.Application([(r"/big", Big)])
"""


@pytest.mark.sandbox
def test_a_reader_that_resumes_gets_everything_at_the_instant_it_reads_again(
    worker: Worker,
) -> None:
    with session_for(worker, CHATTY) as session:
        scenario = Scenario(session, "stalled")
        scenario.call("make_app", None, keep="app")
        conn = scenario.connect(send_buffer=4096)
        conn.reading = False
        scenario.call(Helper("tornado.serve"), Ref("app"), conn.fd)
        scenario.at(0.0, lambda: conn.write(b"GET /big HTTP/1.1\r\nHost: g\r\n\r\n"))
        scenario.at(5.0, lambda: setattr(conn, "reading", True))
        ending = scenario.run(until=lambda: len(conn.received) >= 300_000)
        assert ending.completed, ending
    assert {t for t, _data in conn.arrivals} == {5.0}
    assert conn.received.endswith(b"x" * 1000)


@pytest.mark.sandbox
def test_a_fresh_scenario_runs_on_a_new_child(worker: Worker) -> None:
    assignment = Catalogue.load()["gather-all"]
    source = "async def fetch_all(urls, fetch):\n    return []\n"
    run = Run(worker, assignment, source, seed=0, limits=ChildLimits())
    try:
        first = run.scenario("one")
        second = run.scenario("two")
        assert second.session is first.session
        third = run.scenario("three", fresh=True)
        assert third.session is not first.session
        assert first.session is not None
        assert first.session.ended is not None
    finally:
        run.close()


def test_a_plain_def_entry_point_rejects_async_def() -> None:
    interface = Interface("function", "make_app", "def make_app()", coroutine=False)
    checked = precheck(b"async def make_app():\n    return None\n", interface)
    assert checked == Rejection("async-def", {"name": "make_app", "line": 1})
    assert isinstance(precheck(b"def make_app():\n    return None\n", interface), str)


WATCH = """
import asyncio

seen = []

def watch(sock):
    loop = asyncio.get_running_loop()

    def on_readable():
        seen.append((sock.recv(100).decode(), loop.time()))

    loop.add_reader(sock.fileno(), on_readable)

async def seen_so_far():
    return seen
"""


@pytest.mark.sandbox
def test_bytes_written_to_connections_are_seen_together_at_the_new_virtual_time(
    worker: Worker,
) -> None:
    # The loop does not wake for the first of several writes at its old virtual time: it sees
    # all of them once the grader's tick has moved the clock.
    with session_for(worker, WATCH) as session:
        scenario = Scenario(session, "watch")
        conns = [scenario.connect() for _ in range(8)]
        for conn in conns:
            scenario.call("watch", conn.fd)

        def write_all() -> None:
            for index, conn in enumerate(conns):
                conn.write(f"{index}".encode())
                time.sleep(0.002)  # a grader slowed down (a loaded machine): the child is awake

        scenario.at(0.5, write_all)
        scenario.at(1.25, write_all)
        seen = scenario.call("seen_so_far", at=2.0)
        assert scenario.run().completed
    assert isinstance(seen.outcome, Returned)
    times = sorted({t for _data, t in seen.outcome.value})
    assert times == [0.5, 1.25]
    assert len(seen.outcome.value) == 16
