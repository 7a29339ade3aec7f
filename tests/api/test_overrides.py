"""Score overrides over HTTP, on SQLite and PostgreSQL: an instructor sets an item's points
with a reason, the audit trail keeps who, when, old and new points and why, the override wins
over automatic scores until cleared, and totals and the counted attempt follow."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from api.attempts import scores
from api.attempts.models import AttemptItem
from tests.api.classroom import FIXED, Classroom
from tests.api.problems import assert_problem
from tests.api.takers import take


def _override(
    room: Classroom, attempt_id: int, position: int, who: str = "prof", **body: Any
) -> Any:
    return room.call("POST", f"/attempts/{attempt_id}/items/{position}/override", who, json=body)


def _clear(room: Classroom, attempt_id: int, position: int, reason: str) -> Any:
    return room.call(
        "DELETE",
        f"/attempts/{attempt_id}/items/{position}/override",
        "prof",
        json={"reason": reason},
    )


def _rescore(session: Session, attempt_id: int, position: int, points: float) -> None:
    """What a regrade does to an item (the contract's path for automatic scores)."""
    attempt = scores.lock_attempt(session, attempt_id)
    assert attempt is not None
    item = session.exec(
        select(AttemptItem).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == position
        )
    ).one()
    scores.record_automatic(item, {**(item.result or {}), "status": "scored", "points": points})
    session.add(item)
    scores.recount(session, attempt)
    session.commit()


def test_an_override_sets_the_item_and_the_total_and_is_audited(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false", "single_choice"))
    attempt_id = take(room, quiz_id, "ana", {1: "right", 2: "wrong"})
    assert room.call("GET", f"/attempts/{attempt_id}", "ana").json()["score"] == 1.0

    changed = _override(room, attempt_id, 2, points=0.5, reason="  partly right: argued well ")
    assert changed.status_code == 200, changed.text
    assert changed.json() == {
        "attempt_id": attempt_id,
        "position": 2,
        "question_id": FIXED["single_choice"],
        "question_type": "single_choice",
        "max_points": 1.0,
        "score": 0.5,
        "automatic_points": 0.0,
        "override_points": 0.5,
        "overridden": True,
        "status": "scored",
    }
    # The student's own view and the instructor's results follow.
    mine = room.call("GET", f"/attempts/{attempt_id}", "ana").json()
    assert mine["score"] == 1.5
    assert mine["items"][1]["score"] == 0.5
    results = room.call("GET", f"/quizzes/{quiz_id}/results", "prof").json()["data"]
    assert next(r for r in results if r["email"] == "ana@example.org")["score"] == 1.5

    audit = room.call("GET", f"/quizzes/{quiz_id}/audit", "prof").json()
    assert audit["count"] == 1
    entry = audit["data"][0]
    assert entry["actor_email"] == "prof@example.org"
    assert entry["actor_id"] == room.users["prof"].id
    assert entry["student_id"] == room.users["ana"].id
    assert (entry["action"], entry["old_points"], entry["new_points"]) == ("override", 0.0, 0.5)
    assert entry["automatic_points"] == 0.0
    assert entry["reason"] == "partly right: argued well"
    assert entry["created_at"]


def test_an_override_wins_over_automatic_scores_until_cleared(
    classroom: Classroom, session: Session
) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false", "single_choice"))
    attempt_id = take(room, quiz_id, "ana", {1: "right", 2: "wrong"})
    assert _override(room, attempt_id, 2, points=1, reason="key was wrong").status_code == 200

    _rescore(session, attempt_id, 2, 0.25)  # a regrade after the override: it must not win
    held = room.call("GET", f"/attempts/{attempt_id}/scores", "prof").json()
    item = held["items"][1]
    assert (item["score"], item["automatic_points"], item["override_points"]) == (1.0, 0.25, 1.0)
    assert item["overridden"] is True
    assert held["score"] == 2.0

    cleared = _clear(room, attempt_id, 2, "regraded with the fixed key")
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["score"], cleared.json()["overridden"]) == (0.25, False)
    assert room.call("GET", f"/attempts/{attempt_id}", "ana").json()["score"] == 1.25

    _rescore(session, attempt_id, 2, 1.0)  # without an override, automatic scores count
    assert room.call("GET", f"/attempts/{attempt_id}", "ana").json()["score"] == 2.0

    entries = room.call("GET", f"/quizzes/{quiz_id}/audit", "prof").json()["data"]
    assert [e["action"] for e in entries] == ["clear", "override"]  # newest first
    clear = entries[0]
    assert (clear["old_points"], clear["new_points"], clear["automatic_points"]) == (
        1.0,
        0.25,
        0.25,
    )
    assert clear["reason"] == "regraded with the fixed key"


