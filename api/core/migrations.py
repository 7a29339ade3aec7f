"""Schema migrations: Alembic, driven from code so `quizloop db ...` works from any directory.

The scripts live in the repository's top-level `alembic/` folder, found relative to this
package (quizloop is installed from its checkout, `pip install -e .`). A database stamped with a
revision this code does not know (made by a newer quizloop) is refused, never "upgraded".

Usage:
    upgrade(engine)                     # to head; a no-op on an up-to-date database
    current_revision(engine)            # "20260101_1200_ab12cd34ef56" or None
    ensure_current(engine)              # raises SchemaMismatch unless at head
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

__all__ = [
    "MIGRATIONS_DIR",
    "SchemaMismatch",
    "alembic_config",
    "current_revision",
    "downgrade",
    "ensure_current",
    "head_revision",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "alembic"


class SchemaMismatch(Exception):
    """The database's schema revision is not the one this code runs on."""


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at the migration scripts (and at `engine`, if given)."""
    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise SchemaMismatch(
            f"the migration scripts are missing ({MIGRATIONS_DIR}); install quizloop from its "
            "source checkout with `pip install -e .`"
        )
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Dated names sort in the order revisions were written.
    config.set_main_option(
        "file_template",
        "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s",
    )
    if engine is not None:
        config.attributes["engine"] = engine
    return config


@cache
def _scripts() -> ScriptDirectory:
    # Parsed once per process: the scripts cannot change under a running service.
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str | None:
    """The newest revision the code knows."""
    return _scripts().get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _refuse_unknown(engine: Engine) -> str | None:
    current = current_revision(engine)
    script = _scripts()
    if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
        raise SchemaMismatch(
            f"the database is at revision {current}, which this version of quizloop does not "
            f"know (its newest is {script.get_current_head()}): it was migrated by a newer "
            "quizloop. Run that version, or restore a backup made before the upgrade."
        )
    return current


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to `revision`; refuses a database newer than the code."""
    _refuse_unknown(engine)
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to `revision` ("base" drops every table)."""
    _refuse_unknown(engine)
    command.downgrade(alembic_config(engine), revision)


def ensure_current(engine: Engine) -> None:
    """Raise `SchemaMismatch` unless the database is exactly at the code's head revision."""
    current = _refuse_unknown(engine)
    head = head_revision()
    if current != head:
        raise SchemaMismatch(
            f"the database is at revision {current or '(empty)'}, the code needs {head}: "
            "run `quizloop db upgrade`"
        )
