"""The child-side harness in-process, without a sandbox: the virtual-time loop and the session
protocol, driven from a test thread playing the grader."""

from __future__ import annotations

import asyncio
import json
import select
import socket
import threading
import types
from collections.abc import Iterator
from typing import Any

import pytest

from graders.harness import runner, wire
from graders.harness.vloop import VirtualLoop

SUBMISSION = """
import asyncio
async def nap(seconds):
    await asyncio.sleep(seconds)
    return asyncio.get_running_loop().time()
async def fetch_twice(fetch):
    return [await fetch("a"), await fetch("b")]
def plain():
    return 42
"""


class Grader:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.seq = 0
        self.backlog: list[dict[str, Any]] = []

    def send(self, op: str, **payload: Any) -> None:
        self.seq += 1
        self.sock.send(json.dumps({"op": op, "seq": self.seq, **payload}).encode())

    def receive(self) -> dict[str, Any]:
        """The next message, batches unpacked."""
        if not self.backlog:
            assert select.select([self.sock], [], [], 5.0)[0], "the child said nothing"
            message = wire.decode(self.sock.recv(wire.MAX_MESSAGE))
            self.backlog = message["messages"] if message["op"] == wire.BATCH else [message]
        return self.backlog.pop(0)

    def until(self, op: str) -> list[dict[str, Any]]:
        seen = []
        while True:
            message = self.receive()
            seen.append(message)
            if message["op"] == op and (op != wire.IDLE or message["ack"] == self.seq):
                return seen


@pytest.fixture
def child() -> Iterator[Grader]:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    session = runner.Session(theirs)
    loop = VirtualLoop(theirs.fileno(), session.on_readable, session.on_idle)
    session.loop = loop
    module = types.ModuleType("submission")
    exec(compile(SUBMISSION, runner.FILENAME, "exec"), module.__dict__)
    session.module = module
    theirs.setblocking(False)
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    grader = Grader(ours)
    assert grader.receive() == {"op": wire.IDLE, "ack": 0, "timer": None, "busy": 0}
    yield grader
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()
    ours.close()
    theirs.close()
    asyncio.set_event_loop(None)


def test_the_loop_reports_its_next_timer_and_jumps_only_when_told(child: Grader) -> None:
    child.send(wire.CALL, call=1, fn="nap", args=[30])
    (idle,) = child.until(wire.IDLE)
    assert idle["timer"] == pytest.approx(30.0)
    child.send(wire.TICK, t=10.0, events=[])
    (idle,) = child.until(wire.IDLE)
    assert idle["timer"] == pytest.approx(30.0)  # not yet
    child.send(wire.TICK, t=30.0, events=[])
    done, _idle = child.until(wire.IDLE)
    assert done == {"op": wire.DONE, "call": 1, "ok": True, "value": 30.0, "awaitable": True}


def test_requests_are_sent_at_once_and_completions_resume_the_caller(child: Grader) -> None:
    stub = wire.pack_trusted(wire.Stub("fetch", "async"))
    child.send(wire.CALL, call=1, fn="fetch_twice", args=[stub])
    request, _idle = child.until(wire.IDLE)
    assert (request["op"], request["stub"], request["args"], request["call"]) == (
        wire.REQUEST, "fetch", ["a"], 1)  # fmt: skip
    child.send(wire.TICK, t=1.0, events=[{"id": request["id"], "value": {"$b": "QQ=="}}])
    second, _idle = child.until(wire.IDLE)
    child.send(
        wire.TICK,
        t=2.0,
        events=[{"id": second["id"], "exc": {"type": "ConnectionError", "args": ["reset"]}}],
    )
    done, _idle = child.until(wire.IDLE)
    assert done["ok"] is False
    assert done["exc"]["type"] == "ConnectionError"
    assert done["exc"]["args"] == ["reset"]


def test_requests_and_results_travel_with_the_idle_report_in_one_datagram(child: Grader) -> None:
    stub = wire.pack_trusted(wire.Stub("fetch", "async"))
    child.send(wire.CALL, call=1, fn="fetch_twice", args=[stub])
    assert select.select([child.sock], [], [], 5.0)[0]
    batch = wire.decode(child.sock.recv(wire.MAX_MESSAGE))
    assert batch["op"] == wire.BATCH
    assert [m["op"] for m in batch["messages"]] == [wire.REQUEST, wire.IDLE]


def test_a_plain_function_is_reported_as_not_awaitable(child: Grader) -> None:
    child.send(wire.CALL, call=1, fn="plain", args=[])
    done, _idle = child.until(wire.IDLE)
    assert done == {"op": wire.DONE, "call": 1, "ok": True, "value": 42, "awaitable": False}
