"""`quizloop bank import`: a bank into the database, or (with --format) GIFT/Moodle XML into a
bank folder.

`questions` owns the other `bank` commands and its own GIFT/XML import (it never touches the
database); this module gives `quizloop bank` an `import` that does both, so questions never
imports api.

Usage:
    quizloop bank import questions/banks/async-backends     # folder, .zip or .tar.gz
    quizloop bank import quiz.gift --format gift --out DIR  # questions' converter
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlmodel import Session

from api.banks import service
from api.banks.archive import InvalidArchive
from api.core.db import transaction
from api.errors import QuizloopError
from questions import cli as questions_cli

__all__ = ["bank_app", "import_shipped"]

logger = logging.getLogger("quizloop.banks")


def import_shipped(engine: Engine) -> None:
    """Import the shipped bank at start-up; a failure is logged, never fatal to serving."""
    try:
        version, created = service.import_shipped_bank(engine)
    except QuizloopError as exc:
        logger.error("the shipped bank was not imported: %s", exc)
        return
    if created:
        typer.echo(f"imported the shipped bank {version.version} (version id {version.id})")


def _describe(error: QuizloopError) -> str:
    lines = [error.detail.en]
    for field in error.errors or []:
        where = "/".join(str(part) for part in field.loc if part not in ("body", "bank"))
        line = f":{field.line}" if field.line else ""
        lines.append(f"  {where}{line}: {field.msg}")
    return "\n".join(lines)


def import_command(
    path: Annotated[
        Path, typer.Argument(help="A bank folder, .zip or .tar.gz (or, with --format, a file).")
    ],
    format: Annotated[
        questions_cli.Format | None,
        typer.Option(
            "--format", help="gift or xml: convert that file into a bank folder (needs --out)."
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="With --format: the folder to write.")] = None,
    bank_id: Annotated[str | None, typer.Option(help="With --format: the bank id.")] = None,
    language: Annotated[
        str, typer.Option(help="With --format: language of texts without language spans.")
    ] = "en",
    force: Annotated[bool, typer.Option(help="With --format: overwrite files.")] = False,
) -> None:
    """Import a bank into the database as an immutable version (the same content again is a
    no-op; changed content needs a new version number). With --format gift|xml, convert a
    GIFT or Moodle XML file into a bank folder instead."""
    if format is not None:
        if out is None:
            typer.echo("--format needs --out DIR (the bank folder to write)", err=True)
            raise typer.Exit(2)
        questions_cli.import_bank(path, format, out, bank_id, language, force)
        return
    from api.cli import _engine, _migrate, _settings

    engine = _engine(_settings())
    _migrate(engine)
    try:
        with Session(engine, expire_on_commit=False) as session, transaction(session):
            if path.is_dir():
                version, created, bank = service.import_folder(
                    session=session, path=path, source="cli"
                )
            elif path.is_file():
                version, created, bank = service.import_archive(
                    session=session, data=path.read_bytes(), user=None, source="cli"
                )
            else:
                typer.echo(f"{path}: no such folder or file", err=True)
                raise typer.Exit(1)
    except (service.InvalidBank, InvalidArchive, service.BankVersionConflict) as error:
        typer.echo(f"{path}: {_describe(error)}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    what = "imported" if created else "already imported (same content)"
    typer.echo(
        f"{bank.manifest.id} {version.version}: {what}, version id {version.id}, "
        f"{version.question_count} questions, hash {version.content_hash[:12]}"
    )


def _bank_app() -> typer.Typer:
    app = typer.Typer(help=questions_cli.app.info.help, no_args_is_help=True)
    app.registered_commands = [
        command for command in questions_cli.app.registered_commands if command.name != "import"
    ]
    app.command("import")(import_command)
    return app


bank_app = _bank_app()
