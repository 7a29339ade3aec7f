"""The local backend with real sandboxed worker processes: grading end to end with scores
flowing into attempts, a worker killed mid-job, a service stopped with jobs queued and
running then started again, a service that died (its leases lapse), and no sandbox."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.attempts.models import Attempt
from api.grading import queue
from api.grading.models import GradingJob, JobKind, JobStatus
from api.grading.queue import Timing
from api.submissions.models import Submission, SubmissionStatus
from graders import Result
from tests.grading.running import pool, until
from tests.grading.school import GATHER_ALL, OFFLOAD, School
from tests.grading.solutions import full_marks, reference, wrong
from tests.services import require_bwrap

pytestmark = pytest.mark.sandbox

# Valid, but slow to import (in real time, under the grader's 2 s import deadline): a job
# that stays running long enough to be interrupted.
SLOW = "import time\ntime.sleep(1.2)\n" + reference("gather-all")


@pytest.fixture(autouse=True)
def _bwrap() -> None:
    require_bwrap()


def _statuses(engine: Engine, ids: list[int]) -> dict[int, SubmissionStatus]:
    with Session(engine) as session:
        rows = session.exec(select(Submission).where(Submission.id.in_(ids))).all()  # type: ignore[union-attr]
        return {row.id: row.status for row in rows if row.id is not None}


def test_the_pool_grades_and_scores_flow_into_the_attempt(
    serve: Callable[..., TestClient], school: School
) -> None:
    graded_school = school.on(serve(grading_workers=2))
    quiz = graded_school.quiz(GATHER_ALL, OFFLOAD, feedback="after_each")
    attempt = graded_school.start(quiz)
    sequential, expected = wrong("gather-all", "sequential")
    ids = {
        "reference": graded_school.submitted(attempt, reference("gather-all")),
        "broken": graded_school.submitted(attempt, "def fetch_all(:\n"),
        "offload": graded_school.submitted(attempt, reference("offload-blocking"), position=2),
        "sequential": graded_school.submitted(attempt, sequential),
    }
    results = {name: graded_school.wait(i) for name, i in ids.items()}
    assert results["reference"]["status"] == "graded"
    assert results["reference"]["score"] == full_marks("gather-all")
    assert results["broken"]["status"] == "rejected"
    assert results["broken"]["score"] == 0
    assert "line 1" in results["broken"]["output"]
    assert results["offload"]["score"] == full_marks("offload-blocking")
    assert results["sequential"]["score"] == expected
    assert all(r["runs"] == 1 for r in results.values())
    # The instructor sees every check; the student (feedback after each answer: at once)
    # sees the visible ones only.
    teacher = {t["name"] for t in results["sequential"]["tests"]}
    student = graded_school.ok("GET", f"/submissions/{ids['sequential']}", "ana")
    assert student["score"] == expected
    shown = {t["name"] for t in student["tests"]}
    assert shown < teacher
    assert "no-blocking" in teacher - shown  # gather-all's hidden check
    # Submitting the attempt: each code item takes its latest submission's score.
    closed = graded_school.ok("POST", f"/attempts/{attempt}/submit", "ana")
    gather_item, offload_item = closed["items"]
    assert gather_item["status"] == "answered"
    assert gather_item["score"] == round(expected / full_marks("gather-all") * 8, 6)
    assert offload_item["score"] == offload_item["points"]
    assert closed["score"] == round(gather_item["score"] + offload_item["score"], 6)
    assert closed["pending"] == 0
    assert [p["part"] for p in gather_item["parts"]] == ["correct", "concurrent", "errors"]


def test_a_student_sees_nothing_of_the_result_before_the_policy_allows(
    serve: Callable[..., TestClient], school: School
) -> None:
    graded_school = school.on(serve(grading_workers=1))
    attempt = graded_school.start(graded_school.quiz(GATHER_ALL, feedback="after_submit"))
    submission = graded_school.submitted(attempt, reference("gather-all"))
    graded_school.wait(submission)
    hidden = graded_school.ok("GET", f"/submissions/{submission}", "ana")
    assert hidden["status"] == "graded"
    assert hidden["score"] is None
    assert hidden["output"] is None
    assert hidden["tests"] == []
    graded_school.ok("POST", f"/attempts/{attempt}/submit", "ana")
    released = graded_school.ok("GET", f"/submissions/{submission}", "ana")
    assert released["score"] == full_marks("gather-all")
    assert [t["name"] for t in released["tests"]] == ["correct", "concurrent", "errors"]


def test_a_worker_killed_mid_job_runs_the_job_again_and_counts_it_once(school: School) -> None:
    engine = school.engine
    attempt = school.start(school.quiz(GATHER_ALL))
    submission = school.submitted(attempt, SLOW)
    with pool(engine) as running:
        until(lambda: _statuses(engine, [submission])[submission] == SubmissionStatus.running)
        (worker,) = running._workers
        assert worker.held  # it holds the job
        pid = worker.process.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        until(lambda: _statuses(engine, [submission])[submission] == SubmissionStatus.graded)
        assert all(w.process.pid != pid for w in running._workers)
    done = school.submission(submission)
    assert done["score"] == full_marks("gather-all")
    assert done["runs"] == 2
    with Session(engine) as session:
        job = session.exec(select(GradingJob).where(GradingJob.submission_id == submission)).one()
        assert job.status == JobStatus.done
        assert job.failures == 1
        assert job.reason == "worker-lost"


def test_a_restart_with_jobs_queued_and_running_finishes_them_all(school: School) -> None:
    engine = school.engine
    attempt = school.start(school.quiz(GATHER_ALL))
    sequential, expected = wrong("gather-all", "sequential")
    sources = [SLOW, reference("gather-all"), sequential, SLOW, reference("gather-all")]
    ids = [school.submitted(attempt, source) for source in sources]
    with pool(engine):
        until(lambda: SubmissionStatus.running in _statuses(engine, ids).values())
    # Stopped with one running and the rest queued: all are queued again at once.
    assert set(_statuses(engine, ids).values()) <= {
        SubmissionStatus.queued,
        SubmissionStatus.graded,
    }
    assert SubmissionStatus.queued in _statuses(engine, ids).values()
    with pool(engine, workers=2):
        until(lambda: set(_statuses(engine, ids).values()) == {SubmissionStatus.graded})
    scores = [school.submission(i)["score"] for i in ids]
    assert scores == [12, 12, expected, 12, 12]
    with Session(engine) as session:
        jobs = session.exec(
            select(GradingJob).where(
                GradingJob.submission_id.in_(ids),  # type: ignore[attr-defined]
                GradingJob.kind == JobKind.grade,
            )
        ).all()
    assert all(job.status == JobStatus.done and job.failures == 0 for job in jobs)


def test_jobs_of_a_service_that_died_are_taken_up_when_their_lease_lapses(
    school: School,
) -> None:
    engine = school.engine
    attempt = school.start(school.quiz(GATHER_ALL))
    ids = [school.submitted(attempt, reference("gather-all")) for _ in range(3)]
    # A service claimed them, then died (SIGKILL, power cut): nobody renews their leases.
    dead = queue.claim_batch(engine, limit=3, worker="dead:1", timing=Timing(lease=1, deadline=120))
    assert len(dead) == 3
    with pool(engine, sweep_every=0.2):
        until(lambda: set(_statuses(engine, ids).values()) == {SubmissionStatus.graded})
    assert [school.submission(i)["runs"] for i in ids] == [2, 2, 2]
    # Were the dead service to come back with results, none would be written.
    forged = Result(assignment="gather-all", status="graded", score=0, max_score=12, output="")
    assert all(queue.finish(engine, claimed, forged) is False for claimed in dead)


def test_without_a_sandbox_the_pool_refuses_and_submissions_stay_queued(
    school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = school.engine
    attempt = school.start(school.quiz(GATHER_ALL))
    submission = school.submitted(attempt, reference("gather-all"))
    monkeypatch.setenv("PATH", "/nonexistent")  # spawned workers find no bwrap
    with pool(engine) as running:
        until(lambda: running.unavailable is not None)
        time.sleep(0.3)
        assert "bubblewrap" in (running.unavailable or "")
        assert _statuses(engine, [submission])[submission] == SubmissionStatus.queued
    with pool(engine, unsafe_no_sandbox=True):
        until(lambda: _statuses(engine, [submission])[submission] == SubmissionStatus.graded)
    graded = school.submission(submission)
    assert graded["score"] == full_marks("gather-all")
    assert "sandbox" in graded["output"].lower()


def test_attempt_totals_follow_grading_of_several_items(school: School) -> None:
    engine = school.engine
    attempt = school.start(school.quiz(GATHER_ALL, OFFLOAD))
    for position, assignment in ((1, "gather-all"), (2, "offload-blocking")):
        school.ok(
            "PUT",
            f"/attempts/{attempt}/items/{position}/answer",
            "ana",
            json={"response": reference(assignment), "revision": 1},
        )
    closed = school.ok("POST", f"/attempts/{attempt}/submit", "ana")
    assert closed["pending"] == 2
    assert closed["score"] == 0
    with pool(engine, workers=2):
        until(lambda: _attempt(engine, attempt).pending == 0)
    row = _attempt(engine, attempt)
    assert row.score == row.max_score


def _attempt(engine: Engine, attempt_id: int) -> Attempt:
    with Session(engine) as session:
        row = session.get(Attempt, attempt_id)
        assert row is not None
        return row
