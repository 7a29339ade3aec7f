"""Courses (enrolment singly, from CSV with per-line errors, by join code) and quizzes
(composition, publish-time checks, what a published quiz may still change)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from api.courses.models import CourseMember
from api.quizzes import composition
from tests.api.classroom import FIXED, TITLE, Classroom
from tests.api.problems import assert_problem


def members(session: Session, course_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(CourseMember).where(CourseMember.course_id == course_id)
    ).one()


def test_enrolling_by_email_is_idempotent_and_checks_the_account(classroom: Classroom) -> None:
    room = classroom
    path = f"/courses/{room.course_id}/members"
    assert room.call("POST", path, "prof", json={"email": "ana@example.org"}).status_code == 200
    unknown = assert_problem(
        room.call("POST", path, "prof", json={"email": "nobody@example.org"}), 422,
        "validation-failed",
    )  # fmt: skip
    assert unknown["errors"][0]["loc"] == ["body", "email"]
    wrong_role = room.call("POST", path, "prof", json={"email": "eve@example.org"})
    assert_problem(wrong_role, 422, "validation-failed")
    teacher = room.call(
        "POST", path, "prof", json={"email": "eve@example.org", "role": "instructor"}
    )
    assert teacher.status_code == 201
    assert room.call("GET", f"/courses/{room.course_id}", "eve").json()["your_role"] == "instructor"


def test_csv_enrolment_reports_every_bad_line_and_enrols_nothing(
    classroom: Classroom, session: Session
) -> None:
    room = classroom
    path = f"/courses/{room.course_id}/members/import"
    before = members(session, room.course_id)
    bad = (
        b"email,name\nnew1@example.org,New\nnot-an-email,X\n"
        b"eve@example.org,Eve\nnew1@example.org,Again\n"
    )
    body = assert_problem(
        room.call("POST", path, "prof", files={"file": ("r.csv", bad, "text/csv")}), 422,
        "invalid-csv",
    )  # fmt: skip
    lines = sorted(error["line"] for error in body["errors"])
    assert lines == [3, 5]  # a bad email, a repeated one (accounts are checked after the file)
    assert members(session, room.course_id) == before
    good = b"email,full_name\nana@example.org,Ana\nnew1@example.org,New One\nzoe@example.org,\n"
    done = room.call("POST", path, "prof", files={"file": ("r.csv", good, "text/csv")})
    assert done.status_code == 200, done.text
    result = done.json()
    assert result["already_enrolled"] == ["ana@example.org"]
    assert [m["email"] for m in result["enrolled"]] == ["new1@example.org", "zoe@example.org"]
    assert [a["email"] for a in result["accounts_created"]] == ["new1@example.org"]
    assert result["accounts_created"][0]["initial_password"]
    assert members(session, room.course_id) == before + 2


def test_instructor_accounts_in_a_csv_are_line_errors(classroom: Classroom) -> None:
    room = classroom
    csv = b"email\neve@example.org\n"
    body = assert_problem(
        room.call("POST", f"/courses/{room.course_id}/members/import", "prof",
                  files={"file": ("r.csv", csv, "text/csv")}), 422, "invalid-csv",
    )  # fmt: skip
    assert body["errors"][0]["line"] == 2
    assert "instructor" in body["errors"][0]["msg"]


def test_join_codes_enrol_and_can_be_regenerated_or_disabled(classroom: Classroom) -> None:
    room = classroom
    path = f"/courses/{room.course_id}/join-code"
    first = room.call("POST", path, "prof").json()["join_code"]
    second = room.call("POST", path, "prof").json()["join_code"]
    assert first != second
    assert_problem(
        room.call("POST", "/courses/join", "zoe", json={"code": first}), 404, "not-found"
    )
    typed = f"{second[:4].lower()}-{second[4:]}"  # read aloud, typed with a dash
    joined = room.call("POST", "/courses/join", "zoe", json={"code": typed})
    assert joined.status_code == 200
    assert joined.json() == {"id": room.course_id, "title": "Async backends", "description": None,
                             "your_role": "student"}  # fmt: skip
    assert room.call("DELETE", path, "prof").json() == {"join_code": None}
    assert_problem(
        room.call("POST", "/courses/join", "ben", json={"code": second}), 404, "not-found"
    )


def test_students_see_only_their_courses(classroom: Classroom) -> None:
    room = classroom
    assert [c["id"] for c in room.call("GET", "/courses", "ana").json()["data"]] == [room.course_id]
    assert room.call("GET", "/courses", "zoe").json() == {"data": [], "count": 0}
    zh = room.call("GET", "/courses", "ana", params={"lang": "zh-CN"}).json()["data"][0]
    assert zh["title"] == TITLE["zh-CN"]
    assert "join_code" not in zh


def test_course_titles_need_both_languages(classroom: Classroom) -> None:
    body = assert_problem(
        classroom.call("POST", "/courses", "prof", json={"title": {"en": "Only English"}}),
        422, "validation-failed",
    )  # fmt: skip
    assert "zh-CN" in body["errors"][0]["msg"]


def test_publishing_checks_draw_pools_and_assignments(
    classroom: Classroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = classroom
    # graders/ grows its catalogue; this test fixes which assignments exist.
    monkeypatch.setattr(composition, "available_assignments", lambda: {"gather-all"})
    version = room.bank_version
    too_big = [
        {"kind": "draw", "bank_version_id": version, "count": 5, "topic": "docker",
         "types": ["ordering"]},
    ]  # fmt: skip
    quiz_id = room.quiz(items=too_big, publish=False)
    body = assert_problem(room.call("POST", f"/quizzes/{quiz_id}/publish", "prof"), 422,
                          "quiz-not-publishable")  # fmt: skip
    assert body["errors"][0]["loc"] == ["items", 0, "count"]
    assert "only" in body["errors"][0]["msg"]
    # Two draws sharing a pool: the second cannot count on what the first may take.
    pool = room.call("GET", f"/bank-versions/{version}/questions", "prof",
                     params={"topic": "docker", "type": "ordering"}).json()["count"]  # fmt: skip
    assert 1 <= pool < 5
    shared = [
        {"kind": "draw", "bank_version_id": version, "count": pool, "topic": "docker",
         "types": ["ordering"]},
        {"kind": "draw", "bank_version_id": version, "count": 1, "topic": "docker",
         "types": ["ordering"]},
    ]  # fmt: skip
    room.call("PUT", f"/quizzes/{quiz_id}/items", "prof", json=shared)
    shared_body = room.call("POST", f"/quizzes/{quiz_id}/publish", "prof").json()
    assert shared_body["errors"][0]["loc"] == ["items", 1, "count"]
    unknown = {"kind": "question", "bank_version_id": version,
               "question_id": "tornado-handler-code"}  # fmt: skip
    room.call("PUT", f"/quizzes/{quiz_id}/items", "prof", json=[unknown])
    code = room.call("POST", f"/quizzes/{quiz_id}/publish", "prof").json()
    assert code["errors"][0]["type"] == "unknown_assignment"
    empty = room.quiz(items=[], publish=False)
    assert room.call("POST", f"/quizzes/{empty}/publish", "prof").status_code == 422
    no_close = room.quiz(publish=False, feedback="after_close")
    assert room.call("POST", f"/quizzes/{no_close}/publish", "prof").json()["errors"][0]["loc"] == [
        "closes_at"
    ]


def test_compositions_are_checked_when_written(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(publish=False)
    bad = [
        {"kind": "question", "bank_version_id": room.bank_version, "question_id": "nope"},
        {"kind": "question", "bank_version_id": 9999, "question_id": FIXED["true_false"]},
        *room.fixed("true_false", "true_false"),
    ]
    body = assert_problem(room.call("PUT", f"/quizzes/{quiz_id}/items", "prof", json=bad), 422,
                          "validation-failed")  # fmt: skip
    assert [e["loc"] for e in body["errors"]] == [
        ["body", "items", 0, "question_id"],
        ["body", "items", 1, "bank_version_id"],
        ["body", "items", 3, "question_id"],
    ]


def test_a_published_quiz_keeps_its_composition(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false", points=3))
    frozen = room.call("PUT", f"/quizzes/{quiz_id}/items", "prof", json=room.fixed("numeric"))
    assert_problem(frozen, 409, "quiz-published")
    changed = room.call("PATCH", f"/quizzes/{quiz_id}", "prof",
                        json={"shuffle_options": False, "counted_attempt": "last"})  # fmt: skip
    body = assert_problem(changed, 409, "quiz-published")
    assert {e["loc"][1] for e in body["errors"]} == {"shuffle_options", "counted_attempt"}
    allowed = room.call("PATCH", f"/quizzes/{quiz_id}", "prof",
                        json={"attempts_allowed": 3, "time_limit_minutes": 20,
                              "title": {"zh-CN": "新", "en": "New"}})  # fmt: skip
    assert allowed.status_code == 200, allowed.text
    quiz = allowed.json()
    assert (quiz["attempts_allowed"], quiz["time_limit_minutes"], quiz["total_points"]) == (
        3,
        20,
        3,
    )
    assert_problem(room.call("DELETE", f"/quizzes/{quiz_id}", "prof"), 409, "quiz-published")


def test_a_new_time_limit_reaches_attempts_in_progress(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(time_limit_minutes=60)
    attempt = room.start(quiz_id)
    room.call("PATCH", f"/quizzes/{quiz_id}", "prof", json={"time_limit_minutes": 5})
    after = room.call("GET", f"/attempts/{attempt['id']}", "ana").json()
    assert after["deadline"] < attempt["deadline"]


def test_draws_are_seeded_per_student_and_stable(classroom: Classroom) -> None:
    room = classroom
    draw = {"kind": "draw", "bank_version_id": room.bank_version, "count": 4,
            "topic": "sync-async", "difficulties": [2, 3], "points": 2}  # fmt: skip
    quiz_id = room.quiz(items=[*room.fixed("true_false"), draw])
    ana = room.start(quiz_id, "ana")
    ben = room.start(quiz_id, "ben")
    texts = [[i["question"]["text"]["en"] for i in a["items"]] for a in (ana, ben)]
    assert len(texts[0]) == 5
    assert len(set(texts[0])) == 5  # no question twice
    assert texts[0][1:] != texts[1][1:]
    again = room.call("GET", f"/attempts/{ana['id']}", "ana").json()
    assert [i["question"]["text"]["en"] for i in again["items"]] == texts[0]
    assert [i["points"] for i in again["items"]] == [1.0, 2, 2, 2, 2]
    quiz = room.call("GET", f"/quizzes/{quiz_id}", "prof").json()
    assert (quiz["questions"], quiz["total_points"]) == (5, 9)