def test_the_counted_attempt_follows_overrides(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(
        items=room.fixed("true_false", "single_choice"),
        attempts_allowed=2,
        counted_attempt="highest",
    )
    first = take(room, quiz_id, "ana", {1: "right", 2: "wrong"})
    second = take(room, quiz_id, "ana", {1: "wrong", 2: "wrong"})

    def counted() -> tuple[int | None, float | None]:
        data = room.call("GET", f"/quizzes/{quiz_id}/results", "prof").json()["data"]
        ana = next(r for r in data if r["email"] == "ana@example.org")
        return ana["counted_attempt"], ana["score"]

    assert counted() == (1, 1.0)
    for position in (1, 2):
        assert _override(room, second, position, points=1, reason="appeal").status_code == 200
    assert counted() == (2, 2.0)
    book = room.call("GET", f"/quizzes/{quiz_id}/gradebook", "prof").json()
    ana = next(r for r in book["rows"] if r["email"] == "ana@example.org")
    assert (ana["attempt_id"], ana["total"], ana["overridden"]) == (second, 2.0, [1, 2])
    assert _clear(room, second, 1, "appeal withdrawn").status_code == 200
    assert _clear(room, second, 2, "appeal withdrawn").status_code == 200
    assert counted() == (1, 1.0)
    assert first != second


def test_an_override_decides_a_code_answer_awaiting_grading(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false", "code"))
    attempt_id = take(room, quiz_id, "ana", {1: "right", 2: "right"})
    before = room.call("GET", f"/attempts/{attempt_id}/scores", "prof").json()
    assert (before["score"], before["pending"], before["items"][1]["status"]) == (
        1.0,
        1,
        "pending",
    )
    assert _override(room, attempt_id, 2, points=4.5, reason="graded by hand").status_code == 200
    after = room.call("GET", f"/attempts/{attempt_id}/scores", "prof").json()
    assert (after["score"], after["pending"]) == (5.5, 0)
    assert after["items"][1]["automatic_points"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"points": 1}, "reason", id="no reason"),
        pytest.param({"points": 1, "reason": "   "}, "reason", id="blank reason"),
        pytest.param({"points": 1, "reason": "x" * 1001}, "reason", id="long reason"),
        pytest.param({"reason": "why"}, "points", id="no points"),
        pytest.param({"points": -1, "reason": "why"}, "points", id="negative"),
        pytest.param({"points": 1.5, "reason": "why"}, "points", id="above the item's points"),
        pytest.param({"points": "lots", "reason": "why"}, "points", id="not a number"),
        pytest.param({"points": 1, "reason": "why", "by": "me"}, "by", id="unknown field"),
    ],
)
def test_bad_overrides_say_which_field_and_change_nothing(
    classroom: Classroom, body: dict[str, Any], field: str
) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false"))
    attempt_id = take(room, quiz_id, "ana", {1: "wrong"})
    problem = assert_problem(_override(room, attempt_id, 1, **body), 422, "validation-failed")
    assert [e["loc"] for e in problem["errors"]] == [["body", field]]
    assert room.call("GET", f"/attempts/{attempt_id}", "ana").json()["score"] == 0.0
    assert room.call("GET", f"/quizzes/{quiz_id}/audit", "prof").json()["count"] == 0


