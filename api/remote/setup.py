"""`quizloop remote students import | enrol | bank import`: setting a course up from files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.remote.app import connect, guarded, remote_app
from api.remote.output import as_json, err, table

students_app = typer.Typer(help="A course's students.", no_args_is_help=True)
bank_app = typer.Typer(help="Question banks on the server.", no_args_is_help=True)
remote_app.add_typer(students_app, name="students")
remote_app.add_typer(bank_app, name="bank")


@students_app.command("import")
@guarded
def import_students(
    ctx: typer.Context,
    course: Annotated[int, typer.Argument(help="The course's id.")],
    roster: Annotated[Path, typer.Argument(help="CSV: email, full_name, password (optional).")],
) -> None:
    """Enrol every student of a CSV roster, creating the accounts that do not exist (all or
    nothing: every bad line is reported). Generated passwords are printed once."""
    client, remote = connect(ctx)
    with client:
        enrolled = client.enrol_roster(course, roster)
    if remote.json:
        as_json(enrolled)
        return
    err(
        f"enrolled {len(enrolled.enrolled)}, already enrolled {len(enrolled.already_enrolled)}, "
        f"accounts created {len(enrolled.accounts_created)}"
    )
    if enrolled.accounts_created:
        table(
            ["email", "name", "initial password"],
            [[u.email, u.full_name, u.initial_password or ""] for u in enrolled.accounts_created],
            title="new accounts (passwords shown once)",
        )


@students_app.command("list")
@guarded
def list_students(ctx: typer.Context, course: Annotated[int, typer.Argument()]) -> None:
    """A course's students."""
    client, remote = connect(ctx)
    with client:
        rows = list(client.paginate(client.members, course, role="student"))
    if remote.json:
        as_json(rows)
        return
    table(
        ["id", "email", "name", "enrolled"],
        [[m.user_id, m.email, m.full_name, m.enrolled_at] for m in rows],
    )


@students_app.command("enrol")
@guarded
def enrol(
    ctx: typer.Context,
    course: Annotated[int, typer.Argument()],
    email: Annotated[str, typer.Argument(help="The email of an existing account.")],
) -> None:
    """Enrol one student by the email of their account."""
    client, remote = connect(ctx)
    with client:
        member = client.enrol(course, email)
    as_json(member) if remote.json else err(f"enrolled {member.email} in course {course}")


@bank_app.command("import")
@guarded
def import_bank(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A bank folder (with bank.yaml), .zip or .tar.gz.")],
) -> None:
    """Import a question bank into the server as an immutable version."""
    client, remote = connect(ctx)
    with client:
        imported = client.import_bank(path)
    if remote.json:
        as_json(imported)
        return
    version = imported.version
    state = "imported" if imported.created else "already imported"
    err(
        f"{state}: {version.get('bank')} {version.get('version')} "
        f"({version.get('question_count')} questions, version id {version.get('id')})"
    )
