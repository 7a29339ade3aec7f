"""The `quizloop` command: dispatches to the service (api), the banks (questions) and grading."""

from __future__ import annotations

import sys
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from api.banks.cli import bank_app, import_shipped
from api.core import migrations
from api.core.config import Settings, SettingsError, get_settings
from api.core.db import create_db_engine, transaction
from api.core.logging import configure_logging, log_config
from api.errors import EmailTaken
from api.remote import remote_app
from api.users import service as users
from api.users.models import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, Role, UserCreate
from graders.cli import assignments_app, grade

app = typer.Typer(help="quizloop: quizzes and concurrency-aware grading.", no_args_is_help=True)
app.add_typer(bank_app, name="bank")
app.add_typer(assignments_app, name="assignments")
app.command("grade")(grade)
db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")
user_app = typer.Typer(help="Accounts.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(remote_app, name="remote")  # the service over HTTP: api/remote/


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"quizloop: {message}", err=True)
    raise typer.Exit(code)


def _settings() -> Settings:
    try:
        return get_settings()
    except SettingsError as exc:
        _fail(str(exc), code=2)


def _engine(settings: Settings) -> Engine:
    return create_db_engine(settings.database_url)


def _migrate(engine: Engine, revision: str = "head") -> None:
    try:
        migrations.upgrade(engine, revision)
    except migrations.SchemaMismatch as exc:
        _fail(str(exc))
    except OperationalError as exc:
        _fail(f"cannot reach the database: {exc.orig or exc}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="uvicorn worker processes.")] = 1,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(help="Proxies trusted for X-Forwarded-For (uvicorn's option), e.g. '*'."),
    ] = None,
) -> None:
    """Migrate the database, then serve the API (docs at /docs)."""
    import uvicorn

    settings = _settings()
    configure_logging(settings.log_level)
    engine = _engine(settings)
    _migrate(engine)
    import_shipped(engine)
    engine.dispose()
    uvicorn.run(
        "api.main:app",
        host=host,
        port=port,
        workers=workers,
        log_config=log_config(settings.log_level),
        access_log=False,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
    )


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Migrate the database up (to the newest revision by default)."""
    engine = _engine(_settings())
    _migrate(engine, revision)
    typer.echo(f"database at {migrations.current_revision(engine)}")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision: an id, -1, or base.")],
) -> None:
    """Migrate the database down. `base` drops every quizloop table and its data."""
    engine = _engine(_settings())
    try:
        migrations.downgrade(engine, revision)
    except migrations.SchemaMismatch as exc:
        _fail(str(exc))
    typer.echo(f"database at {migrations.current_revision(engine) or 'base (empty)'}")


@db_app.command("current")
def db_current() -> None:
    """Print the database's revision and the code's newest."""
    engine = _engine(_settings())
    try:
        current = migrations.current_revision(engine)
    except OperationalError as exc:
        _fail(f"cannot reach the database: {exc.orig or exc}")
    head = migrations.head_revision()
    state = "up to date" if current == head else "needs `quizloop db upgrade`"
    typer.echo(f"database: {current or 'base (empty)'}\ncode:     {head}\n{state}")


def _read_password() -> str:
    if sys.stdin.isatty():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    # Piped: the first line is the password (so scripts can `echo "$PW" | quizloop user create`).
    return sys.stdin.readline().rstrip("\r\n")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Argument(help="The account's email (its login).")],
    role: Annotated[Role, typer.Option(help="instructor or student.")] = Role.student,
    name: Annotated[str, typer.Option(help="Full name.")] = "",
) -> None:
    """Create an account. Prompts for the password, or reads it from standard input."""
    settings = _settings()
    password = _read_password()
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        _fail(f"the password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters")
    try:
        user_in = UserCreate(email=email, full_name=name, role=role, password=password)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        _fail(problems)
    engine = _engine(settings)
    _migrate(engine)
    try:
        with Session(engine) as session, transaction(session):
            user, _ = users.create_user(session=session, user_in=user_in)
            user_id = user.id
    except EmailTaken:
        _fail(f"{user_in.email} already has an account")
    typer.echo(f"created {role.value} {user_in.email} (id {user_id})")


@app.command()
def worker(
    concurrency: Annotated[
        int, typer.Option(min=0, max=256, help="Grading processes (0: one per core).")
    ] = 0,
    name: Annotated[
        str | None, typer.Option(help="Node name, unique per machine (default quizloop-PID@host).")
    ] = None,
) -> None:
    """Run a grading worker for QUIZLOOP_GRADING_BACKEND=celery: it takes jobs from
    QUIZLOOP_BROKER_URL and writes results to QUIZLOOP_DATABASE_URL. Start any number, on
    any number of machines. Refuses to start without bubblewrap (exit 3) unless
    QUIZLOOP_GRADING_UNSAFE_NO_SANDBOX=1."""
    import os

    from api.grading.tasks import QUEUE, make_celery
    from graders import Grader, SandboxUnavailable

    settings = _settings()
    try:  # a worker that cannot grade would only take jobs from the ones that can
        with Grader(unsafe_no_sandbox=settings.grading_unsafe_no_sandbox) as grader:
            grader.start()
    except SandboxUnavailable as exc:
        _fail(str(exc), code=3)
    engine = _engine(settings)
    try:
        migrations.ensure_current(engine)
    except migrations.SchemaMismatch as exc:
        _fail(str(exc))
    except OperationalError as exc:
        _fail(f"cannot reach the database: {exc.orig or exc}")
    finally:
        engine.dispose()
    processes = concurrency or len(os.sched_getaffinity(0))
    make_celery(settings).worker_main(
        [
            "worker",
            "--pool=prefork",
            f"--concurrency={processes}",
            f"--hostname={name or f'quizloop-{os.getpid()}@%h'}",
            f"--queues={QUEUE}",
            f"--loglevel={settings.log_level}",
            "--without-gossip",
            "--without-mingle",
        ]
    )


def main() -> None:
    app()
