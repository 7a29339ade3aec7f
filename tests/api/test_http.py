"""HTTP conventions: problem+json errors, body limits, request ids, languages, /health."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from api.core.config import Settings, SettingsForTests
from api.core.db import create_db_engine
from api.core.logging import RequestIdFilter
from api.errors import QuizloopError
from api.i18n import Lang, Text, negotiate
from api.main import create_app
from api.users.models import User
from tests.api.problems import assert_problem
from tests.conftest import TEST_SECRET_KEY

MakeUser = Callable[..., User]
Headers = Callable[[User], dict[str, str]]


def user_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def post_raw(
    client: TestClient, headers: dict[str, str], body: bytes | Iterator[bytes], **extra: str
) -> object:
    return client.post(
        "/api/v1/users",
        content=body,
        headers={**headers, "Content-Type": "application/json", **extra},
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"email": "a@example.org",', id="truncated"),
        pytest.param(b"{'email': 'a@example.org'}", id="single-quotes"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
    ],
)
def test_malformed_json_is_a_400_and_writes_nothing(
    client: TestClient, instructor_headers: dict[str, str], session: Session, body: bytes
) -> None:
    before = user_count(session)
    response = post_raw(client, instructor_headers, body)
    assert response.status_code in (400, 422)
    assert response.json()["type"] in (
        "urn:quizloop:problem:malformed-body",
        "urn:quizloop:problem:validation-failed",
    )
    assert user_count(session) == before


def test_truncated_json_names_the_position(
    client: TestClient, instructor_headers: dict[str, str]
) -> None:
    response = post_raw(client, instructor_headers, b'{"email": ')
    body = assert_problem(response, 400, "malformed-body")
    assert "character 10" in body["detail"]


def test_body_over_the_limit_by_content_length_is_413_and_writes_nothing(
    client: TestClient, instructor_headers: dict[str, str], session: Session, settings: Settings
) -> None:
    before = user_count(session)
    padding = "x" * settings.max_body_bytes
    response = client.post(
        "/api/v1/users",
        json={"email": "big@example.org", "full_name": padding},
        headers=instructor_headers,
    )
    body = assert_problem(response, 413, "payload-too-large")
    assert str(settings.max_body_bytes) in body["detail"]
    assert user_count(session) == before


def test_streamed_body_without_length_is_cut_off_at_the_limit(
    client: TestClient, instructor_headers: dict[str, str], session: Session, settings: Settings
) -> None:
    before = user_count(session)
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"email": "big@example.org", "full_name": "'
        for _ in range(settings.max_body_bytes // 65536 + 4):
            sent += 65536
            yield b"x" * 65536
        yield b'"}'

    response = post_raw(client, instructor_headers, chunks())
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_problem(response, 413, "payload-too-large")
    assert user_count(session) == before


def test_body_just_under_the_limit_is_accepted(
    client: TestClient, instructor_headers: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/users", json={"email": "fits@example.org"}, headers=instructor_headers
    )
    assert response.status_code == 201


def test_unknown_path_and_wrong_method_are_problems(
    client: TestClient, instructor_headers: dict[str, str]
) -> None:
    assert_problem(client.get("/api/v1/nothing-here", headers=instructor_headers), 404, "not-found")
    assert_problem(client.put("/health"), 405, "method-not-allowed")


def test_request_id_is_echoed_or_generated_and_logged(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    # The filter `quizloop serve` installs on its log handler.
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO, logger="quizloop.request"):
        echoed = client.get("/health", headers={"X-Request-ID": "trace-42"})
        generated = client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert echoed.headers["x-request-id"] == "trace-42"
    assert len(generated.headers["x-request-id"]) == 32
    ids = [getattr(record, "request_id", None) for record in caplog.records]
    assert "trace-42" in ids
    assert generated.headers["x-request-id"] in ids


@pytest.mark.parametrize(
    ("query", "accept_language", "expected_title"),
    [
        pytest.param("", "", "Not authenticated", id="default-en"),
        pytest.param("", "zh-CN,zh;q=0.9,en;q=0.8", "未认证", id="accept-zh"),
        pytest.param("", "fr;q=1.0, en;q=0.5, zh;q=0.4", "Not authenticated", id="accept-en"),
        pytest.param("?lang=zh-CN", "en", "未认证", id="query-wins"),
        pytest.param("?lang=xx", "zh-TW", "未认证", id="unknown-query-falls-back"),
    ],
)
def test_error_language_follows_query_then_accept_language(
    client: TestClient, query: str, accept_language: str, expected_title: str
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get(f"/api/v1/users/me{query}", headers=headers)
    body = assert_problem(response, 401, "not-authenticated")
    assert body["title"] == expected_title


@pytest.mark.parametrize(
    ("lang", "header", "expected"),
    [
        (None, None, "en"),
        ("zh", None, "zh-CN"),
        ("EN-gb", "zh", "en"),
        (None, "zh-Hans-CN;q=0.8, en;q=0.9", "en"),
        (None, "de, zh;q=0.1", "zh-CN"),
        (None, "en;q=0, zh;q=0", "en"),
        (None, "zh;q=abc, en", "en"),
        (None, "," * 1000, "en"),
    ],
)
def test_language_negotiation(lang: str | None, header: str | None, expected: str) -> None:
    assert negotiate(lang, header) == expected


def test_field_errors_are_translated_for_chinese_readers(
    client: TestClient, instructor_headers: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/users",
        json={"unknown": 1},
        headers={**instructor_headers, "Accept-Language": "zh-CN"},
    )
    body = assert_problem(response, 422, "validation-failed")
    messages = {tuple(e["loc"]): e["msg"] for e in body["errors"]}
    assert messages[("body", "email")].startswith("缺少此字段")
    assert messages[("body", "unknown")].startswith("不允许的字段")


def test_unexpected_errors_are_a_bare_500_without_internals(
    settings: Settings, engine: object, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings, engine=engine)  # type: ignore[arg-type]

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        response = client.get("/boom", headers={"X-Request-ID": "boom-1"})
    body = assert_problem(response, 500, "internal-error")
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert body["request_id"] == "boom-1"
    assert any("RuntimeError" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_every_error_kind_has_both_languages() -> None:
    def subclasses(cls: type[QuizloopError]) -> list[type[QuizloopError]]:
        return [cls, *(c for sub in cls.__subclasses__() for c in subclasses(sub))]

    kinds = set()
    for error in subclasses(QuizloopError):
        assert error.title.en, error
        assert error.title.zh, error
        assert error.default_detail.zh, error
        assert error.kind not in kinds, f"duplicate kind {error.kind}"
        kinds.add(error.kind)


def test_health_reports_the_database(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_health_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    settings = SettingsForTests(
        database_url=unreachable, data_dir=tmp_path, secret_key=TEST_SECRET_KEY
    )
    app = create_app(settings, engine=create_db_engine(unreachable, pool_pre_ping=False))
    with TestClient(app) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unreachable",
        "version": response.json()["version"],
    }


def test_cors_allows_only_configured_origins(engine: object, tmp_path: Path) -> None:
    settings = SettingsForTests(
        data_dir=tmp_path, secret_key=TEST_SECRET_KEY, cors_origins="https://quiz.example.org"
    )
    app: FastAPI = create_app(settings, engine=engine)  # type: ignore[arg-type]
    with TestClient(app) as client:
        allowed = client.get("/health", headers={"Origin": "https://quiz.example.org"})
        other = client.get("/health", headers={"Origin": "https://evil.example.com"})
    assert allowed.headers["access-control-allow-origin"] == "https://quiz.example.org"
    assert "access-control-allow-origin" not in other.headers


def test_lang_dependency_gives_routes_the_request_language() -> None:
    app = FastAPI()

    @app.get("/greeting")
    def greeting(lang: Lang) -> str:
        return Text(en="Hello", zh="你好")[lang]

    client = TestClient(app)
    assert client.get("/greeting").json() == "Hello"
    assert client.get("/greeting?lang=zh-CN").json() == "你好"
    assert client.get("/greeting", headers={"Accept-Language": "zh-CN"}).json() == "你好"
    assert "lang" in {p["name"] for p in app.openapi()["paths"]["/greeting"]["get"]["parameters"]}
