"""Submitting code over HTTP: the row committed before its job is published, the size and
rate limits, who may see what, listing, re-queueing, and the automatic submission of a
saved answer when the attempt closes. Nothing grades here (no pool): grading is proven in
test_local_pool.py and test_celery.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from api.attempts.models import Attempt
from api.core.db import utcnow
from api.grading.models import GradingJob, JobStatus
from api.grading.publish import JobMessage, add_publisher, remove_publisher
from api.submissions.models import Submission, SubmissionStatus
from tests.grading.school import GATHER_ALL, TRUE_FALSE, School
from tests.grading.solutions import reference

SOURCE = reference("gather-all")


class Recorder:
    """A publisher that checks, at publication time, that each job's rows are committed
    (a fresh connection sees them)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.published: list[JobMessage] = []
        self.visible: list[bool] = []

    def publish(self, jobs: Sequence[JobMessage]) -> None:
        with Session(self.engine) as session:
            for job in jobs:
                row = session.get(GradingJob, job.job_id)
                self.visible.append(
                    row is not None
                    and row.job_token == job.job_token
                    and session.get(Submission, row.submission_id) is not None
                )
        self.published.extend(jobs)


@pytest.fixture
def recorder(grading_db: tuple[Engine, str]) -> Iterator[Recorder]:
    recorder = Recorder(grading_db[0])
    add_publisher(recorder)
    yield recorder
    remove_publisher(recorder)


def test_submission_is_committed_before_its_job_is_published(
    school: School, recorder: Recorder
) -> None:
    attempt = school.start(school.quiz(GATHER_ALL))
    response = school.submit(attempt, SOURCE)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "queued"
    assert body["assignment_id"] == "gather-all"
    assert body["position"] == 1
    assert body["message"].startswith("Awaiting grading")
    assert len(recorder.published) == 1
    assert recorder.visible == [True]
    with Session(school.engine) as session:
        job = session.get(GradingJob, recorder.published[0].job_id)
        assert job is not None
        assert job.submission_id == body["id"]
        assert job.status == JobStatus.queued
        stored = session.get(Submission, body["id"])
        assert stored is not None
        assert stored.source == SOURCE.encode()


def test_status_message_in_chinese(school: School) -> None:
    attempt = school.start(school.quiz(GATHER_ALL))
    submission = school.submitted(attempt, SOURCE)
    body = school.ok("GET", f"/submissions/{submission}?lang=zh-CN", "ana")
    assert body["message"] == "等待评测：你的代码正在排队等待评测。"


