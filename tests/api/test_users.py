"""Accounts: the signed-in user, instructors creating students singly and from a CSV roster."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from api.users.models import Role, User
from api.users.roster import MAX_ROSTER_ROWS
from tests.api.problems import assert_problem
from tests.api.test_auth import login
from tests.conftest import DEFAULT_PASSWORD

MakeUser = Callable[..., User]
Headers = Callable[[User], dict[str, str]]


def user_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def upload(client: TestClient, headers: dict[str, str], content: bytes) -> object:
    return client.post(
        "/api/v1/users/import",
        files={"file": ("roster.csv", content, "text/csv")},
        headers=headers,
    )


def test_me_returns_my_account_without_secrets(
    client: TestClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    user = make_user(email="me@example.org", full_name="Me")
    body = client.get("/api/v1/users/me", headers=auth_headers(user)).json()
    assert body == {
        "id": user.id,
        "email": "me@example.org",
        "full_name": "Me",
        "role": "student",
        "is_active": True,
        "created_at": body["created_at"],
    }
    assert body["created_at"].endswith("Z") or body["created_at"].endswith("+00:00")


def test_instructor_creates_a_student_with_a_generated_password_that_works(
    client: TestClient, instructor_headers: dict[str, str], session: Session
) -> None:
    response = client.post(
        "/api/v1/users",
        json={"email": " New.Student@Example.org", "full_name": " Lin Wei "},
        headers=instructor_headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "new.student@example.org"
    assert body["full_name"] == "Lin Wei"
    assert body["role"] == "student"
    password = body["initial_password"]
    assert len(password) >= 12
    stored = session.get(User, body["id"])
    assert stored is not None
    assert password not in stored.hashed_password
    login(client, "new.student@example.org", password)


def test_creating_with_a_chosen_password_returns_no_password(
    client: TestClient, instructor_headers: dict[str, str]
) -> None:
    body = client.post(
        "/api/v1/users",
        json={"email": "ta@example.org", "role": "instructor", "password": "long enough pw"},
        headers=instructor_headers,
    ).json()
    assert body["role"] == "instructor"
    assert body["initial_password"] is None
    login(client, "ta@example.org", "long enough pw")


def test_registered_email_is_a_409_in_any_case(
    client: TestClient, instructor_headers: dict[str, str], session: Session
) -> None:
    before = user_count(session)
    response = client.post(
        "/api/v1/users", json={"email": "PROF@example.org"}, headers=instructor_headers
    )
    assert_problem(response, 409, "email-taken")
    assert user_count(session) == before


@pytest.mark.parametrize(
    ("payload", "locs"),
    [
        pytest.param({"email": "not-an-email"}, {("body", "email")}, id="bad-email"),
        pytest.param({}, {("body", "email")}, id="missing-email"),
        pytest.param(
            {"email": "a@example.org", "password": "short"},
            {("body", "password")},
            id="short-password",
        ),
        pytest.param(
            {"email": "a@example.org", "role": "admin"}, {("body", "role")}, id="unknown-role"
        ),
        pytest.param(
            {"email": "a@example.org", "is_admin": True}, {("body", "is_admin")}, id="unknown-field"
        ),
        pytest.param(
            {"email": ["a@example.org"], "full_name": 7},
            {("body", "email"), ("body", "full_name")},
            id="wrong-types",
        ),
    ],
)
def test_invalid_new_user_gets_422_with_field_paths_and_writes_nothing(
    client: TestClient,
    instructor_headers: dict[str, str],
    session: Session,
    payload: dict[str, object],
    locs: set[tuple[str, ...]],
) -> None:
    before = user_count(session)
    body = assert_problem(
        client.post("/api/v1/users", json=payload, headers=instructor_headers),
        422,
        "validation-failed",
    )
    assert {tuple(error["loc"]) for error in body["errors"]} == locs
    assert all(error["msg"] and error["type"] for error in body["errors"])
    assert user_count(session) == before


def test_list_paginates_and_filters_by_role(
    client: TestClient, instructor_headers: dict[str, str], make_user: MakeUser
) -> None:
    for i in range(5):
        make_user(email=f"s{i}@example.org")
    page = client.get("/api/v1/users?role=student&offset=1&limit=2", headers=instructor_headers)
    assert page.status_code == 200
    body = page.json()
    assert body["count"] == 5
    assert [u["email"] for u in body["data"]] == ["s1@example.org", "s2@example.org"]
    everyone = client.get("/api/v1/users", headers=instructor_headers).json()
    assert everyone["count"] == 6


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "offset=-1", "limit=ten"])
def test_list_rejects_out_of_range_pages(
    client: TestClient, instructor_headers: dict[str, str], query: str
) -> None:
    body = assert_problem(
        client.get(f"/api/v1/users?{query}", headers=instructor_headers), 422, "validation-failed"
    )
    assert body["errors"][0]["loc"][0] == "query"


def test_instructor_reads_renames_and_disables_a_student(
    client: TestClient,
    instructor_headers: dict[str, str],
    make_user: MakeUser,
    auth_headers: Headers,
) -> None:
    student = make_user()
    student_headers = auth_headers(student)
    url = f"/api/v1/users/{student.id}"
    assert client.get(url, headers=instructor_headers).json()["email"] == student.email
    body = client.patch(
        url, json={"full_name": "Renamed", "is_active": False}, headers=instructor_headers
    ).json()
    assert (body["full_name"], body["is_active"]) == ("Renamed", False)
    assert_problem(client.get("/api/v1/users/me", headers=student_headers), 403, "account-disabled")
    assert_problem(client.get("/api/v1/users/999999", headers=instructor_headers), 404, "not-found")


def test_instructor_cannot_disable_themselves(
    client: TestClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    me = make_user(role="instructor")
    response = client.patch(
        f"/api/v1/users/{me.id}", json={"is_active": False}, headers=auth_headers(me)
    )
    assert_problem(response, 409, "conflict")


def test_user_changes_password_only_with_the_current_one(
    client: TestClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    user = make_user(email="pw@example.org")
    headers = auth_headers(user)
    wrong = client.post(
        "/api/v1/users/me/password",
        json={"current_password": "nope nope", "new_password": "brand new password"},
        headers=headers,
    )
    body = assert_problem(wrong, 422, "validation-failed")
    assert body["errors"][0]["loc"] == ["body", "current_password"]
    login(client, "pw@example.org", DEFAULT_PASSWORD)
    ok = client.post(
        "/api/v1/users/me/password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": "brand new password"},
        headers=headers,
    )
    assert ok.status_code == 204
    login(client, "pw@example.org", "brand new password")


ROSTER = (
    "\ufeffEmail,Name,Password\r\n"
    "li.lei@example.org,李雷,\r\n"
    "han.meimei@example.org,韩梅梅,chosen-password\r\n"
    "\r\n"
    '"quoted@example.org","Smith, Jo",\r\n'
).encode()


def test_roster_import_creates_every_student_and_returns_generated_passwords(
    client: TestClient, instructor_headers: dict[str, str], session: Session
) -> None:
    response = upload(client, instructor_headers, ROSTER)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["count"] == 3
    by_email = {u["email"]: u for u in body["data"]}
    assert by_email["li.lei@example.org"]["full_name"] == "李雷"
    assert by_email["quoted@example.org"]["full_name"] == "Smith, Jo"
    assert by_email["han.meimei@example.org"]["initial_password"] is None
    assert all(u["role"] == "student" for u in body["data"])
    login(client, "han.meimei@example.org", "chosen-password")
    login(client, "li.lei@example.org", by_email["li.lei@example.org"]["initial_password"])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            b"email,name\nok@example.org,A\nbad-email,B\nok@example.org,C\nx@example.org,D,extra\n",
            [(3, "email"), (4, "email"), (5, "*")],
            id="bad-lines",
        ),
        pytest.param(b"mail,name\na@example.org,A\n", [(1, "mail"), (1, "email")], id="header"),
        pytest.param(b"email\na@example.org\n\xff\xfe\n", [(3, "*")], id="not-utf8"),
        pytest.param(b"", [(1, "*")], id="empty"),
        pytest.param(b"email,name\n\n", [(2, "*")], id="no-rows"),
        pytest.param(b"email,password\na@example.org,short\n", [(2, "password")], id="password"),
        pytest.param(b"email\nprof@example.org\n", [(2, "email")], id="already-registered"),
    ],
)
def test_bad_roster_reports_each_line_and_imports_nothing(
    client: TestClient,
    instructor_headers: dict[str, str],
    session: Session,
    content: bytes,
    expected: list[tuple[int, str]],
) -> None:
    before = user_count(session)
    body = assert_problem(upload(client, instructor_headers, content), 422, "invalid-csv")
    assert [(e["line"], e["loc"][-1]) for e in body["errors"]] == expected
    assert all(e["loc"][:3] == ["body", "file", e["line"]] for e in body["errors"])
    assert user_count(session) == before


def test_roster_longer_than_the_limit_is_refused(
    client: TestClient, instructor_headers: dict[str, str]
) -> None:
    lines = "".join(f"s{i}@example.org\n" for i in range(MAX_ROSTER_ROWS + 1))
    body = assert_problem(
        upload(client, instructor_headers, ("email\n" + lines).encode()), 422, "invalid-csv"
    )
    assert body["errors"][-1]["type"] == "too_many_rows"


def test_roster_errors_in_chinese(client: TestClient, instructor_headers: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/users/import?lang=zh-CN",
        files={"file": ("r.csv", b"email\nnope\n", "text/csv")},
        headers=instructor_headers,
    )
    body = assert_problem(response, 422, "invalid-csv")
    assert body["title"] == "CSV 文件无效"
    assert body["errors"][0]["msg"].startswith("不是合法的邮箱地址")


def test_roster_upload_needs_a_file(client: TestClient, instructor_headers: dict[str, str]) -> None:
    body = assert_problem(
        client.post("/api/v1/users/import", headers=instructor_headers), 422, "validation-failed"
    )
    assert body["errors"][0]["loc"] == ["body", "file"]


def test_roles_are_stored_as_their_names(session: Session, make_user: MakeUser) -> None:
    user = make_user(role="instructor")
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored is not None
    assert stored.role is Role.instructor
