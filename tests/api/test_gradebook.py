"""Gradebooks over HTTP, on SQLite and PostgreSQL: per quiz (a column per item and the total)
and per course (a column per quiz), as JSON and as CSV that Canvas's and Moodle's grade
imports accept; students without an attempt are rows with empty cells; nothing a student
controls can become a spreadsheet formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest

from api.gradebook.sheets import number_cell, text_cell
from api.users.models import User
from tests.api.classroom import FIXED, Classroom
from tests.api.problems import assert_problem
from tests.api.takers import take

CANVAS_STUDENT = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def _sheet(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets then read UTF-8 (Chinese names)
    return list(csv.reader(io.StringIO(text[1:])))


def _canvas_accepts(rows: list[list[str]]) -> None:
    """The header and rows as Canvas's gradebook importer reads them: Student and ID first,
    SIS User ID and SIS Login ID, then Section closing the student columns; a Points Possible
    row; every row as wide as the header."""
    header = rows[0]
    assert header[:5] == CANVAS_STUDENT
    assert rows[1][0] == "Points Possible"
    assert all(len(row) == len(header) for row in rows)


def test_a_quiz_gradebook_has_a_row_per_student_and_a_column_per_item(
    classroom: Classroom,
) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false", "single_choice", "multiple_choice"))
    attempt_id = take(room, quiz_id, "ana", {1: "right", 2: "wrong", 3: "right"})
    book = room.call("GET", f"/quizzes/{quiz_id}/gradebook", "prof").json()
    assert book["title"] == "Quiz"
    assert book["max_score"] == 4.0
    assert [(c["key"], c["label"], c["points"]) for c in book["columns"]] == [
        ("q1", f"Q1 {FIXED['true_false']}", 1.0),
        ("q2", f"Q2 {FIXED['single_choice']}", 1.0),
        ("q3", f"Q3 {FIXED['multiple_choice']}", 2.0),
    ]
    assert book["count"] == 2
    ana, ben = book["rows"]  # by email
    assert ana | {"student_id": 0} == {
        "student_id": 0,
        "email": "ana@example.org",
        "full_name": "Ana",
        "attempts": 1,
        "counted_attempt": 1,
        "attempt_id": attempt_id,
        "scores": [1.0, 0.0, 2.0],
        "total": 3.0,
        "pending": 0,
        "overridden": [],
    }
    assert ben["email"] == "ben@example.org"
    assert (ben["attempts"], ben["scores"], ben["total"]) == (0, [None, None, None], None)


def test_an_attempt_in_progress_leaves_the_row_empty(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false"))
    take(room, quiz_id, "ana", {1: "right"}, submit=False)
    ana = room.call("GET", f"/quizzes/{quiz_id}/gradebook", "prof").json()["rows"][0]
    assert (ana["attempts"], ana["counted_attempt"], ana["scores"], ana["total"]) == (
        1,
        None,
        [None],
        None,
    )


def test_draws_are_a_column_per_drawn_question(classroom: Classroom) -> None:
    room = classroom
    draw = {
        "kind": "draw",
        "bank_version_id": room.bank_version,
        "count": 2,
        "points": 2,
        "types": ["true_false"],
    }
    quiz_id = room.quiz(items=[*room.fixed("single_choice"), draw])
    take(room, quiz_id, "ana", {1: "right", 2: "right", 3: "wrong"})
    book = room.call("GET", f"/quizzes/{quiz_id}/gradebook?lang=zh-CN", "prof").json()
    assert book["title"] == "测验"
    assert [(c["label"], c["question_id"], c["points"]) for c in book["columns"]] == [
        (f"Q1 {FIXED['single_choice']}", FIXED["single_choice"], 1.0),
        ("Q2 随机抽题", None, 2.0),
        ("Q3 随机抽题", None, 2.0),
    ]
    assert book["rows"][0]["scores"] == [1.0, 2.0, 0.0]
    english = room.call("GET", f"/quizzes/{quiz_id}/gradebook?lang=en", "prof").json()
    assert english["columns"][1]["label"] == "Q2 drawn"


def test_the_quiz_csv_is_laid_out_for_canvas(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false", "single_choice"))
    take(room, quiz_id, "ana", {1: "right", 2: "wrong"})
    rows = _sheet(room.call("GET", f"/quizzes/{quiz_id}/gradebook?format=csv", "prof"))
    _canvas_accepts(rows)
    assert rows[0][5:] == [
        f"Quiz - Q1 {FIXED['true_false']}",
        f"Quiz - Q2 {FIXED['single_choice']}",
        "Quiz",
    ]
    assert rows[1] == ["Points Possible", "", "", "", "", "1", "1", "2"]
    # Canvas's own ID is unknown to us: left empty, the email is the SIS Login ID.
    assert rows[2] == ["Ana", "", "", "ana@example.org", "", "1", "0", "1"]
    assert rows[3] == ["Ben", "", "", "ben@example.org", "", "", "", ""]
    totals_only = _sheet(
        room.call("GET", f"/quizzes/{quiz_id}/gradebook?format=csv&items=false", "prof")
    )
    assert totals_only[0] == [*CANVAS_STUDENT, "Quiz"]
    assert totals_only[2][-1] == "1"


def test_the_quiz_csv_is_laid_out_for_moodle(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false"))
    take(room, quiz_id, "ben", {1: "right"})
    rows = _sheet(
        room.call("GET", f"/quizzes/{quiz_id}/gradebook?format=csv&layout=moodle", "prof")
    )
    assert rows == [
        ["Full name", "Email address", f"Quiz - Q1 {FIXED['true_false']}", "Quiz"],
        ["Ana", "ana@example.org", "", ""],
        ["Ben", "ben@example.org", "1", "1"],
    ]


def test_the_course_gradebook_has_a_column_per_published_quiz(classroom: Classroom) -> None:
    room = classroom
    first = room.quiz(items=room.fixed("true_false"))
    second = room.quiz(items=room.fixed("single_choice", "multiple_choice"))
    room.quiz(items=room.fixed("numeric"), publish=False)  # a draft has no column
    take(room, first, "ana", {1: "right"})
    take(room, second, "ana", {1: "wrong", 2: "right"})
    take(room, second, "ben", {1: "right", 2: None})
    book = room.call("GET", f"/courses/{room.course_id}/gradebook", "prof").json()
    assert [(c["quiz_id"], c["points"]) for c in book["columns"]] == [(first, 1.0), (second, 3.0)]
    assert book["max_score"] == 4.0
    assert [(r["email"], r["scores"], r["total"]) for r in book["rows"]] == [
        ("ana@example.org", [1.0, 2.0], 3.0),
        ("ben@example.org", [None, 1.0], 1.0),
    ]
    rows = _sheet(room.call("GET", f"/courses/{room.course_id}/gradebook?format=csv", "prof"))
    _canvas_accepts(rows)
    # Both quizzes are titled "Quiz": Canvas matches columns by title, so they are told apart.
    assert rows[0][5:] == [f"Quiz [quiz {first}]", f"Quiz [quiz {second}]", "Final Points"]
    assert rows[1][5:] == ["1", "3", "4"]
    assert rows[3][5:] == ["", "1", "1"]
    moodle = _sheet(
        room.call("GET", f"/courses/{room.course_id}/gradebook?format=csv&layout=moodle", "prof")
    )
    assert moodle[0][-1] == "Total"
    assert moodle[1] == ["Ana", "ana@example.org", "1", "2", "3"]


def test_no_cell_can_become_a_formula(
    classroom: Classroom,
    make_user: Callable[..., User],
) -> None:
    room = classroom
    hostile = {
        '=HYPERLINK("http://evil","x")': "h1@example.org",
        "+SUM(1,2)": "h2@example.org",
        "-2+3": "h3@example.org",
        "@cmd": "h4@example.org",
        "\t=1": "h5@example.org",
        "＝1+1": "h6@example.org",
    }
    for name, email in hostile.items():
        make_user(email=email, full_name=name)
        added = room.call(
            "POST", f"/courses/{room.course_id}/members", "prof", json={"email": email}
        )
        assert added.status_code == 201, added.text
    title = {"en": "=cmd|' /C calc'!A0", "zh-CN": "=cmd|' /C calc'!A0"}
    created = room.call(
        "POST",
        f"/courses/{room.course_id}/quizzes",
        "prof",
        json={"title": title, "items": room.fixed("true_false")},
    )
    quiz_id = created.json()["id"]
    room.call("POST", f"/quizzes/{quiz_id}/publish", "prof")
    for layout in ("canvas", "moodle"):
        for url in (
            f"/quizzes/{quiz_id}/gradebook?format=csv&layout={layout}",
            f"/courses/{room.course_id}/gradebook?format=csv&layout={layout}",
        ):
            rows = _sheet(room.call("GET", url, "prof"))
            cells = [cell for row in rows for cell in row if cell]
            assert cells, url
            dangerous = [c for c in cells if c[0] in "=+-@\t\r＝＋－＠"]
            assert dangerous == [], (url, dangerous)
            names = {row[0] for row in rows}
            assert '\'=HYPERLINK("http://evil","x")' in names
            assert "'＝1+1" in names
    # The JSON export keeps the data as it is: escaping is the spreadsheet's concern.
    book = room.call("GET", f"/quizzes/{quiz_id}/gradebook", "prof").json()
    assert "+SUM(1,2)" in {r["full_name"] for r in book["rows"]}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        pytest.param(None, "", id="no score"),
        pytest.param(0.0, "0", id="zero"),
        pytest.param(-0.0, "0", id="negative zero"),
        pytest.param(1.0, "1", id="whole"),
        pytest.param(2.5, "2.5", id="half"),
        pytest.param(1 / 3, "0.3333", id="third"),
        pytest.param(0.1 + 0.2, "0.3", id="float noise"),
        pytest.param(1e-7, "0", id="tiny"),
        pytest.param(123456.0, "123456", id="no exponent"),
    ],
)
def test_numbers_are_written_as_importers_read_them(value: float | None, cell: str) -> None:
    assert number_cell(value) == cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        pytest.param("Ana", "Ana", id="plain"),
        pytest.param("", "", id="empty"),
        pytest.param("=1+1", "'=1+1", id="equals"),
        pytest.param("+1", "'+1", id="plus"),
        pytest.param("-1", "'-1", id="minus"),
        pytest.param("@x", "'@x", id="at"),
        pytest.param("\r=1", "'\r=1", id="carriage return"),
        pytest.param("a=1", "a=1", id="inner equals"),
        pytest.param("＋1", "'＋1", id="full-width plus"),
    ],
)
def test_text_cells_are_defused(value: str, cell: str) -> None:
    assert text_cell(value) == cell


def test_bad_parameters_are_refused(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false"))
    problem = assert_problem(
        room.call("GET", f"/quizzes/{quiz_id}/gradebook?format=xlsx", "prof"),
        422,
        "validation-failed",
    )
    assert problem["errors"][0]["loc"] == ["query", "format"]
    problem = assert_problem(
        room.call("GET", f"/quizzes/{quiz_id}/gradebook?format=csv&layout=blackboard", "prof"),
        422,
        "validation-failed",
    )
    assert problem["errors"][0]["loc"] == ["query", "layout"]


ACTORS = ("anonymous", "zoe", "eve", "ben", "ana", "prof")
TEACHER_ONLY = {"anonymous": 401, "zoe": 404, "eve": 404, "ben": 403, "ana": 403, "prof": 200}


@pytest.mark.parametrize(
    "path",
    [
        "/quizzes/{quiz}/gradebook",
        "/quizzes/{quiz}/gradebook?format=csv",
        "/courses/{course}/gradebook",
        "/courses/{course}/gradebook?format=csv&layout=moodle",
    ],
)
def test_only_the_course_instructors_export_the_gradebook(classroom: Classroom, path: str) -> None:
    room = classroom
    quiz_id = room.quiz(items=room.fixed("true_false"))
    take(room, quiz_id, "ana", {1: "right"})
    url = path.format(quiz=quiz_id, course=room.course_id)
    got = {
        actor: room.call("GET", url, None if actor == "anonymous" else actor).status_code
        for actor in ACTORS
    }
    assert got == TEACHER_ONLY
