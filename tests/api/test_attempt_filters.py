"""Instructors list a quiz's attempts by student and status; students still see only theirs."""

from __future__ import annotations

from tests.api.classroom import Classroom
from tests.api.problems import assert_problem
from tests.api.takers import take


def test_attempts_filter_by_student_and_status(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false"), attempts_allowed=3)
    ana_done = take(room, quiz_id, "ana", {1: "right"})
    ana_open = take(room, quiz_id, "ana", {1: "wrong"}, submit=False)
    ben_done = take(room, quiz_id, "ben", {1: "wrong"})
    ana_id, ben_id = room.users["ana"].id, room.users["ben"].id

    def ids(query: str, who: str = "prof") -> list[int]:
        listed = room.call("GET", f"/quizzes/{quiz_id}/attempts{query}", who)
        assert listed.status_code == 200, listed.text
        body = listed.json()
        assert body["count"] == len(body["data"])
        return [a["id"] for a in body["data"]]

    assert ids("") == [ana_done, ana_open, ben_done]
    assert ids(f"?student_id={ana_id}") == [ana_done, ana_open]
    assert ids("?status=submitted") == [ana_done, ben_done]
    assert ids(f"?status=in_progress&student_id={ana_id}") == [ana_open]
    assert ids(f"?student_id={ben_id}&status=in_progress") == []
    # A student's list stays their own, whatever they ask for.
    assert ids(f"?student_id={ben_id}", "ana") == []
    assert ids("?status=submitted", "ana") == [ana_done]
    problem = assert_problem(
        room.call("GET", f"/quizzes/{quiz_id}/attempts?status=lost", "prof"),
        422,
        "validation-failed",
    )
    assert problem["errors"][0]["loc"] == ["query", "status"]
