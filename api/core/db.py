"""Database plumbing: the engine, the per-request session and the column types every table shares.

SQLite (the embedded default) gets WAL, foreign keys, a busy timeout and `BEGIN IMMEDIATE`
transactions; PostgreSQL is reached through psycopg 3. A request's session is owned by
`get_session`: it commits when the route returns and rolls back when it raises, so service
functions only `flush()`.

Usage:
    engine = create_db_engine(settings.database_url)
    with Session(engine) as session, transaction(session):
        session.add(thing)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

__all__ = [
    "NAMING_CONVENTION",
    "UTCDateTime",
    "create_db_engine",
    "get_session",
    "transaction",
    "utcnow",
]

# Set before any table is declared, so every constraint in every migration has a stable,
# predictable name (Alembic can only drop what it can name).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

SQLITE_BUSY_TIMEOUT_MS = 5000


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the only kind of datetime quizloop stores)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware, on SQLite too.

    SQLite has no time zones: without this, values come back naive and comparing them with
    `utcnow()` raises.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def create_db_engine(url: str, *, foreign_keys: bool = True, **kwargs: Any) -> Engine:
    """An engine for `url` with quizloop's connection settings applied.

    `foreign_keys=False` is for SQLite migrations only: batch migrations copy tables, which
    enforced foreign keys would break half-way.

    Usage:
        engine = create_db_engine("sqlite:///data/quizloop.db")
    """
    if url.startswith("sqlite"):
        # Requests run in FastAPI's thread pool, so a pooled connection may change threads.
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, foreign_keys=foreign_keys)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine, *, foreign_keys: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _: ConnectionPoolEntry) -> None:
        # Hand transaction control to SQLAlchemy (see _on_begin); pysqlite's own implicit
        # BEGIN would break SAVEPOINTs and defer the write lock.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return
        # IMMEDIATE takes the write lock up front: concurrent writers then queue on
        # busy_timeout instead of failing with "database is locked" when a reader upgrades.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit `session` when the block succeeds, roll it back when it raises."""
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: one session and one transaction per request (see `SessionDep`)."""
    with Session(request.app.state.engine) as session, transaction(session):
        yield session
