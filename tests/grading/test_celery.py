"""The celery backend against the real Redis (database 15, flushed per test) with `quizloop
worker` processes the tests start: grading end to end, a worker process killed with SIGKILL
mid-job (its message is redelivered and takes the job over), a whole worker killed (the
service's sweep republishes its job for another), and the same message delivered twice."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.grading.models import GradingJob, JobStatus
from api.grading.publish import JobMessage
from api.grading.sweep import sweep
from api.grading.tasks import CeleryPublisher, make_celery
from api.submissions.models import Submission
from tests.grading.running import LEASE, Event, LiveServer, Workers, read_events, settings_for
from tests.grading.school import GATHER_ALL, School
from tests.grading.solutions import full_marks, reference, wrong

pytestmark = [pytest.mark.redis, pytest.mark.sandbox]


@pytest.fixture(scope="module", params=["postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Celery is the scaled deployment's backend, on PostgreSQL; the queue's SQLite paths are
    proven by test_queue.py and test_local_pool.py."""
    return str(request.param)


SLOW = "import time\ntime.sleep(1.2)\n" + reference("gather-all")


@pytest.fixture
def celery_school(serve: Callable[..., TestClient], school: School, broker: str) -> School:
    return school.on(serve(grading_backend="celery", broker_url=broker))


def _job(engine: Engine, submission_id: int) -> GradingJob:
    with Session(engine) as session:
        return session.exec(
            select(GradingJob).where(GradingJob.submission_id == submission_id)
        ).one()


def _until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_celery_workers_grade_submissions(celery_school: School, workers: Workers) -> None:
    workers.start("one")
    workers.start("two")
    attempt = celery_school.start(celery_school.quiz(GATHER_ALL))
    sequential, expected = wrong("gather-all", "sequential")
    ids = [
        celery_school.submitted(attempt, reference("gather-all")),
        celery_school.submitted(attempt, sequential),
        celery_school.submitted(attempt, "def fetch_all(:\n"),
    ]
    results = [celery_school.wait(i) for i in ids]
    assert [r["status"] for r in results] == ["graded", "graded", "rejected"]
    assert [r["score"] for r in results] == [full_marks("gather-all"), expected, 0]
    assert all(r["runs"] == 1 for r in results)
    closed = celery_school.ok("POST", f"/attempts/{attempt}/submit", "ana")
    assert closed["items"][0]["score"] == 0  # the latest submission: a syntax error
    assert closed["pending"] == 0


def test_a_worker_process_killed_mid_job_reruns_it_once(
    celery_school: School, workers: Workers
) -> None:
    engine = celery_school.engine
    # A long lease: only the redelivered message (late acknowledgement, reject on worker
    # lost) can take the job over within the test, not the sweep.
    workers.env["QUIZLOOP_GRADING_LEASE_SECONDS"] = "120"
    workers.start("only")
    attempt = celery_school.start(celery_school.quiz(GATHER_ALL))
    submission = celery_school.submitted(attempt, SLOW)
    _until(lambda: _job(engine, submission).status == JobStatus.running)
    child = int((_job(engine, submission).worker or "").split(":")[1])
    os.kill(child, signal.SIGKILL)  # the pool process grading it, not the worker
    graded = celery_school.wait(submission)
    assert graded["status"] == "graded"
    assert graded["score"] == full_marks("gather-all")
    assert graded["runs"] == 2
    job = _job(engine, submission)
    assert job.status == JobStatus.done
    assert job.failures == 0  # taken over by the redelivered message, not the sweep
    assert int((job.worker or "").split(":")[1]) != child


def test_a_dead_workers_job_is_republished_for_another(
    celery_school: School, workers: Workers
) -> None:
    engine = celery_school.engine
    doomed = workers.start("doomed")
    attempt = celery_school.start(celery_school.quiz(GATHER_ALL))
    submission = celery_school.submitted(attempt, SLOW)
    _until(lambda: _job(engine, submission).status == JobStatus.running)
    os.killpg(doomed.pid, signal.SIGKILL)  # the whole worker, its message unacknowledged
    doomed.wait(10)
    workers.start("survivor")
    time.sleep(LEASE + 0.2)  # nobody renews the dead run's lease
    # The service sweeps every few seconds; sweeping now only saves the wait.
    sweep(engine)
    graded = celery_school.wait(submission)
    assert graded["score"] == full_marks("gather-all")
    assert graded["runs"] == 2
    job = _job(engine, submission)
    assert job.failures == 1
    assert job.reason == "worker-lost"  # queued again, published anew, taken by the survivor


def test_the_same_message_twice_grades_once(
    celery_school: School,
    workers: Workers,
    broker: str,
    grading_db: tuple[Engine, str],
    tmp_path: Path,
) -> None:
    engine = celery_school.engine
    workers.start("one")
    workers.start("two")
    attempt = celery_school.start(celery_school.quiz(GATHER_ALL))
    submission = celery_school.submitted(attempt, reference("gather-all"))
    job = _job(engine, submission)
    assert job.id is not None
    publisher = CeleryPublisher(
        make_celery(settings_for(grading_db[1], tmp_path, broker_url=broker))
    )
    publisher.publish([JobMessage(job.id, job.job_token)] * 3)  # duplicates of the real one
    graded = celery_school.wait(submission)
    assert graded["runs"] == 1
    _until(lambda: publisher.waiting() == 0)
    time.sleep(0.5)  # let the duplicates be consumed
    assert celery_school.submission(submission)["runs"] == 1
    with Session(engine) as session:
        row = session.get(Submission, submission)
        assert row is not None
        assert row.version == 2  # running, then graded: each written once


def test_the_stream_sees_what_another_process_grades(
    live: Callable[..., LiveServer], school: School, broker: str, workers: Workers
) -> None:
    server = live(grading_backend="celery", broker_url=broker)
    attempt = school.start(school.quiz(GATHER_ALL, feedback="after_each"))
    submission = school.submitted(attempt, reference("gather-all"))
    seen: list[Event] = []
    reader = threading.Thread(
        target=lambda: seen.extend(
            read_events(f"{server.base}/submissions/{submission}/events", school.headers["ana"])
        )
    )
    reader.start()
    workers.start("grader")  # in another process: its changes reach this server via Redis
    reader.join(60)
    assert not reader.is_alive()
    assert seen[0]["status"] == "queued"
    assert seen[-1]["status"] == "graded"
    assert seen[-1]["score"] == full_marks("gather-all")
