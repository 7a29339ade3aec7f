"""Login rate limits, per account and per client address, kept in the database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from api.auth.models import LoginAttempt
from api.core import migrations
from api.core.config import Settings, SettingsForTests
from api.core.db import create_db_engine
from api.main import create_app
from api.users.models import User
from tests.api.problems import assert_problem
from tests.conftest import DEFAULT_PASSWORD, TEST_SECRET_KEY

MakeUser = Callable[..., User]


@pytest.fixture
def strict_app(app: FastAPI, settings: Settings) -> Iterator[FastAPI]:
    """The test app with small limits: 3 failures per account, 5 per address."""
    original = app.state.settings
    app.state.settings = settings.model_copy(
        update={"login_max_failures_per_account": 3, "login_max_failures_per_address": 5}
    )
    try:
        yield app
    finally:
        app.state.settings = original


def attempt(client: TestClient, email: str, password: str) -> int:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    return response.status_code


def failures(session: Session) -> int:
    return session.exec(select(func.count()).select_from(LoginAttempt)).one()


@pytest.mark.usefixtures("strict_app")
def test_account_locks_after_repeated_failures_even_for_the_right_password(
    client: TestClient, make_user: MakeUser, session: Session
) -> None:
    make_user(email="victim@example.org")
    assert [attempt(client, "victim@example.org", "guess") for _ in range(3)] == [401] * 3
    # The failures outlived their failing requests' rollbacks.
    assert failures(session) == 3
    locked = client.post(
        "/api/v1/auth/token", data={"username": "victim@example.org", "password": DEFAULT_PASSWORD}
    )
    body = assert_problem(locked, 429, "login-rate-limited")
    assert 1 <= int(locked.headers["retry-after"]) <= 15 * 60
    assert "Traceback" not in body["detail"]


@pytest.mark.usefixtures("strict_app")
def test_success_clears_the_account_failures(
    client: TestClient, make_user: MakeUser, session: Session
) -> None:
    make_user(email="typo@example.org")
    for _ in range(2):
        assert attempt(client, "typo@example.org", "typo") == 401
    assert attempt(client, "typo@example.org", DEFAULT_PASSWORD) == 200
    for _ in range(2):
        assert attempt(client, "typo@example.org", "typo") == 401
    assert attempt(client, "typo@example.org", DEFAULT_PASSWORD) == 200


@pytest.mark.usefixtures("strict_app")
def test_one_address_guessing_many_accounts_is_limited(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user(email="other@example.org")
    codes = [attempt(client, f"user{i}@example.org", "guess") for i in range(5)]
    assert codes == [401] * 5
    # A different, untouched account from the same address is now refused too.
    assert attempt(client, "other@example.org", DEFAULT_PASSWORD) == 429


@pytest.mark.usefixtures("strict_app")
def test_limits_are_counted_case_insensitively(client: TestClient, make_user: MakeUser) -> None:
    make_user(email="case@example.org")
    for email in ("CASE@example.org", "case@EXAMPLE.org", " case@example.org"):
        assert attempt(client, email, "guess") == 401
    assert attempt(client, "case@example.org", DEFAULT_PASSWORD) == 429


def test_failures_older_than_the_window_no_longer_count(
    client: TestClient, make_user: MakeUser, session: Session, app: FastAPI, settings: Settings
) -> None:
    app.state.settings = settings.model_copy(
        update={"login_max_failures_per_account": 2, "login_window_seconds": 1}
    )
    try:
        make_user(email="old@example.org")
        for _ in range(2):
            assert attempt(client, "old@example.org", "guess") == 401
        assert attempt(client, "old@example.org", DEFAULT_PASSWORD) == 429
        # Age the failures instead of sleeping: tests assert behaviour, not timing.
        for row in session.exec(select(LoginAttempt)).all():
            row.attempted_at = row.attempted_at - timedelta(seconds=5)
            session.add(row)
        session.commit()
        assert attempt(client, "old@example.org", DEFAULT_PASSWORD) == 200
    finally:
        app.state.settings = settings


def test_limits_hold_across_separate_processes_sharing_the_database(
    fresh_database_url: str, tmp_path: Path
) -> None:
    """Two app instances with their own engines stand in for two uvicorn processes."""
    engine_a, engine_b = create_db_engine(fresh_database_url), create_db_engine(fresh_database_url)
    try:
        migrations.upgrade(engine_a)
        settings = SettingsForTests(
            database_url=fresh_database_url,
            data_dir=tmp_path,
            secret_key=TEST_SECRET_KEY,
            login_max_failures_per_account=2,
        )
        with (
            TestClient(create_app(settings, engine=engine_a)) as process_a,
            TestClient(create_app(settings, engine=engine_b)) as process_b,
        ):
            for process in (process_a, process_b):
                assert attempt(process, "shared@example.org", "guess") == 401
            assert attempt(process_a, "shared@example.org", "guess") == 429
            assert attempt(process_b, "shared@example.org", "guess") == 429
    finally:
        engine_a.dispose()
        engine_b.dispose()