def test_a_non_finite_override_is_refused(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false"))
    attempt_id = take(room, quiz_id, "ana", {1: "wrong"})
    for number in ("NaN", "Infinity"):
        response = room.call(
            "POST",
            f"/attempts/{attempt_id}/items/1/override",
            "prof",
            content=f'{{"points": {number}, "reason": "why"}}',
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code in (400, 422), response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    assert room.call("GET", f"/attempts/{attempt_id}", "ana").json()["score"] == 0.0


def test_attempts_in_progress_and_unknown_items_cannot_be_overridden(
    classroom: Classroom,
) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false"))
    open_attempt = take(room, quiz_id, "ana", {1: "wrong"}, submit=False)
    assert_problem(
        _override(room, open_attempt, 1, points=1, reason="early"), 409, "attempt-in-progress"
    )
    done = take(room, quiz_id, "ben", {1: "wrong"})
    assert_problem(_override(room, done, 7, points=1, reason="nothing there"), 404, "not-found")
    assert_problem(_override(room, 10**9, 1, points=1, reason="no attempt"), 404, "not-found")


def test_clearing_an_item_without_an_override_records_nothing(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false"))
    attempt_id = take(room, quiz_id, "ana", {1: "right"})
    cleared = _clear(room, attempt_id, 1, "retry of a request")
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["score"], cleared.json()["overridden"]) == (1.0, False)
    assert room.call("GET", f"/quizzes/{quiz_id}/audit", "prof").json()["count"] == 0


def test_the_audit_trail_filters_and_pages(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false", "single_choice"))
    ana = take(room, quiz_id, "ana", {1: "wrong", 2: "wrong"})
    ben = take(room, quiz_id, "ben", {1: "wrong", 2: "wrong"})
    for attempt_id in (ana, ben):
        for position in (1, 2):
            _override(room, attempt_id, position, points=1, reason=f"r{attempt_id}.{position}")
    everything = room.call("GET", f"/quizzes/{quiz_id}/audit?limit=3", "prof").json()
    assert everything["count"] == 4
    assert len(everything["data"]) == 3
    rest = room.call("GET", f"/quizzes/{quiz_id}/audit?limit=3&offset=3", "prof").json()
    assert [e["reason"] for e in rest["data"]] == [f"r{ana}.1"]
    bens = room.call(
        "GET", f"/quizzes/{quiz_id}/audit?student_id={room.users['ben'].id}", "prof"
    ).json()
    assert {e["attempt_id"] for e in bens["data"]} == {ben}
    by_attempt = room.call("GET", f"/quizzes/{quiz_id}/audit?attempt_id={ana}", "prof").json()
    assert by_attempt["count"] == 2


ACTORS = ("anonymous", "zoe", "eve", "ben", "ana", "prof")
TEACHER_ONLY = {"anonymous": 401, "zoe": 404, "eve": 404, "ben": 404, "ana": 403, "prof": 200}


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        pytest.param("POST", "/attempts/{attempt}/items/1/override", TEACHER_ONLY, id="set"),
        pytest.param("DELETE", "/attempts/{attempt}/items/1/override", TEACHER_ONLY, id="clear"),
        pytest.param("GET", "/attempts/{attempt}/scores", TEACHER_ONLY, id="scores"),
        pytest.param("GET", "/quizzes/{quiz}/audit", TEACHER_ONLY | {"ben": 403}, id="audit"),
    ],
)
def test_only_the_course_instructors_override_or_read_the_audit(
    classroom: Classroom, method: str, path: str, expected: dict[str, int]
) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false"))
    attempt_id = take(room, quiz_id, "ana", {1: "wrong"})
    url = path.format(attempt=attempt_id, quiz=quiz_id)
    body = {"points": 1, "reason": "why"} if method == "POST" else {"reason": "why"}
    got = {
        actor: room.call(
            method, url, None if actor == "anonymous" else actor, json=body
        ).status_code
        for actor in ACTORS
    }
    assert got == expected
    if method != "GET":
        entries = room.call("GET", f"/quizzes/{quiz_id}/audit", "prof").json()["data"]
        assert {e["actor_email"] for e in entries} <= {"prof@example.org"}


def test_every_instructor_tools_route_is_in_an_authorization_matrix(app: FastAPI) -> None:
    """The matrices of this file, test_gradebook.py and test_statistics.py cover these."""
    covered = {
        ("POST", "/attempts/{attempt_id}/items/{position}/override"),
        ("DELETE", "/attempts/{attempt_id}/items/{position}/override"),
        ("GET", "/attempts/{attempt_id}/scores"),
        ("GET", "/quizzes/{quiz_id}/audit"),
        ("GET", "/quizzes/{quiz_id}/gradebook"),
        ("GET", "/courses/{course_id}/gradebook"),
        ("GET", "/quizzes/{quiz_id}/statistics"),
    }
    found = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        if {"overrides", "gradebook", "statistics"} & set(operation.get("tags", []))
    }
    assert found == covered