def test_source_over_256_kib_is_refused_and_nothing_is_stored(
    school: School, recorder: Recorder
) -> None:
    attempt = school.start(school.quiz(GATHER_ALL))
    big = "# padding\n" * (257 * 1024 // 10)
    response = school.submit(attempt, big)
    assert response.status_code == 413
    problem = response.json()
    assert problem["type"] == "urn:quizloop:problem:submission-too-large"
    assert "256 KiB" in problem["detail"]
    assert recorder.published == []
    listed = school.ok("GET", f"/courses/{school.course_id}/submissions", "prof")
    assert listed["count"] == 0


def test_rate_limit_answers_429_with_retry_after(
    serve: Callable[..., TestClient], grading_db: tuple[Engine, str], bank_version: int
) -> None:
    school = School.open(
        client=serve(submissions_per_minute=3), engine=grading_db[0], bank_version=bank_version
    )
    quiz = school.quiz(GATHER_ALL)
    attempt = school.start(quiz)
    for _ in range(3):
        assert school.submit(attempt, SOURCE).status_code == 202
    refused = school.submit(attempt, SOURCE)
    assert refused.status_code == 429
    assert refused.json()["type"] == "urn:quizloop:problem:submission-rate-limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Another student has their own allowance.
    other = school.start(quiz, who="ben")
    assert school.submit(other, SOURCE, who="ben").status_code == 202
    # A minute later the student may submit again.
    with Session(school.engine) as session:
        session.execute(
            update(Submission)
            .where(Submission.student_id == school.ids["ana"])  # type: ignore[arg-type]
            .values(created_at=utcnow().replace(year=2000))
        )
        session.commit()
    assert school.submit(attempt, SOURCE).status_code == 202
    assert school.ok("GET", f"/courses/{school.course_id}/submissions", "prof")["count"] == 5


@pytest.mark.parametrize(
    ("who", "status", "kind"),
    [
        pytest.param("ben", 404, "not-found", id="another-student"),
        pytest.param("prof", 403, "not-your-attempt", id="the-instructor"),
        pytest.param("eve", 404, "not-found", id="another-instructor"),
        pytest.param(None, 401, "not-authenticated", id="anonymous"),
    ],
)
def test_only_the_attempts_student_submits(
    school: School, who: str | None, status: int, kind: str
) -> None:
    attempt = school.start(school.quiz(GATHER_ALL))
    response = school.call(
        "POST", f"/attempts/{attempt}/items/1/submissions", who, json={"source": SOURCE}
    )
    assert response.status_code == status
    assert response.json()["type"] == f"urn:quizloop:problem:{kind}"


def test_refusals_of_bad_submissions(school: School) -> None:
    attempt = school.start(school.quiz(TRUE_FALSE, GATHER_ALL))
    not_code = school.submit(attempt, SOURCE, position=1)
    assert not_code.status_code == 422
    assert not_code.json()["type"] == "urn:quizloop:problem:not-a-code-question"
    assert school.submit(attempt, SOURCE, position=9).status_code == 404
    malformed = school.call(
        "POST", f"/attempts/{attempt}/items/2/submissions", "ana", json={"code": SOURCE}
    )
    assert malformed.status_code == 422
    school.ok("POST", f"/attempts/{attempt}/submit", "ana")
    closed = school.submit(attempt, SOURCE, position=2)
    assert closed.status_code == 409
    assert closed.json()["type"] == "urn:quizloop:problem:attempt-closed"


def test_after_the_deadline_the_attempt_closes_and_the_submission_is_refused(
    school: School,
) -> None:
    attempt = school.start(school.quiz(GATHER_ALL))
    school.ok(
        "PUT",
        f"/attempts/{attempt}/items/1/answer",
        "ana",
        json={"response": SOURCE, "revision": 1},
    )
    with Session(school.engine) as session:
        session.execute(
            update(Attempt).where(Attempt.id == attempt).values(deadline=utcnow())  # type: ignore[arg-type]
        )
        session.commit()
    late = school.submit(attempt, SOURCE)
    assert late.status_code == 409
    assert late.json()["type"] == "urn:quizloop:problem:deadline-passed"
    # Closing submitted the saved answer on the student's behalf.
    listed = school.ok("GET", f"/attempts/{attempt}/items/1/submissions", "ana")
    assert listed["count"] == 1
    assert listed["data"][0]["automatic"] is True


def test_source_that_is_not_utf8_is_stored_and_sent_as_is(school: School) -> None:
    attempt = school.start(school.quiz(GATHER_ALL))
    response = school.call(  # JSON escapes: a lone surrogate and a NUL
        "POST",
        f"/attempts/{attempt}/items/1/submissions",
        "ana",
        content=b'{"source": "x = \'\\ud800\'\\u0000"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 202, response.text
    with Session(school.engine) as session:
        stored = session.get(Submission, response.json()["id"])
        assert stored is not None
        assert stored.source == "x = '\ud800'\x00".encode("utf-8", "surrogatepass")


def test_who_reads_a_submission(school: School) -> None:
    attempt = school.start(school.quiz(GATHER_ALL))
    submission = school.submitted(attempt, SOURCE)
    assert school.call("GET", f"/submissions/{submission}", "ana").status_code == 200
    assert school.call("GET", f"/submissions/{submission}", "prof").status_code == 200
    for stranger in ("ben", "eve"):
        response = school.call("GET", f"/submissions/{submission}", stranger)
        assert response.status_code == 404, stranger
    assert school.call("GET", f"/submissions/{submission}").status_code == 401
    assert school.call("GET", f"/submissions/{submission}/events", "ben").status_code == 404
    assert school.call("GET", f"/attempts/{attempt}/items/1/submissions", "ben").status_code == 404


def test_instructors_list_a_courses_submissions_with_filters(school: School) -> None:
    first = school.quiz(GATHER_ALL)
    second = school.quiz(GATHER_ALL)
    ana = school.start(first)
    ben = school.start(first, who="ben")
    ana_second = school.start(second)
    ids = [
        school.submitted(ana, SOURCE),
        school.submitted(ben, SOURCE, who="ben"),
        school.submitted(ana_second, SOURCE),
    ]
    path = f"/courses/{school.course_id}/submissions"
    everything = school.ok("GET", path, "prof")
    assert everything["count"] == 3
    assert [s["id"] for s in everything["data"]] == sorted(ids, reverse=True)
    by_student = school.ok("GET", path, "prof", params={"student_id": school.ids["ben"]})
    assert [s["id"] for s in by_student["data"]] == [ids[1]]
    by_quiz = school.ok("GET", path, "prof", params={"quiz_id": second})
    assert [s["id"] for s in by_quiz["data"]] == [ids[2]]
    queued = school.ok(
        "GET", path, "prof", params={"status": "queued", "assignment_id": "gather-all"}
    )
    assert queued["count"] == 3
    assert school.ok("GET", path, "prof", params={"status": "graded"})["count"] == 0
    paged = school.ok("GET", path, "prof", params={"limit": 2, "offset": 2})
    assert paged["count"] == 3
    assert len(paged["data"]) == 1
    assert school.call("GET", path, "ana").status_code == 403
    assert school.call("GET", path, "eve").status_code == 404
    bad = school.call("GET", path, "prof", params={"status": "lost"})
    assert bad.status_code == 422


def _finish(engine: Engine, submission_id: int, status: SubmissionStatus) -> None:
    with Session(engine) as session:
        session.execute(
            update(Submission).where(Submission.id == submission_id).values(status=status)  # type: ignore[arg-type]
        )
        session.execute(
            update(GradingJob)
            .where(GradingJob.submission_id == submission_id)  # type: ignore[arg-type]
            .values(status=JobStatus.not_gradable, reason="deadline")
        )
        session.commit()


def test_instructor_requeues_a_submission_that_could_not_be_graded(
    school: School, recorder: Recorder
) -> None:
    attempt = school.start(school.quiz(GATHER_ALL))
    submission = school.submitted(attempt, SOURCE)
    first = recorder.published[-1]
    _finish(school.engine, submission, SubmissionStatus.not_gradable)
    assert school.call("POST", f"/submissions/{submission}/requeue", "ana").status_code == 403
    assert school.call("POST", f"/submissions/{submission}/requeue", "eve").status_code == 404
    body = school.ok("POST", f"/submissions/{submission}/requeue", "prof", 202)
    assert body["status"] == "queued"
    again = recorder.published[-1]
    assert again.job_id == first.job_id
    assert again.job_token != first.job_token  # the old message is stale now
    assert recorder.visible[-1] is True
    with Session(school.engine) as session:
        job = session.get(GradingJob, first.job_id)
        assert job is not None
        assert job.status == JobStatus.queued
        assert job.failures == 0
    _finish(school.engine, submission, SubmissionStatus.graded)
    refused = school.call("POST", f"/submissions/{submission}/requeue", "prof")
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:quizloop:problem:not-requeueable"


def _saved(school: School, attempt: int, source: str, revision: int) -> None:
    school.ok(
        "PUT",
        f"/attempts/{attempt}/items/1/answer",
        "ana",
        json={"response": source, "revision": revision},
    )


def test_submitting_the_attempt_submits_a_newer_saved_answer(school: School) -> None:
    attempt = school.start(school.quiz(GATHER_ALL))
    submitted = school.submitted(attempt, SOURCE)
    _saved(school, attempt, SOURCE + "\n# last edit\n", 1)
    closed = school.ok("POST", f"/attempts/{attempt}/submit", "ana")
    assert closed["items"][0]["status"] == "awaiting_grading"
    listed = school.ok("GET", f"/attempts/{attempt}/items/1/submissions", "prof")
    assert listed["count"] == 2
    newest = listed["data"][0]
    assert newest["automatic"] is True
    assert newest["id"] != submitted
    with Session(school.engine) as session:
        attempt_row = session.get(Attempt, attempt)
        assert attempt_row is not None
        assert attempt_row.pending == 1


def test_submitting_the_attempt_keeps_a_submission_newer_than_the_saved_answer(
    school: School,
) -> None:
    attempt = school.start(school.quiz(GATHER_ALL))
    _saved(school, attempt, "# an early draft\n", 1)
    school.submitted(attempt, SOURCE)
    school.ok("POST", f"/attempts/{attempt}/submit", "ana")
    listed = school.ok("GET", f"/attempts/{attempt}/items/1/submissions", "prof")
    assert listed["count"] == 1
    assert listed["data"][0]["automatic"] is False


def test_the_same_saved_source_is_not_submitted_twice(school: School) -> None:
    attempt = school.start(school.quiz(GATHER_ALL))
    _saved(school, attempt, SOURCE, 1)
    school.submitted(attempt, SOURCE)
    school.ok("POST", f"/attempts/{attempt}/submit", "ana")
    assert school.ok("GET", f"/attempts/{attempt}/items/1/submissions", "ana")["count"] == 1


def test_an_unanswered_code_question_submits_nothing(school: School) -> None:
    attempt = school.start(school.quiz(GATHER_ALL))
    closed = school.ok("POST", f"/attempts/{attempt}/submit", "ana")
    assert closed["items"][0]["status"] == "unanswered"
    with Session(school.engine) as session:
        assert session.exec(select(Submission).where(Submission.attempt_id == attempt)).all() == []
