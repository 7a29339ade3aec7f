"""Signing in, bearer tokens (access and personal API tokens) and who may reach which route."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.auth.models import ApiToken
from api.auth.tokens import ALGORITHM, AUDIENCE, ISSUER
from api.core.config import Settings
from api.core.db import utcnow
from api.users.models import User
from tests.api.problems import assert_problem
from tests.conftest import DEFAULT_PASSWORD

MakeUser = Callable[..., User]
Headers = Callable[[User], dict[str, str]]

# The only routes an anonymous caller may reach.
PUBLIC = {("GET", "/health"), ("POST", "/api/v1/auth/token")}


def login(client: TestClient, email: str, password: str = DEFAULT_PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the API documents, path parameters filled with 1."""
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    ]


def test_login_returns_a_bearer_token_that_identifies_the_user(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user(email="ada@example.org")
    response = client.post(
        "/api/v1/auth/token", data={"username": "ADA@example.org ", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 30 * 60
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["id"] == user.id


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param("ada@example.org", "wrong password", id="wrong-password"),
        pytest.param("nobody@example.org", DEFAULT_PASSWORD, id="unknown-email"),
        pytest.param("ada@example.org", "", id="empty-password"),
    ],
)
def test_bad_credentials_get_401_without_saying_which_part_was_wrong(
    client: TestClient, make_user: MakeUser, email: str, password: str
) -> None:
    make_user(email="ada@example.org")
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    if password == "":
        assert_problem(response, 422, "validation-failed")
        return
    body = assert_problem(response, 401, "invalid-credentials")
    assert body["detail"] == "Wrong email or password."
    assert response.headers["www-authenticate"] == "Bearer"


def test_disabled_account_cannot_sign_in_or_use_its_tokens(
    client: TestClient, make_user: MakeUser, auth_headers: Headers, session: Session
) -> None:
    user = make_user(email="gone@example.org")
    headers = auth_headers(user)
    user.is_active = False
    session.add(user)
    session.commit()
    assert_problem(
        client.post(
            "/api/v1/auth/token",
            data={"username": "gone@example.org", "password": DEFAULT_PASSWORD},
        ),
        403,
        "account-disabled",
    )
    assert_problem(client.get("/api/v1/users/me", headers=headers), 403, "account-disabled")


def test_every_route_but_login_and_health_needs_a_token(app: FastAPI, client: TestClient) -> None:
    routes = _routes(app)
    assert ("GET", "/api/v1/users/me") in routes
    for method, path in routes:
        if (method, path) in PUBLIC:
            continue
        response = client.request(method, path)
        assert_problem(response, 401, "not-authenticated")
    for path in ("/health", "/docs", "/openapi.json"):
        assert client.get(path).status_code == 200


def test_students_get_403_on_every_instructor_route(
    app: FastAPI, client: TestClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    headers = auth_headers(make_user(role="student"))
    instructor_routes = [
        ("GET", "/api/v1/users"),
        ("POST", "/api/v1/users"),
        ("POST", "/api/v1/users/import"),
        ("GET", "/api/v1/users/1"),
        ("PATCH", "/api/v1/users/1"),
        ("GET", "/api/v1/auth/api-tokens"),
        ("POST", "/api/v1/auth/api-tokens"),
        ("DELETE", "/api/v1/auth/api-tokens/1"),
    ]
    assert set(instructor_routes) <= set(_routes(app))
    for method, path in instructor_routes:
        assert_problem(client.request(method, path, headers=headers), 403, "instructor-only")


def _token(settings: Settings, **changes: object) -> str:
    now = utcnow()
    claims: dict[str, object] = {
        "sub": "1",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "typ": "access",
    }
    key = str(changes.pop("key", settings.secret_key.get_secret_value()))
    algorithm = str(changes.pop("algorithm", ALGORITHM))
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm=algorithm)


def test_expired_access_token_is_refused_as_expired(
    client: TestClient, make_user: MakeUser, settings: Settings
) -> None:
    user = make_user()
    past = utcnow() - timedelta(hours=1)
    token = _token(settings, sub=str(user.id), iat=past, exp=past + timedelta(minutes=30))
    response = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401, "token-expired")


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"key": "another-secret-that-is-long-enough-to-sign-with"}, id="forged"),
        pytest.param({"aud": "someone-else"}, id="wrong-audience"),
        pytest.param({"iss": "someone-else"}, id="wrong-issuer"),
        pytest.param({"typ": "refresh"}, id="wrong-type"),
        pytest.param({"sub": "not-a-number"}, id="bad-subject"),
        pytest.param({"sub": "999999"}, id="no-such-user"),
        pytest.param({"exp": None}, id="no-expiry"),
        pytest.param({"algorithm": "HS512"}, id="other-algorithm"),
    ],
)
def test_forged_or_malformed_access_tokens_are_refused(
    client: TestClient, make_user: MakeUser, settings: Settings, changes: dict[str, object]
) -> None:
    user = make_user()
    changes.setdefault("sub", str(user.id))
    token = _token(settings, **changes)
    response = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401, "invalid-token")


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Bearer not.a.jwt", id="garbage"),
        pytest.param("Bearer ", id="empty"),
        pytest.param("Basic dXNlcjpwYXNz", id="basic-auth"),
        pytest.param("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", id="alg-none"),
        pytest.param("Bearer qlp_" + "x" * 43, id="unknown-api-token"),
    ],
)
def test_unusable_authorization_headers_get_401(client: TestClient, authorization: str) -> None:
    response = client.get("/api/v1/users/me", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.json()["type"].startswith("urn:quizloop:problem:")


def test_api_token_lifecycle_create_list_use_revoke(
    client: TestClient, make_user: MakeUser, auth_headers: Headers, session: Session
) -> None:
    instructor = make_user(role="instructor")
    headers = auth_headers(instructor)
    created = client.post(
        "/api/v1/auth/api-tokens", json={"name": "grading script"}, headers=headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    secret = body["token"]
    assert secret.startswith("qlp_")
    assert len(secret) > 40
    assert secret.startswith(body["prefix"])
    assert len(body["prefix"]) == 12
    stored = session.exec(select(ApiToken).where(ApiToken.id == body["id"])).one()
    assert secret not in stored.token_hash
    assert body["prefix"] == stored.prefix
    assert stored.expires_at is not None

    pat = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/users/me", headers=pat).json()["id"] == instructor.id
    listed = client.get("/api/v1/auth/api-tokens", headers=headers).json()
    assert listed["count"] == 1
    assert listed["data"][0]["last_used_at"] is not None
    assert "token" not in listed["data"][0]

    assert (
        client.delete(f"/api/v1/auth/api-tokens/{body['id']}", headers=headers).status_code == 204
    )
    assert_problem(client.get("/api/v1/users/me", headers=pat), 401, "invalid-token")
    assert client.get("/api/v1/auth/api-tokens", headers=headers).json()["data"][0]["revoked_at"]


def test_expired_api_token_is_refused(
    client: TestClient, make_user: MakeUser, auth_headers: Headers, session: Session
) -> None:
    headers = auth_headers(make_user(role="instructor"))
    body = client.post(
        "/api/v1/auth/api-tokens", json={"name": "short", "expires_in_days": 1}, headers=headers
    ).json()
    stored = session.get(ApiToken, body["id"])
    assert stored is not None
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.add(stored)
    session.commit()
    response = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert_problem(response, 401, "token-expired")


def test_api_token_without_expiry_and_of_another_user_cannot_be_revoked_by_me(
    client: TestClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    mine, theirs = (
        auth_headers(make_user(role="instructor")),
        auth_headers(make_user(role="instructor")),
    )
    body = client.post(
        "/api/v1/auth/api-tokens", json={"name": "forever", "expires_in_days": None}, headers=theirs
    ).json()
    assert body["expires_at"] is None
    response = client.delete(f"/api/v1/auth/api-tokens/{body['id']}", headers=mine)
    assert_problem(response, 404, "not-found")
    assert (
        client.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {body['token']}"}
        ).status_code
        == 200
    )


def test_api_token_request_rejects_bad_fields(
    client: TestClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    headers = auth_headers(make_user(role="instructor"))
    response = client.post(
        "/api/v1/auth/api-tokens",
        json={"name": "", "expires_in_days": 0, "scope": "all"},
        headers=headers,
    )
    body = assert_problem(response, 422, "validation-failed")
    assert {tuple(e["loc"]) for e in body["errors"]} == {
        ("body", "name"),
        ("body", "expires_in_days"),
        ("body", "scope"),
    }
    assert client.get("/api/v1/auth/api-tokens", headers=headers).json()["count"] == 0
