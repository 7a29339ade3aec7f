"""Fixtures for every test that needs the service's database or HTTP API.

Database
    engine          session-scoped, parametrised ["sqlite", "postgresql"]: a fresh database for
                    this test run (a file under pytest's tmp dir; on PostgreSQL a new database
                    `quizloop_test_<random>` created through database `test` and dropped at the
                    end), migrated to head by the real migrations. PostgreSQL skips with a
                    reason when unreachable, or fails when QUIZLOOP_REQUIRE_SERVICES=1.
                    Every test using it runs once per backend.
    session         one transaction per test, rolled back afterwards. Work inside runs in a
                    SAVEPOINT, so `commit()` in services or routes cannot escape the test.
                    Commit your own setup (make_user does) so that a request that fails and
                    rolls back does not undo it.
    fresh_database_url
                    function-scoped: the URL of an empty, unmigrated database on the same
                    backend as `engine` (for migration tests); dropped afterwards.
Service
    settings        `SettingsForTests` for `engine` (no environment, fixed random secret).
    app             `create_app(settings, engine=engine)`, shared by the run.
    client          a `TestClient` (lifespan run) whose requests use `session`.
Users
    make_user       make_user(role="student", email=None, password=DEFAULT_PASSWORD,
                    full_name="", is_active=True) -> User, committed into `session`.
    auth_headers    auth_headers(user) -> {"Authorization": "Bearer <access token>"}.
    instructor_headers
                    auth headers of a fresh instructor, prof@example.org.
Markers
    sandbox         needs bubblewrap: the test skips with the reason when `bwrap` is missing,
                    or fails when QUIZLOOP_REQUIRE_SERVICES=1 (see pytest_runtest_setup).
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy import Engine, make_url
from sqlmodel import Session

from api.auth.passwords import hash_password
from api.auth.tokens import issue_access_token
from api.core import migrations
from api.core.config import Settings, SettingsForTests
from api.core.db import create_db_engine, get_session, transaction
from api.main import create_app
from api.users.models import Role, User
from tests.services import require_bwrap, require_postgres

BACKENDS = ("sqlite", "postgresql")
DEFAULT_PASSWORD = "correct horse battery"
TEST_SECRET_KEY = secrets.token_urlsafe(48)


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Some sandbox tests build their own Grader (the CLI's) rather than take the `grader`
    # fixture, so the marker itself must skip them, not the fixture.
    if item.get_closest_marker("sandbox") is not None:
        require_bwrap()


class PostgresDatabases:
    """Creates and drops uniquely named databases on the test server."""

    def __init__(self, admin_url: str) -> None:
        url = make_url(admin_url)
        self.url = url
        self.conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)

    def create(self) -> str:
        name = f"quizloop_test_{secrets.token_hex(6)}"
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database or ""
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def postgres() -> PostgresDatabases:
    return PostgresDatabases(require_postgres())


@contextmanager
def _new_database(backend: str, directory: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'quizloop-{secrets.token_hex(4)}.db'}"
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres")
    url = databases.create()
    try:
        yield url
    finally:
        databases.drop(url)


@pytest.fixture(scope="session")
def engine(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Engine]:
    with _new_database(backend, tmp_path_factory.mktemp(backend), request) as url:
        engine = create_db_engine(url)
        migrations.upgrade(engine)
        yield engine
        engine.dispose()


@pytest.fixture
def fresh_database_url(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    with _new_database(backend, tmp_path, request) as url:
        yield url


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with engine.connect() as connection:
        outer = connection.begin()
        db_session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield db_session
        finally:
            db_session.close()
            outer.rollback()


@pytest.fixture(scope="session")
def settings(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return SettingsForTests(
        database_url=engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path_factory.mktemp("data"),
        secret_key=TEST_SECRET_KEY,
    )


@pytest.fixture(scope="session")
def app(settings: Settings, engine: Engine) -> FastAPI:
    return create_app(settings, engine=engine)


@pytest.fixture
def client(app: FastAPI, session: Session) -> Iterator[TestClient]:
    def session_override() -> Iterator[Session]:
        with transaction(session):
            yield session

    app.dependency_overrides[get_session] = session_override
    try:
        with TestClient(app) as test_client:
            yield test_client
    finally:
        app.dependency_overrides.pop(get_session, None)


_hashes: dict[str, str] = {}
_serial = itertools.count(1)


@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    def make(
        role: Role | str = Role.student,
        email: str | None = None,
        password: str = DEFAULT_PASSWORD,
        full_name: str = "",
        is_active: bool = True,
    ) -> User:
        role = Role(role)
        if password not in _hashes:  # argon2 is slow on purpose; tests reuse hashes
            _hashes[password] = hash_password(password)
        user = User(
            email=(email or f"{role.value}{next(_serial)}@example.org").lower(),
            full_name=full_name,
            role=role,
            hashed_password=_hashes[password],
            is_active=is_active,
        )
        session.add(user)
        session.commit()
        session.refresh(user)
        return user

    return make


@pytest.fixture
def auth_headers(settings: Settings) -> Callable[[User], dict[str, str]]:
    def headers(user: User) -> dict[str, str]:
        assert user.id is not None
        token, _ = issue_access_token(user_id=user.id, settings=settings)
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def instructor_headers(
    make_user: Callable[..., User], auth_headers: Callable[[User], dict[str, str]]
) -> dict[str, str]:
    return auth_headers(make_user(role=Role.instructor, email="prof@example.org"))
