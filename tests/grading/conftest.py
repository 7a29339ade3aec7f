"""Fixtures of the grading queue's tests (submissions, local pool, celery, regrades).

The queue is exercised across threads and processes (a pool's worker processes, celery
workers, a second service), which must see committed rows: these tests do not use the
rolled-back `session` of tests/conftest.py but a database of their own per module and
backend (SQLite file, or a fresh PostgreSQL database), where every write commits.

grading_db      module-scoped: (engine, url) of a migrated database on `backend`, with the
                shipped bank imported.
bank_version    that bank's version id.
quiet_queue     autouse: jobs a previous test left unfinished are ended first, so a test's
                pool only sees its own.
serve           serve(**settings) -> a started TestClient on a fresh app over grading_db
                (QUIZLOOP_GRADING_WORKERS=0 unless told: nothing grades; no rate limit to speak of).
school          a School (tests/grading/school.py) on a non-grading app.
live            live(**settings) -> a LiveServer: the app served by uvicorn in a thread.
grader          a warm sandboxed Grader (bubblewrap required).
broker          the Redis URL for celery tests (database 15), flushed; needs bubblewrap too.
workers         Workers (tests/grading/running.py): `quizloop worker` processes on
                grading_db and broker, killed at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from api.banks import service as banks
from api.banks.models import BankVersion
from api.core import migrations
from api.core.db import create_db_engine
from api.grading.models import GradingJob, JobStatus
from api.main import create_app
from graders import Grader
from questions import load_bank
from tests.conftest import PostgresDatabases
from tests.grading.running import LiveServer, Workers, settings_for
from tests.grading.school import School
from tests.services import require_bwrap, require_redis


@pytest.fixture(scope="module")
def grading_db(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[tuple[Engine, str]]:
    postgres: PostgresDatabases | None = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('grading') / 'quizloop.db'}"
    else:
        postgres = request.getfixturevalue("postgres")
        url = postgres.create()
    engine = create_db_engine(url)
    try:
        migrations.upgrade(engine)
        with Session(engine) as session:
            banks.import_bank(session=session, bank=load_bank(banks.SHIPPED_BANK), source="shipped")
            session.commit()
        yield engine, url
    finally:
        engine.dispose()
        if postgres is not None:
            postgres.drop(url)


@pytest.fixture
def bank_version(grading_db: tuple[Engine, str]) -> int:
    with Session(grading_db[0]) as session:
        version = session.exec(select(BankVersion.id)).first()
    assert version is not None
    return version


@pytest.fixture(autouse=True)
def quiet_queue(request: pytest.FixtureRequest) -> None:
    if "grading_db" not in request.fixturenames:
        return
    engine, _ = request.getfixturevalue("grading_db")
    with Session(engine) as session:
        session.execute(
            update(GradingJob)
            .where(GradingJob.status.in_((JobStatus.queued, JobStatus.running)))  # type: ignore[attr-defined]
            .values(status=JobStatus.not_gradable, reason="test-reset")
        )
        session.commit()


@pytest.fixture
def serve(grading_db: tuple[Engine, str], tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    engine, url = grading_db
    with ExitStack() as stack:

        def start(**overrides: Any) -> TestClient:
            app = create_app(settings_for(url, tmp_path, **overrides), engine=engine)
            return stack.enter_context(TestClient(app))

        yield start


@pytest.fixture
def school(
    serve: Callable[..., TestClient], grading_db: tuple[Engine, str], bank_version: int
) -> School:
    client = serve()
    return School.open(client=client, engine=grading_db[0], bank_version=bank_version)


@pytest.fixture(scope="session")
def grader() -> Iterator[Grader]:
    require_bwrap()
    with Grader(unsafe_no_sandbox=False) as grader:
        grader.start()
        yield grader


@pytest.fixture
def broker() -> str:
    url = require_redis()
    require_bwrap()
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def workers(grading_db: tuple[Engine, str], broker: str, tmp_path: Path) -> Iterator[Workers]:
    started = Workers(grading_db[1], broker, tmp_path)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def live(grading_db: tuple[Engine, str], tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    servers: list[LiveServer] = []

    def start(**settings: Any) -> LiveServer:
        server = LiveServer(grading_db[0], grading_db[1], tmp_path, **settings).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()
