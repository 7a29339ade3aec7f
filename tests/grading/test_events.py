"""The live status streams (server-sent events) over a real HTTP server: a submission's
changes until it is graded, a regrade's progress, and open streams never starving other
requests of the request gate. (Changes made by another process: test_celery.py.)"""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx2 as httpx
import pytest

from tests.grading.running import LiveServer, pool, read_events
from tests.grading.school import GATHER_ALL, School
from tests.grading.solutions import full_marks, reference
from tests.services import require_bwrap


@pytest.fixture(scope="module", params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Streams read the database like any request: one backend is enough here (the stream
    of another process's changes runs on PostgreSQL in test_celery.py)."""
    return str(request.param)


def test_the_stream_follows_a_submission_until_it_is_graded(
    live: Callable[..., LiveServer], school: School
) -> None:
    require_bwrap()
    server = live(grading_workers=1)
    attempt = school.start(school.quiz(GATHER_ALL, feedback="after_each"))
    submission = school.submitted(attempt, reference("gather-all"))
    events = read_events(f"{server.base}/submissions/{submission}/events", school.headers["ana"])
    statuses = [e["status"] for e in events]
    assert statuses[-1] == "graded"
    assert set(statuses) <= {"queued", "running", "graded"}
    assert statuses == sorted(statuses, key=["queued", "running", "graded"].index)
    assert [e["event_id"] for e in events] == sorted({e["event_id"] for e in events})
    final = events[-1]
    assert final["score"] == full_marks("gather-all")
    assert "no-blocking" not in {t["name"] for t in final["tests"]}  # hidden from students
    # A finished submission's stream gives its state once and ends.
    again = read_events(f"{server.base}/submissions/{submission}/events", school.headers["prof"])
    assert [e["status"] for e in again] == ["graded"]
    assert "no-blocking" in {t["name"] for t in again[0]["tests"]}


def test_the_regrade_stream_reports_progress(
    live: Callable[..., LiveServer], school: School
) -> None:
    require_bwrap()
    attempt = school.start(school.quiz(GATHER_ALL))
    ids = [school.submitted(attempt, reference("gather-all")) for _ in range(3)]
    with pool(school.engine):
        for submission in ids:
            school.wait(submission)
    server = live(grading_workers=1)
    regrade = school.ok(
        "POST",
        "/regrades",
        "prof",
        202,
        json={
            "scope": "assignment",
            "course_id": school.course_id,
            "assignment_id": "gather-all",
            "dry_run": True,
        },
    )
    events = read_events(f"{server.base}/regrades/{regrade['id']}/events", school.headers["prof"])
    assert events[-1]["status"] == "done"
    assert events[-1]["done"] == events[-1]["total"] == 3
    done = [e["done"] for e in events]
    assert done == sorted(done)
    assert events[-1]["changed"] == []


def test_open_streams_do_not_starve_other_requests(
    live: Callable[..., LiveServer], school: School
) -> None:
    server = live()  # nothing grades: the streams stay open
    attempt = school.start(school.quiz(GATHER_ALL))
    submission = school.submitted(attempt, reference("gather-all"))
    url = f"{server.base}/submissions/{submission}/events"
    headers = school.headers["ana"]
    opened = threading.Semaphore(0)
    stop = threading.Event()

    def watch() -> None:
        with httpx.stream("GET", url, headers=headers, timeout=30) as response:
            lines = response.iter_lines()
            next(line for line in lines if line.startswith("data:"))
            opened.release()
            stop.wait(30)

    watchers = [threading.Thread(target=watch, daemon=True) for _ in range(20)]  # gate: 12
    for watcher in watchers:
        watcher.start()
    for _ in watchers:
        assert opened.acquire(timeout=30)
    answered = httpx.get(f"{server.base}/submissions/{submission}", headers=headers, timeout=10)
    assert answered.status_code == 200
    assert answered.json()["status"] == "queued"
    stop.set()
    for watcher in watchers:
        watcher.join(10)
