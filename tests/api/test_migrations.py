"""Migrations on SQLite and PostgreSQL: up, down, up again; models match; foreign revisions."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, select

from api.core import migrations
from api.core.db import create_db_engine, transaction
from api.models import metadata
from api.users.models import Role, User

TABLES = {"users", "api_tokens", "login_attempts"}


@pytest.fixture
def fresh_engine(fresh_database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(fresh_database_url)
    yield engine
    engine.dispose()


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_and_upgrade_again(fresh_engine: Engine) -> None:
    assert migrations.current_revision(fresh_engine) is None
    migrations.upgrade(fresh_engine)
    assert tables(fresh_engine) >= TABLES
    assert migrations.current_revision(fresh_engine) == migrations.head_revision()
    migrations.downgrade(fresh_engine, "base")
    assert tables(fresh_engine) == set()
    assert migrations.current_revision(fresh_engine) is None
    migrations.upgrade(fresh_engine)
    assert tables(fresh_engine) >= TABLES
    migrations.ensure_current(fresh_engine)


def test_models_match_the_migrations(engine: Engine) -> None:
    """Autogenerate finds nothing to do: every model change came with its migration."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_every_constraint_follows_the_naming_convention(engine: Engine) -> None:
    inspector = inspect(engine)
    for table in TABLES:
        # SQLite does not keep primary key names.
        assert inspector.get_pk_constraint(table)["name"] in (f"pk_{table}", None)
        for fk in inspector.get_foreign_keys(table):
            assert fk["name"] is None or fk["name"].startswith(f"fk_{table}_")
        for unique in inspector.get_unique_constraints(table):
            assert unique["name"].startswith(f"uq_{table}_")
        for index in inspector.get_indexes(table):
            # PostgreSQL lists a unique constraint's index among the indexes.
            assert index["name"].startswith((f"ix_{table}_", f"uq_{table}_"))


def test_upgrading_an_up_to_date_database_changes_nothing(fresh_engine: Engine) -> None:
    migrations.upgrade(fresh_engine)
    with Session(fresh_engine) as session, transaction(session):
        session.add(User(email="kept@example.org", role=Role.student, hashed_password="x"))
    before = migrations.current_revision(fresh_engine)
    migrations.upgrade(fresh_engine)
    assert migrations.current_revision(fresh_engine) == before
    with Session(fresh_engine) as session:
        assert session.exec(select(User.email)).all() == ["kept@example.org"]


def test_a_database_from_a_newer_quizloop_is_refused(fresh_engine: Engine) -> None:
    migrations.upgrade(fresh_engine)
    with fresh_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
    for attempt in (
        lambda: migrations.upgrade(fresh_engine),
        lambda: migrations.downgrade(fresh_engine, "base"),
        lambda: migrations.ensure_current(fresh_engine),
    ):
        with pytest.raises(migrations.SchemaMismatch, match=r"f00dfeedbeef.*newer quizloop"):
            attempt()
    assert tables(fresh_engine) >= TABLES  # refused, not "repaired"


def test_a_database_behind_the_code_is_refused_at_start(fresh_engine: Engine) -> None:
    with pytest.raises(migrations.SchemaMismatch, match="quizloop db upgrade"):
        migrations.ensure_current(fresh_engine)


def test_sqlite_connections_use_wal_and_enforce_foreign_keys(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    finally:
        engine.dispose()


def test_sqlite_foreign_keys_are_enforced_on_migrated_tables(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'fk.db'}")
    try:
        migrations.upgrade(engine)
        with pytest.raises(Exception, match="FOREIGN KEY"), engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at) "
                    "VALUES (999, 'n', 'p', 'h', '2026-01-01 00:00:00')"
                )
            )
    finally:
        engine.dispose()


def test_concurrent_sqlite_writers_queue_instead_of_failing(tmp_path: Path) -> None:
    """A transaction that read first and writes later must not fail because another writer
    committed meanwhile (what deferred transactions do in WAL mode)."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'c.db'}")
    migrations.upgrade(engine)
    other_started = threading.Event()
    errors: list[BaseException] = []

    def other_writer() -> None:
        try:
            other_started.set()
            with Session(engine) as session, transaction(session):
                session.add(User(email="b@example.org", role=Role.student, hashed_password="x"))
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)

    try:
        with Session(engine) as session, transaction(session):
            session.exec(select(User)).all()  # this transaction reads first...
            writer = threading.Thread(target=other_writer)
            writer.start()
            other_started.wait()
            writer.join(timeout=0.2)  # ...gives the other writer a chance to get in...
            session.add(User(email="a@example.org", role=Role.student, hashed_password="x"))
        writer.join()  # ...and then writes: both must succeed
        assert errors == []
        with Session(engine) as session:
            assert sorted(session.exec(select(User.email)).all()) == [
                "a@example.org",
                "b@example.org",
            ]
    finally:
        engine.dispose()


MIGRATE = (
    "import sys; from api.core import migrations; from api.core.db import create_db_engine; "
    "migrations.upgrade(create_db_engine(sys.argv[1]))"
)


def test_processes_migrating_at_once_agree(fresh_database_url: str) -> None:
    """Several `quizloop serve` starting together: one migrates, the others find it done."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, fresh_database_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    engine = create_db_engine(fresh_database_url)
    try:
        assert migrations.current_revision(engine) == migrations.head_revision()
        assert tables(engine) >= TABLES
    finally:
        engine.dispose()
