"""What the real server cannot be made to do on cue: refused connections, connections cut
midway, proxies answering 502/503 with HTML, event streams that drop. Faked with
httpx.MockTransport (no patching), for both clients."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api.client import AsyncClient, Client, ServerError, TransportError, UnexpectedResponse
from api.client.sse import EventParser

URL = "http://quizloop.test"
ME = {"id": 1, "email": "prof@example.org", "role": "instructor"}
Handler = Callable[[httpx.Request], httpx.Response]


class Script:
    """Answers requests in order: an exception class is raised, a response returned."""

    def __init__(self, *steps: type[Exception] | httpx.Response) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0)
        if isinstance(step, httpx.Response):
            return step
        raise step("scripted failure", request=request)


def _client(script: Handler, retries: int = 3) -> Client:
    return Client(
        URL, "qlp_token", transport=httpx.MockTransport(script), retries=retries, backoff=0
    )


def test_a_refused_connection_is_retried_for_any_call() -> None:
    script = Script(httpx.ConnectError, httpx.ConnectError, httpx.Response(200, json=ME))
    with _client(script) as client:
        assert client.me().email == "prof@example.org"
    assert len(script.requests) == 3
    assert script.requests[0].headers["authorization"] == "Bearer qlp_token"
    submitted = {"id": 9, "attempt_id": 1, "status": "queued"}
    script = Script(httpx.ConnectTimeout, httpx.Response(202, json=submitted))
    with _client(script) as client:
        # Never sent, so sending it again cannot queue the code twice.
        assert client.submit(1, 3, "print()").status == "queued"
    assert len(script.requests) == 2


def test_a_connection_cut_midway_is_retried_only_for_idempotent_calls() -> None:
    script = Script(httpx.ReadError, httpx.RemoteProtocolError, httpx.Response(200, json=ME))
    with _client(script) as client:
        assert client.me().id == 1
    assert len(script.requests) == 3
    script = Script(httpx.ReadError, httpx.Response(202, json={}))
    with _client(script) as client, pytest.raises(TransportError, match="submissions"):
        client.submit(1, 3, "print()")
    assert len(script.requests) == 1  # it may have been queued: never sent twice


def test_retries_run_out() -> None:
    script = Script(*[httpx.ConnectError] * 3)
    with _client(script, retries=2) as client, pytest.raises(TransportError) as failed:
        client.me()
    assert len(script.requests) == 3
    assert isinstance(failed.value.__cause__, httpx.ConnectError)


def test_busy_answers_are_retried_for_idempotent_calls_only() -> None:
    busy = httpx.Response(503, headers={"Retry-After": "0"}, text="<html>busy</html>")
    script = Script(busy, httpx.Response(200, json=ME))
    with _client(script) as client:
        assert client.me().id == 1
    script = Script(httpx.Response(502, text="<html><h1>502 Bad Gateway</h1></html>"))
    with _client(script) as client, pytest.raises(ServerError) as failed:
        client.override(1, 1, points=1, reason="why")
    assert len(script.requests) == 1
    assert (failed.value.status, failed.value.kind) == (502, "http-502")
    assert "502 Bad Gateway" in failed.value.detail


def test_an_answer_that_is_not_the_apis_is_reported() -> None:
    script = Script(httpx.Response(200, text="<html>login portal</html>"))
    with _client(script) as client, pytest.raises(UnexpectedResponse, match="expected JSON"):
        client.me()


def test_the_async_client_retries_alike() -> None:
    script = Script(httpx.ConnectError, httpx.ReadError, httpx.Response(200, json=ME))

    async def run() -> None:
        transport = httpx.MockTransport(script)
        async with AsyncClient(URL, "t", transport=transport, backoff=0) as client:
            assert (await client.me()).id == 1
        cut = Script(httpx.ReadError)
        async with AsyncClient(URL, "t", transport=httpx.MockTransport(cut), backoff=0) as client:
            with pytest.raises(TransportError):
                await client.submit(1, 1, "x")
        assert len(cut.requests) == 1

    asyncio.run(run())
    assert len(script.requests) == 3


# --- event streams ---------------------------------------------------------------------------


def _events(*states: dict[str, Any], comment: bool = True) -> bytes:
    lines = [": keep-alive\n\n"] if comment else []
    for number, state in enumerate(states, start=1):
        lines.append(f"event: status\nid: {number}\ndata: {json.dumps(state)}\n\n")
    return "".join(lines).encode()


def _submission(status: str, score: float | None = None) -> dict[str, Any]:
    return {"id": 7, "attempt_id": 1, "position": 2, "status": status, "score": score}


class DroppingStream:
    """/events answers queued and running, then the connection drops; the next stream
    repeats running, then graded."""

    def __init__(self) -> None:
        self.streams = 0
        self.reads = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/events"):
            self.streams += 1
            if self.streams == 1:
                body = _events(_submission("queued"), _submission("running"))
            else:
                body = _events(_submission("running"), _submission("graded", 5.0))
            return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
        self.reads += 1
        return httpx.Response(200, json=_submission("running"))


def test_a_watch_survives_a_dropped_stream_and_never_repeats_a_state() -> None:
    server = DroppingStream()
    with _client(server) as client:
        states = [s.status for s in client.watch_submission(7)]
    assert states == ["queued", "running", "graded"]
    assert (server.streams, server.reads) == (2, 1)

    async def run() -> list[str]:
        again = DroppingStream()
        async with AsyncClient(URL, "t", transport=httpx.MockTransport(again), backoff=0) as client:
            return [s.status async for s in client.watch_submission(7)]

    assert asyncio.run(run()) == ["queued", "running", "graded"]


def test_a_stream_that_ends_after_the_final_state_is_read_once() -> None:
    finished = _events(_submission("queued"), _submission("not_gradable"))

    def server(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/submissions/7/events"
        return httpx.Response(200, content=finished, headers={"content-type": "text/event-stream"})

    with _client(server) as client:
        final = client.wait_for_submission(7)
    assert final.status == "not_gradable"
    assert final.finished


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(["data: x", ""], [("message", "x", None)], id="default event"),
        pytest.param(
            ["event: status", "id: 4", "data: {", "data: }", ""],
            [("status", "{\n}", "4")],
            id="multi-line data",
        ),
        pytest.param(
            [": comment", "", "data:no-space", ""],
            [("message", "no-space", None)],
            id="comment and no space",
        ),
        pytest.param(["event: status", ""], [], id="no data, no event"),
        pytest.param(
            ["data: a", "retry: 10", "unknown: x", ""],
            [("message", "a", None)],
            id="ignored fields",
        ),
        pytest.param(["data: a"], [], id="unfinished"),
    ],
)
def test_the_event_parser(lines: list[str], expected: list[tuple[str, str, str | None]]) -> None:
    parser = EventParser()
    events = [e for line in lines for e in parser.feed(line)]
    assert [(e.event, e.data, e.id) for e in events] == expected
