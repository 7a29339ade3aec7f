"""Regrades through the queue: a dry run reports the scores that would change and writes
nothing, a real regrade writes them (and the items' points and attempts' totals follow),
an override keeps winning, each scope covers what it names, and only the course's
instructors regrade."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from api.attempts.models import Attempt, AttemptItem
from api.grading.local import LocalPool
from api.submissions.models import Submission
from tests.grading.running import pool, until
from tests.grading.school import GATHER_ALL, OFFLOAD, School
from tests.grading.solutions import full_marks, reference, wrong
from tests.services import require_bwrap

pytestmark = pytest.mark.sandbox
STALE = 5.0  # what "the old checks" gave: a score the current checks do not give


@pytest.fixture(scope="module", autouse=True)
def grading_pool(grading_db: tuple[Engine, str]) -> Iterator[LocalPool]:
    """One pool for the module: it grades whatever each test queues."""
    require_bwrap()
    with pool(grading_db[0], workers=2) as running:
        yield running


def _graded_class(school: School) -> dict[str, Any]:
    """ana and ben submitted gather-all (reference, wrong) and offload-blocking, in a closed
    attempt each; everything graded, then ana's gather-all score made stale."""
    quiz = school.quiz(GATHER_ALL, OFFLOAD)
    sequential, expected = wrong("gather-all", "sequential")
    attempts = {who: school.start(quiz, who=who) for who in ("ana", "ben")}
    ids = {
        "ana": school.submitted(attempts["ana"], reference("gather-all")),
        "ben": school.submitted(attempts["ben"], sequential, who="ben"),
        "ana-offload": school.submitted(attempts["ana"], reference("offload-blocking"), 2),
    }
    for who, attempt in attempts.items():
        school.ok("POST", f"/attempts/{attempt}/submit", who)
    for submission in ids.values():
        school.wait(submission)
    with Session(school.engine) as session:
        session.execute(
            update(Submission).where(Submission.id == ids["ana"]).values(score=STALE)  # type: ignore[arg-type]
        )
        session.commit()
    return {"quiz": quiz, "attempts": attempts, "ids": ids, "ben_score": expected}


def _wait_done(school: School, regrade_id: int) -> dict[str, Any]:
    until(lambda: school.ok("GET", f"/regrades/{regrade_id}", "prof")["status"] == "done")
    body: dict[str, Any] = school.ok("GET", f"/regrades/{regrade_id}", "prof")
    return body


def _item(school: School, attempt: int, position: int = 1) -> AttemptItem:
    with Session(school.engine) as session:
        return session.exec(
            select(AttemptItem).where(
                AttemptItem.attempt_id == attempt, AttemptItem.position == position
            )
        ).one()


def _attempt_score(school: School, attempt: int) -> float | None:
    with Session(school.engine) as session:
        row = session.get(Attempt, attempt)
        assert row is not None
        return row.score


def test_a_dry_run_reports_changes_and_writes_nothing(school: School) -> None:
    graded = _graded_class(school)
    ana = graded["ids"]["ana"]
    before = _item(school, graded["attempts"]["ana"]).score
    started = school.ok(
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
    assert started["total"] == 2
    assert started["dry_run"] is True
    done = _wait_done(school, started["id"])
    assert done["done"] == done["total"] == 2
    assert done["failed"] == 0
    assert done["changed"] == [
        {
            "submission_id": ana,
            "student_id": school.ids["ana"],
            "old_score": STALE,
            "new_score": full_marks("gather-all"),
            "max_score": full_marks("gather-all"),
            "overridden": False,
        }
    ]
    assert school.submission(ana)["score"] == STALE  # nothing written
    assert _item(school, graded["attempts"]["ana"]).score == before


def test_a_regrade_writes_new_scores_and_totals_follow(school: School) -> None:
    graded = _graded_class(school)
    attempt = graded["attempts"]["ana"]
    started = school.ok(
        "POST",
        "/regrades",
        "prof",
        202,
        json={"scope": "question", "quiz_id": graded["quiz"], "question_id": GATHER_ALL},
    )
    assert started["total"] == 2  # ana's and ben's gather-all, not ana's offload-blocking
    done = _wait_done(school, started["id"])
    assert [c["submission_id"] for c in done["changed"]] == [graded["ids"]["ana"]]
    assert school.submission(graded["ids"]["ana"])["score"] == full_marks("gather-all")
    assert school.submission(graded["ids"]["ben"])["score"] == graded["ben_score"]
    item = _item(school, attempt)
    assert item.score == item.points
    offload = _item(school, attempt, 2)
    assert _attempt_score(school, attempt) == item.points + (offload.score or 0)
    # Regrading again changes nothing more.
    again = school.ok(
        "POST",
        "/regrades",
        "prof",
        202,
        json={"scope": "submission", "submission_id": graded["ids"]["ana"]},
    )
    assert _wait_done(school, again["id"])["changed"] == []


def test_an_override_wins_over_a_regrade(school: School) -> None:
    graded = _graded_class(school)
    attempt = graded["attempts"]["ana"]
    school.ok(
        "POST",
        f"/attempts/{attempt}/items/1/override",
        "prof",
        json={"points": 1.5, "reason": "copied from a classmate"},
    )
    started = school.ok(
        "POST",
        "/regrades",
        "prof",
        202,
        json={"scope": "submission", "submission_id": graded["ids"]["ana"]},
    )
    done = _wait_done(school, started["id"])
    assert done["changed"][0]["overridden"] is True
    assert school.submission(graded["ids"]["ana"])["score"] == full_marks("gather-all")
    item = _item(school, attempt)
    assert item.score == 1.5
    assert (item.result or {})["points"] == item.points  # the automatic points moved on


def test_scopes_and_who_may_regrade(school: School) -> None:
    graded = _graded_class(school)
    body = {"scope": "submission", "submission_id": graded["ids"]["ana"]}
    assert school.call("POST", "/regrades", "ana", json=body).status_code == 403
    assert school.call("POST", "/regrades", "eve", json=body).status_code == 404
    assert school.call("POST", "/regrades", None, json=body).status_code == 401
    missing = school.call("POST", "/regrades", "prof", json={"scope": "question", "quiz_id": 1})
    assert missing.status_code == 422
    nothing = school.ok(
        "POST",
        "/regrades",
        "prof",
        202,
        json={"scope": "assignment", "course_id": school.course_id, "assignment_id": "pipeline"},
    )
    assert (nothing["total"], nothing["status"]) == (0, "done")
    started = school.ok("POST", "/regrades", "prof", 202, json=body)
    assert school.call("GET", f"/regrades/{started['id']}", "eve").status_code == 404
    assert school.call("GET", f"/regrades/{started['id']}", "ana").status_code == 404
    queued = school.submitted(school.start(school.quiz(GATHER_ALL)), reference("gather-all"))
    still = school.call(
        "POST", "/regrades", "prof", json={"scope": "submission", "submission_id": queued}
    )
    assert still.status_code == 409
    assert still.json()["type"] == "urn:quizloop:problem:still-grading"
