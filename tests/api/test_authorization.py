"""The authorization matrix: every route of banks, courses, quizzes and attempts, called by
anonymous, the student (ana, whose attempt it is), another student of the course (ben), a
student of no course (zoe), an instructor of another course (eve) and the course's
instructor (prof), each with the status it must get. A route added without a row fails
`test_every_route_has_a_row`."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from fastapi import FastAPI

from api.banks.service import SHIPPED_BANK
from tests.api.classroom import FIXED, TITLE, Classroom

ACTORS = ("anonymous", "zoe", "eve", "ben", "ana", "prof")  # a change, if any, comes last
OWN = {"anonymous": 401, "zoe": 404, "eve": 404, "ben": 404}
TEACHER_ONLY = {"anonymous": 401, "zoe": 404, "eve": 404, "ben": 403, "ana": 403}
MEMBERS = {"anonymous": 401, "zoe": 404, "eve": 404, "ben": 200, "ana": 200, "prof": 200}
INSTRUCTORS = {"anonymous": 401, "zoe": 403, "ben": 403, "ana": 403, "eve": 200, "prof": 200}
DRAFT = {"anonymous": 401, "zoe": 404, "eve": 404, "ben": 404, "ana": 404}


def _bank_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in SHIPPED_BANK.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, f"async-backends/{path.relative_to(SHIPPED_BANK)}")
    return buffer.getvalue()


_ZIP: list[bytes] = []


def bank_zip() -> bytes:
    if not _ZIP:
        _ZIP.append(_bank_zip())
    return _ZIP[0]


Row = tuple[str, str, dict[str, int], dict[str, Any]]
ROWS: list[Any] = [
    # banks: instructors only
    ("GET", "/banks", INSTRUCTORS, {}),
    ("POST", "/banks", INSTRUCTORS, {"files": "zip"}),
    ("GET", "/banks/{bank_id}", INSTRUCTORS, {}),
    ("GET", "/banks/{bank_id}/versions", INSTRUCTORS, {}),
    ("GET", "/bank-versions/{version_id}", INSTRUCTORS, {}),
    ("GET", "/bank-versions/{version_id}/questions", INSTRUCTORS, {}),
    ("GET", "/bank-versions/{version_id}/questions/{question_id}", INSTRUCTORS, {}),
    ("GET", "/bank-versions/{version_id}/questions/{question_id}/preview", INSTRUCTORS, {}),
    # courses
    ("GET", "/courses", dict.fromkeys(ACTORS, 200) | {"anonymous": 401}, {}),
    ("POST", "/courses", INSTRUCTORS | {"eve": 201, "prof": 201}, {"json": {"title": TITLE}}),
    (
        "POST",
        "/courses/join",
        {"anonymous": 401, "eve": 403, "prof": 403, "ben": 200, "ana": 200, "zoe": 200},
        {"json": {"code": "{join_code}"}},
    ),
    ("GET", "/courses/{course_id}", MEMBERS, {}),
    ("PATCH", "/courses/{course_id}", TEACHER_ONLY | {"prof": 200}, {"json": {"title": TITLE}}),
    ("GET", "/courses/{course_id}/members", TEACHER_ONLY | {"prof": 200}, {}),
    (
        "POST",
        "/courses/{course_id}/members",
        TEACHER_ONLY | {"prof": 201},
        {"json": {"email": "zoe@example.org"}},
    ),
    ("POST", "/courses/{course_id}/members/import", TEACHER_ONLY | {"prof": 200}, {"files": "csv"}),
    ("DELETE", "/courses/{course_id}/members/{ben_id}", TEACHER_ONLY | {"prof": 204}, {}),
    ("POST", "/courses/{course_id}/join-code", TEACHER_ONLY | {"prof": 200}, {}),
    ("DELETE", "/courses/{course_id}/join-code", TEACHER_ONLY | {"prof": 200}, {}),
    # quizzes
    ("GET", "/courses/{course_id}/quizzes", MEMBERS, {}),
    (
        "POST",
        "/courses/{course_id}/quizzes",
        TEACHER_ONLY | {"prof": 201},
        {"json": {"title": TITLE}},
    ),
    ("GET", "/quizzes/{quiz_id}", MEMBERS, {}),
    ("GET", "/quizzes/{draft_id}", DRAFT | {"prof": 200}, {}),
    ("PATCH", "/quizzes/{quiz_id}", TEACHER_ONLY | {"prof": 200}, {"json": {"title": TITLE}}),
    ("PUT", "/quizzes/{draft_id}/items", DRAFT | {"prof": 200}, {"json": "items"}),
    ("POST", "/quizzes/{draft_id}/publish", DRAFT | {"prof": 200}, {}),
    ("DELETE", "/quizzes/{draft_id}", DRAFT | {"prof": 204}, {}),
    ("GET", "/quizzes/{quiz_id}/attempts", MEMBERS, {}),
    ("GET", "/quizzes/{quiz_id}/results", TEACHER_ONLY | {"prof": 200}, {}),
    (
        "POST",
        "/quizzes/{quiz_id}/attempts",
        {"anonymous": 401, "zoe": 404, "eve": 404, "prof": 403, "ben": 201, "ana": 200},
        {},
    ),
    # attempts: ana's
    ("GET", "/attempts/{attempt_id}", OWN | {"prof": 200, "ana": 200}, {}),
    ("GET", "/attempts/{attempt_id}/items/{position}", OWN | {"prof": 200, "ana": 200}, {}),
    (
        "PUT",
        "/attempts/{attempt_id}/items/{position}/answer",
        OWN | {"prof": 403, "ana": 200},
        {"json": "answer"},
    ),
    ("POST", "/attempts/{attempt_id}/items/{position}/check", OWN | {"prof": 403, "ana": 200}, {}),
    ("POST", "/attempts/{attempt_id}/submit", OWN | {"prof": 403, "ana": 200}, {}),
]


def _my_routes(app: FastAPI) -> set[tuple[str, str]]:
    mine = {"banks", "courses", "quizzes", "attempts"}
    found = set()
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            if mine & set(operation.get("tags", [])):
                found.add((method.upper(), path.removeprefix("/api/v1")))
    return found


def _template(path: str) -> str:
    return path.replace("{draft_id}", "{quiz_id}").replace("{ben_id}", "{user_id}")


def test_every_route_has_a_row(app: FastAPI) -> None:
    rows = {(method, _template(path)) for method, path, _, _ in ROWS}
    assert _my_routes(app) == rows


@pytest.mark.parametrize(
    ("method", "path", "expected", "options"),
    [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in ROWS],
)
def test_authorization_matrix(
    classroom: Classroom,
    method: str,
    path: str,
    expected: dict[str, int],
    options: dict[str, Any],
) -> None:
    room = classroom
    assert set(expected) == set(ACTORS)
    quiz_id = room.quiz(items=room.fixed("true_false"), feedback="after_each")
    draft_id = room.quiz(publish=False)
    attempt_id = room.start(quiz_id, "ana")["id"]
    join_code = room.call("POST", f"/courses/{room.course_id}/join-code", "prof").json()[
        "join_code"
    ]
    bank_id = room.call("GET", "/banks", "prof").json()["data"][0]["id"]
    values = {
        "bank_id": bank_id,
        "version_id": room.bank_version,
        "question_id": FIXED["single_choice"],
        "course_id": room.course_id,
        "quiz_id": quiz_id,
        "draft_id": draft_id,
        "attempt_id": attempt_id,
        "position": 1,
        "ben_id": room.users["ben"].id,
        "join_code": join_code,
    }
    url = path.format(**values)
    got = {}
    for actor in ACTORS:
        kwargs: dict[str, Any] = {}
        if options.get("json") == "items":
            kwargs["json"] = room.fixed("single_choice")
        elif options.get("json") == "answer":
            kwargs["json"] = {"response": True, "revision": ACTORS.index(actor) + 1}
        elif "json" in options:
            kwargs["json"] = {
                k: v.format(**values) if isinstance(v, str) else v
                for k, v in options["json"].items()
            }
        if options.get("files") == "zip":
            kwargs["files"] = {"file": ("bank.zip", bank_zip(), "application/zip")}
        elif options.get("files") == "csv":
            kwargs["files"] = {"file": ("r.csv", b"email\nzoe@example.org\n", "text/csv")}
        who = None if actor == "anonymous" else actor
        got[actor] = room.call(method, url, who, **kwargs).status_code
    assert got == expected
