"""Alembic's entry point for quizloop's migrations.

Run by `quizloop db ...` (which hands over its engine) or by the `alembic` command from the
repository root (which reads the database URL from QUIZLOOP_* settings).
"""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Engine, text
from sqlalchemy.pool import NullPool

from api.core.config import get_settings
from api.core.db import UTCDateTime, create_db_engine
from api.models import metadata

config = context.config
target_metadata = metadata
# Any constant works; it only has to be the same for every quizloop process.
MIGRATION_LOCK_ID = 7_170_001


def _database_url() -> str:
    engine: Engine | None = config.attributes.get("engine")
    if engine is not None:
        return engine.url.render_as_string(hide_password=False)
    return get_settings().database_url


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    # Migrations must not import application code: write the column type the decorator wraps.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _options(dialect_name: str) -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "compare_type": True,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        "render_as_batch": dialect_name == "sqlite",
        "render_item": _render_item,
    }


def run_migrations_offline() -> None:
    url = _database_url()
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **_options(url.split(":", 1)[0].split("+", 1)[0]),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # A private engine: on SQLite, foreign keys must be off while batch mode copies tables.
    engine = create_db_engine(_database_url(), foreign_keys=False, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, **_options(connection.dialect.name))
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    # Several processes may start at once; one migrates, the others wait and
                    # then find nothing left to do.
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID}
                    )
                context.run_migrations()
            if connection.dialect.name == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
