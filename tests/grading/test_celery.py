"""The celery backend against the real Redis (database 15, flushed per test) with `quizloop
worker` processes the tests start: grading end to end, a worker process killed with SIGKILL
mid-job (its message is redelivered and takes the job over), a whole worker killed (the
service's sweep republishes its job for another), the same message delivered twice, a service
stopped with jobs queued and started again before any worker runs, and jobs whose broker
message was lost (republished once, then graded once; never while in flight)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from api.core.db import transaction
from api.grading.models import GradingJob, JobStatus
from api.grading.publish import JobMessage
from api.grading.queue import requeue_job
from api.grading.runtime import CELERY_SWEEP_SECONDS, REPUBLISH_AFTER_SECONDS
from api.grading.sweep import republish_stale, sweep
from api.grading.tasks import CeleryPublisher, make_celery
from api.main import create_app
from api.submissions.models import Submission
from tests.grading.running import (
    LEASE,
    Event,
    LiveServer,
    Workers,
    read_events,
    settings_for,
    until,
)
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


@pytest.fixture
def publisher(grading_db: tuple[Engine, str], broker: str, tmp_path: Path) -> CeleryPublisher:
    """A publisher on the tests' broker that no service registered: it sends only what a test
    tells it to, and counts the messages waiting."""
    return CeleryPublisher(make_celery(settings_for(grading_db[1], tmp_path, broker_url=broker)))


def _job(engine: Engine, submission_id: int) -> GradingJob:
    with Session(engine) as session:
        return session.exec(
            select(GradingJob).where(GradingJob.submission_id == submission_id)
        ).one()


def _version(engine: Engine, submission_id: int) -> int:
    with Session(engine) as session:
        row = session.get(Submission, submission_id)
        assert row is not None
        return row.version


def _lost_a_minute_ago(engine: Engine, submission_id: int) -> None:
    """Age the job's publication past the sweep's threshold, as if its message had been lost
    for a while (the sweep looks at `queued_at` only)."""
    with Session(engine) as session:
        job = session.exec(
            select(GradingJob).where(GradingJob.submission_id == submission_id)
        ).one()
        job.queued_at -= timedelta(seconds=REPUBLISH_AFTER_SECONDS + 1)
        session.add(job)
        session.commit()


def _waiting_for_a_row_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()
    return bool(waiting)


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
    until(lambda: _job(engine, submission).status == JobStatus.running)
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
    until(lambda: _job(engine, submission).status == JobStatus.running)
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
    celery_school: School, workers: Workers, publisher: CeleryPublisher
) -> None:
    engine = celery_school.engine
    workers.start("one")
    workers.start("two")
    attempt = celery_school.start(celery_school.quiz(GATHER_ALL))
    submission = celery_school.submitted(attempt, reference("gather-all"))
    job = _job(engine, submission)
    assert job.id is not None
    publisher.publish([JobMessage(job.id, job.job_token)] * 3)  # duplicates of the real one
    graded = celery_school.wait(submission)
    assert graded["runs"] == 1
    until(lambda: publisher.waiting() == 0)
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


def test_a_service_stopped_with_jobs_queued_leaves_them_to_workers_started_later(
    serve: Callable[..., TestClient],
    school: School,
    broker: str,
    workers: Workers,
    publisher: CeleryPublisher,
    grading_db: tuple[Engine, str],
    tmp_path: Path,
) -> None:
    engine, url = grading_db
    attempt = school.start(school.quiz(GATHER_ALL))
    sequential, expected = wrong("gather-all", "sequential")
    sources = [
        (reference("gather-all"), "graded", full_marks("gather-all")),
        ("def fetch_all(:\n", "rejected", 0.0),
        (sequential, "graded", expected),
    ]
    celery = settings_for(url, tmp_path, grading_backend="celery", broker_url=broker)
    with TestClient(create_app(celery, engine=engine)) as first:  # no worker runs yet
        ids = [school.on(first).submitted(attempt, source) for source, _, _ in sources]
        assert publisher.waiting() == len(ids)
    # That service has stopped: its jobs wait in the database and in the broker.
    assert [school.submission(i)["status"] for i in ids] == ["queued"] * len(ids)
    assert publisher.waiting() == len(ids)
    second = school.on(serve(grading_backend="celery", broker_url=broker))
    workers.start("one")
    results = [second.wait(i) for i in ids]
    assert [(r["status"], r["score"], r["runs"]) for r in results] == [
        (status, score, 1) for _, status, score in sources
    ]
    for submission in ids:
        job = _job(engine, submission)
        assert (job.status, job.runs, job.failures) == (JobStatus.done, 1, 0)
        assert _version(engine, submission) == 2  # running, then its result: each once
    assert publisher.waiting() == 0
    closed = second.ok("POST", f"/attempts/{attempt}/submit", "ana")
    assert closed["pending"] == 0
    # The item takes its latest submission's score, counted once.
    assert closed["items"][0]["score"] == round(expected / full_marks("gather-all") * 8, 6)
    assert closed["score"] == closed["items"][0]["score"]


@pytest.mark.parametrize("loss", ["broker-emptied", "never-published"])
def test_a_job_whose_message_was_lost_is_republished_once_and_graded_once(
    serve: Callable[..., TestClient],
    school: School,
    broker: str,
    workers: Workers,
    publisher: CeleryPublisher,
    loss: str,
) -> None:
    engine = school.engine
    attempt = school.start(school.quiz(GATHER_ALL))
    if loss == "never-published":
        # Committed by a service that died before publishing: `school`'s app has no backend.
        submission = school.submitted(attempt, reference("gather-all"))
        service = school.on(serve(grading_backend="celery", broker_url=broker))
    else:
        service = school.on(serve(grading_backend="celery", broker_url=broker))
        submission = service.submitted(attempt, reference("gather-all"))
        assert publisher.waiting() == 1
        redis.Redis.from_url(broker).flushdb()  # Redis restarted without its data
    assert publisher.waiting() == 0
    workers.start("one")
    lost = _job(engine, submission)
    assert lost.status == JobStatus.queued
    # A job queued moments ago may still be on its way to the broker: left alone.
    assert republish_stale(engine, older_than=REPUBLISH_AFTER_SECONDS) == 0
    _lost_a_minute_ago(engine, submission)
    # The service sweeps every few seconds (api/grading/runtime.py): finding the broker's
    # queue empty, it publishes the job again under a new token.
    until(
        lambda: _job(engine, submission).job_token != lost.job_token,
        timeout=3 * CELERY_SWEEP_SECONDS,
    )
    # Published anew, the job is in flight again: the next sweep leaves it alone.
    assert republish_stale(engine, older_than=REPUBLISH_AFTER_SECONDS) == 0
    graded = service.wait(submission)
    assert (graded["status"], graded["score"], graded["runs"]) == (
        "graded",
        full_marks("gather-all"),
        1,
    )
    job = _job(engine, submission)
    assert (job.status, job.runs, job.failures) == (JobStatus.done, 1, 0)
    assert _version(engine, submission) == 3  # queued anew, running, graded: each once
    assert publisher.waiting() == 0


def test_a_running_job_is_not_republished(
    celery_school: School, workers: Workers, publisher: CeleryPublisher
) -> None:
    engine = celery_school.engine
    workers.start("only")
    attempt = celery_school.start(celery_school.quiz(GATHER_ALL))
    submission = celery_school.submitted(attempt, SLOW)
    published = _job(engine, submission).job_token
    until(lambda: _job(engine, submission).status == JobStatus.running)
    # Its message is with the worker, so the broker's queue is empty: the service sweeps
    # for lost jobs now, and must not count this one among them, however old.
    assert publisher.waiting() == 0
    assert republish_stale(engine, older_than=0) == 0
    graded = celery_school.wait(submission)
    assert (graded["score"], graded["runs"]) == (full_marks("gather-all"), 1)
    job = _job(engine, submission)
    assert (job.status, job.job_token, job.failures) == (JobStatus.done, published, 0)


def test_two_sweeps_at_once_republish_a_lost_job_once(
    celery_school: School, workers: Workers, publisher: CeleryPublisher, broker: str
) -> None:
    """Each service process sweeps (`serve --workers N`): two may find the same lost job."""
    engine = celery_school.engine
    attempt = celery_school.start(celery_school.quiz(GATHER_ALL))
    submission = celery_school.submitted(attempt, reference("gather-all"))
    redis.Redis.from_url(broker).flushdb()  # its message lost
    job_id = _job(engine, submission).id
    with ThreadPoolExecutor(1) as other_process:
        with Session(engine) as session, transaction(session):
            # One sweep holds the job, about to republish it, when another looks...
            job = session.get(GradingJob, job_id, with_for_update=True)
            assert job is not None
            racing = other_process.submit(republish_stale, engine, older_than=0)
            until(lambda: racing.done() or _waiting_for_a_row_lock(engine))
            assert not racing.done()
            requeue_job(session, job, reason=job.reason)
        # ...and republishes it (committed, published) while the other waits for the row.
        assert racing.result(timeout=30) == 0
    assert publisher.waiting() == 1
    republished = _job(engine, submission).job_token
    workers.start("one")
    graded = celery_school.wait(submission)
    assert (graded["score"], graded["runs"]) == (full_marks("gather-all"), 1)
    assert _job(engine, submission).job_token == republished
