"""The queue's guarantees, driven step by step with a real grader: a job delivered twice
counts once, a redelivered message takes over from a dead run whose late result is then
ignored, stale messages claim nothing, overdue and abandoned jobs end as not gradable
(never as zero), infrastructure failures are retried, released jobs are queued again, and
concurrent claimers never share a job."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, select

from api.attempts.models import Attempt, AttemptItem
from api.core.db import utcnow
from api.grading import queue
from api.grading.models import GradingJob, JobKind, JobStatus
from api.grading.publish import JobMessage
from api.grading.queue import Claimed, Timing
from api.grading.sweep import sweep
from api.submissions.models import Submission, SubmissionStatus
from graders import Grader, Result
from tests.grading.school import GATHER_ALL, TRUE_FALSE, School
from tests.grading.solutions import reference, wrong

TIMING = Timing(lease=30, deadline=120)
GATHER_POINTS = 8.0  # the bank question's points


def _message(engine: Engine, submission_id: int) -> JobMessage:
    with Session(engine) as session:
        job = session.exec(
            select(GradingJob).where(GradingJob.submission_id == submission_id)
        ).one()
        assert job.id is not None
        return JobMessage(job.id, job.job_token)


def _claim(engine: Engine, message: JobMessage, *, redelivered: bool = False) -> Claimed | None:
    return queue.claim_job(engine, message, redelivered=redelivered, worker="test:1", timing=TIMING)


def _grade(grader: Grader, claimed: Claimed) -> Result:
    return grader.grade(claimed.assignment_id, claimed.source, seed=claimed.seed)


def _rows(
    engine: Engine, submission_id: int
) -> tuple[Submission, GradingJob, Attempt, AttemptItem]:
    with Session(engine) as session:
        submission = session.get(Submission, submission_id)
        assert submission is not None
        job = session.exec(
            select(GradingJob).where(
                GradingJob.submission_id == submission_id, GradingJob.kind == JobKind.grade
            )
        ).one()
        attempt = session.get(Attempt, submission.attempt_id)
        item = session.get(AttemptItem, submission.item_id)
        assert attempt is not None
        assert item is not None
        return submission, job, attempt, item


def _closed_attempt_with_code(school: School, source: str) -> tuple[int, int]:
    """An attempt (code item 1, true/false item 2 answered right) submitted with `source`
    saved: (attempt id, its automatic submission's id)."""
    attempt = school.start(school.quiz(GATHER_ALL, TRUE_FALSE))
    school.ok(
        "PUT",
        f"/attempts/{attempt}/items/1/answer",
        "ana",
        json={"response": source, "revision": 1},
    )
    school.ok(
        "PUT", f"/attempts/{attempt}/items/2/answer", "ana", json={"response": True, "revision": 1}
    )
    closed = school.ok("POST", f"/attempts/{attempt}/submit", "ana")
    assert closed["items"][0]["status"] == "awaiting_grading"
    listed = school.ok("GET", f"/attempts/{attempt}/items/1/submissions", "prof")
    return attempt, listed["data"][0]["id"]


def _true_false_points(engine: Engine, attempt_id: int) -> float:
    with Session(engine) as session:
        item = session.exec(
            select(AttemptItem).where(
                AttemptItem.attempt_id == attempt_id, AttemptItem.position == 2
            )
        ).one()
        assert item.score == item.points  # answered right
        return item.points


def test_a_job_delivered_twice_is_graded_and_counted_once(school: School, grader: Grader) -> None:
    engine = school.engine
    attempt, submission = _closed_attempt_with_code(school, reference("gather-all"))
    message = _message(engine, submission)
    first = _claim(engine, message)
    assert first is not None
    assert _claim(engine, message) is None  # the same message again while a live run holds it
    result = _grade(grader, first)
    assert queue.finish(engine, first, result) is True
    assert queue.finish(engine, first, result) is False  # a repeated write changes nothing
    assert _claim(engine, message) is None  # and a late duplicate finds it done
    graded, job, attempt_row, item = _rows(engine, submission)
    assert graded.status == SubmissionStatus.graded
    assert graded.score == graded.max_score == 12
    assert graded.runs == job.runs == 1
    assert item.score == GATHER_POINTS
    assert attempt_row.score == GATHER_POINTS + _true_false_points(engine, attempt)
    assert attempt_row.pending == 0


def test_a_redelivered_message_takes_over_and_the_dead_runs_result_is_ignored(
    school: School, grader: Grader
) -> None:
    engine = school.engine
    source, expected = wrong("gather-all", "sequential")
    attempt, submission = _closed_attempt_with_code(school, source)
    message = _message(engine, submission)
    dead = _claim(engine, message)
    assert dead is not None
    second = _claim(engine, message, redelivered=True)
    assert second is not None
    assert second.run_token != dead.run_token
    result = _grade(grader, second)
    assert queue.finish(engine, dead, result) is False
    assert queue.finish(engine, second, result) is True
    graded, job, attempt_row, item = _rows(engine, submission)
    assert graded.score == expected
    assert graded.runs == job.runs == 2
    assert item.score == round(expected / 12 * GATHER_POINTS, 6)
    assert attempt_row.score == round(item.score + _true_false_points(engine, attempt), 6)


def test_a_stale_message_claims_nothing(school: School) -> None:
    attempt = school.start(school.quiz(GATHER_ALL))
    submission = school.submitted(attempt, reference("gather-all"))
    old = _message(school.engine, submission)
    with Session(school.engine) as session:
        job = session.get(GradingJob, old.job_id)
        assert job is not None
        queue.requeue_job(session, job)
        session.commit()
    assert _claim(school.engine, old) is None
    assert _claim(school.engine, _message(school.engine, submission)) is not None


def _age(engine: Engine, job_id: int, **columns: object) -> None:
    with Session(engine) as session:
        session.execute(update(GradingJob).where(GradingJob.id == job_id).values(**columns))  # type: ignore[arg-type]
        session.commit()


def test_a_job_past_its_deadline_is_not_gradable_and_never_counts_as_zero(
    school: School, grader: Grader
) -> None:
    engine = school.engine
    attempt, submission = _closed_attempt_with_code(school, reference("gather-all"))
    stuck = _claim(engine, _message(engine, submission))
    assert stuck is not None
    _age(engine, stuck.job_id, deadline_at=utcnow() - timedelta(seconds=1))
    report = sweep(engine)
    assert report.overdue == 1
    given_up, job, attempt_row, item = _rows(engine, submission)
    assert given_up.status == SubmissionStatus.not_gradable
    assert given_up.reason == job.reason == "deadline"
    assert item.score is None  # not zero: pending
    assert (item.result or {})["status"] == "pending"
    assert attempt_row.pending == 1
    assert attempt_row.score == _true_false_points(engine, attempt)
    shown = school.ok("GET", f"/submissions/{submission}", "ana")
    assert shown["status"] == "not_gradable"
    assert "not yours" in shown["message"]
    review = school.ok("GET", f"/attempts/{attempt}", "ana")
    assert review["items"][0]["status"] == "awaiting_grading"
    assert review["pending"] == 1
    # The stuck run's result arrives late: it is not written.
    assert queue.finish(engine, stuck, _grade(grader, stuck)) is False
    # The instructor re-queues it; it is graded and counts.
    school.ok("POST", f"/submissions/{submission}/requeue", "prof", 202)
    rerun = _claim(engine, _message(engine, submission))
    assert rerun is not None
    assert queue.finish(engine, rerun, _grade(grader, rerun)) is True
    graded, _, attempt_row, item = _rows(engine, submission)
    assert graded.status == SubmissionStatus.graded
    assert item.score == GATHER_POINTS
    assert attempt_row.pending == 0
    assert attempt_row.score == GATHER_POINTS + _true_false_points(engine, attempt)


def test_a_job_whose_worker_vanished_runs_again_then_is_given_up(school: School) -> None:
    engine = school.engine
    attempt = school.start(school.quiz(GATHER_ALL))
    submission = school.submitted(attempt, reference("gather-all"))
    for failures in range(1, queue.MAX_FAILURES + 1):
        claimed = _claim(engine, _message(engine, submission))
        assert claimed is not None
        _age(engine, claimed.job_id, lease_until=utcnow() - timedelta(seconds=1))
        assert sweep(engine).lost == 1
        row, job, _, _ = _rows(engine, submission)
        assert job.failures == failures
        if failures < queue.MAX_FAILURES:
            assert job.status == JobStatus.queued
            assert row.status == SubmissionStatus.queued
    assert row.status == SubmissionStatus.not_gradable
    assert row.reason == "worker-lost"
    assert row.runs == queue.MAX_FAILURES


def test_an_infrastructure_failure_is_retried(school: School) -> None:
    engine = school.engine
    attempt = school.start(school.quiz(GATHER_ALL))
    submission = school.submitted(attempt, reference("gather-all"))
    claimed = _claim(engine, _message(engine, submission))
    assert claimed is not None
    broken = Result(  # what a Grader returns when its sandbox failed twice
        assignment="gather-all", status="error", score=0, max_score=12, output="", gradable=False
    )
    assert queue.finish(engine, claimed, broken) is True
    row, job, _, _ = _rows(engine, submission)
    assert job.status == JobStatus.queued
    assert job.failures == 1
    assert job.reason == "infrastructure"
    assert row.status == SubmissionStatus.queued
    assert row.score is None


def test_released_jobs_are_queued_again_uncounted(school: School) -> None:
    engine = school.engine
    attempt = school.start(school.quiz(GATHER_ALL))
    ids = [school.submitted(attempt, reference("gather-all")) for _ in range(3)]
    claimed = queue.claim_batch(engine, limit=5, worker="test:1", timing=TIMING)
    assert sorted(c.submission_id for c in claimed) == ids
    assert all(_rows(engine, s)[0].status == SubmissionStatus.running for s in ids)
    assert queue.release(engine, claimed) == 3
    for submission in ids:
        row, job, _, _ = _rows(engine, submission)
        assert row.status == SubmissionStatus.queued
        assert row.runs == job.runs == 0
        assert job.failures == 0


def test_first_gradings_go_before_regrades(school: School) -> None:
    engine = school.engine
    attempt = school.start(school.quiz(GATHER_ALL))
    earlier = school.submitted(attempt, reference("gather-all"))
    with Session(engine) as session:
        session.execute(
            update(GradingJob)
            .where(GradingJob.submission_id == earlier)  # type: ignore[arg-type]
            .values(status=JobStatus.done)
        )
        session.execute(
            update(Submission).where(Submission.id == earlier).values(status="graded", score=12)  # type: ignore[arg-type]
        )
        session.commit()
    regrade = school.ok(
        "POST", "/regrades", "prof", 202, json={"scope": "submission", "submission_id": earlier}
    )
    later = school.submitted(attempt, reference("gather-all"))
    first = queue.claim_batch(engine, limit=1, worker="test:1", timing=TIMING)
    assert [(c.kind, c.submission_id) for c in first] == [(JobKind.grade, later)]
    second = queue.claim_batch(engine, limit=1, worker="test:1", timing=TIMING)
    assert [(c.kind, c.submission_id) for c in second] == [(JobKind.regrade, earlier)]
    assert regrade["total"] == 1


def test_concurrent_claimers_never_share_a_job(school: School) -> None:
    engine = school.engine
    attempt = school.start(school.quiz(GATHER_ALL))
    ids = [school.submitted(attempt, reference("gather-all")) for _ in range(6)]
    taken: list[list[int]] = [[], [], []]
    start = threading.Barrier(3)

    def claimer(index: int) -> None:
        start.wait()
        while batch := queue.claim_batch(engine, limit=1, worker=f"t:{index}", timing=TIMING):
            taken[index] += [c.submission_id for c in batch]

    threads = [threading.Thread(target=claimer, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [s for part in taken for s in part]
    assert sorted(claimed) == ids  # each exactly once
