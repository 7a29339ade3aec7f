"""/web/api: the assignment a code question's editor shows (visible checks only for its
student; nothing for anyone else) and the token refresh the pages use while in use."""

from __future__ import annotations

from typing import Any

from api.auth.tokens import decode_access_token
from api.core.config import Settings
from graders import Catalogue
from tests.api.classroom import Classroom

CODE_POSITION = 2  # classroom.fixed("single_choice", "code")


def web(classroom: Classroom, method: str, path: str, who: str | None, **kwargs: Any) -> Any:
    """A request as `who` (None: anonymous) to a /web/api route."""
    headers = classroom.headers[who] if who else {}
    return classroom.client.request(method, path, headers=headers, **kwargs)


def _attempt(classroom: Classroom) -> int:
    quiz = classroom.quiz(items=classroom.fixed("single_choice", "code"))
    attempt: int = classroom.start(quiz)["id"]
    return attempt


def test_a_student_reads_the_assignment_of_their_code_question(classroom: Classroom) -> None:
    attempt = _attempt(classroom)
    response = web(
        classroom,
        "GET",
        f"/web/api/attempts/{attempt}/items/{CODE_POSITION}/assignment",
        "ana",
        params={"lang": "zh-CN"},
    )
    assert response.status_code == 200, response.text
    view = response.json()
    assignment = Catalogue.load()[view["id"]]
    assert view["statement"] == assignment.statement("zh-CN")
    assert view["starter"] == assignment.starter()
    visible = [c.id for c in assignment.checks if c.visibility == "visible"]
    assert [c["id"] for c in view["checks"]] == visible
    assert view["hidden_checks"] == len(assignment.checks) - len(visible)
    assert all(c["visibility"] == "visible" for c in view["checks"])
    assert view["title"] == assignment.title["zh-CN"]


def test_hidden_checks_stay_hidden_from_students(classroom: Classroom) -> None:
    assignment = Catalogue.load()["gather-all"]
    hidden = {c.id for c in assignment.checks if c.visibility == "hidden"}
    assert hidden  # the case this test is about
    item = {
        "kind": "question",
        "bank_version_id": classroom.bank_version,
        "question_id": "sync-async-code-gather-all",
    }
    attempt = classroom.start(classroom.quiz(items=[item]))["id"]
    path = f"/web/api/attempts/{attempt}/items/1/assignment"
    student = web(classroom, "GET", path, "ana").json()
    assert student["id"] == "gather-all"
    assert not hidden & {c["id"] for c in student["checks"]}
    assert student["hidden_checks"] == len(hidden)
    assert student["max_score"] == assignment.max_score  # hidden checks still count
    # The course's instructor sees every check, through the attempt or directly.
    for url in (path, "/web/api/assignments/gather-all"):
        full = web(classroom, "GET", url, "prof").json()
        assert [c["id"] for c in full["checks"]] == [c.id for c in assignment.checks]
        assert full["hidden_checks"] == 0


def test_no_one_else_reads_an_attempts_assignment(classroom: Classroom) -> None:
    attempt = _attempt(classroom)
    path = f"/web/api/attempts/{attempt}/items/{CODE_POSITION}/assignment"
    assert web(classroom, "GET", path, "ben").status_code == 404  # another student
    assert web(classroom, "GET", path, "eve").status_code == 404  # another course's teacher
    assert web(classroom, "GET", path, "zoe").status_code == 404
    assert web(classroom, "GET", path, None).status_code == 401
    assert web(classroom, "GET", path, "prof").status_code == 200  # the course's instructor
    not_code = f"/web/api/attempts/{attempt}/items/1/assignment"
    assert web(classroom, "GET", not_code, "ana").status_code == 404
    beyond = f"/web/api/attempts/{attempt}/items/9/assignment"
    assert web(classroom, "GET", beyond, "ana").status_code == 404


def test_only_instructors_read_any_assignment(classroom: Classroom) -> None:
    assert web(classroom, "GET", "/web/api/assignments/gather-all", "ana").status_code == 403
    assert web(classroom, "GET", "/web/api/assignments/no-such", "prof").status_code == 404
    assert web(classroom, "GET", "/web/api/assignments/gather-all", None).status_code == 401


def test_a_signed_in_page_gets_a_fresh_token(classroom: Classroom, settings: Settings) -> None:
    refreshed = web(classroom, "POST", "/web/api/token/refresh", "ana")
    assert refreshed.status_code == 200
    body = refreshed.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == settings.access_token_minutes * 60
    assert decode_access_token(body["access_token"], settings=settings) == classroom.users["ana"].id
    assert web(classroom, "POST", "/web/api/token/refresh", None).status_code == 401
    expired = classroom.client.post(
        "/web/api/token/refresh", headers={"Authorization": "Bearer not-a-token"}
    )
    assert expired.status_code == 401
