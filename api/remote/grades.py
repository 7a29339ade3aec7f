"""`quizloop remote attempts | results | scores | override | clear-override | audit | export |
stats`: reading and correcting grades (instructors)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from api.client import Client
from api.client.models import ItemScore
from api.i18n import Text
from api.remote.app import connect, guarded, remote_app, say
from api.remote.output import as_json, err, number, progress, table

ATTEMPT_HEADERS = Text(
    en="id,student,number,status,score,pending,submitted",
    zh="编号,学生,第几次,状态,得分,待评测,提交时间",
)


def _all(client: Client, fetch: Any, *args: Any, label: str, **kwargs: Any) -> list[Any]:
    """Every row of a list, with a progress bar over its pages."""
    with progress() as bar:
        task = bar.add_task(label, total=None)
        return list(
            client.paginate(
                fetch,
                *args,
                on_page=lambda done, count: bar.update(task, completed=done, total=count),
                **kwargs,
            )
        )


@remote_app.command()
@guarded
def courses(ctx: typer.Context) -> None:
    """Your courses."""
    client, remote = connect(ctx)
    with client:
        rows = _all(client, client.courses, label="courses")
    if remote.json:
        as_json(rows)
        return
    table(
        ["id", "title", "students", "join code"],
        [[c.id, _title(c.title, remote.lang), c.students, c.join_code] for c in rows],
    )


def _title(title: dict[str, str] | str, lang: str) -> str:
    return title if isinstance(title, str) else title.get(lang) or next(iter(title.values()), "")


@remote_app.command()
@guarded
def quizzes(ctx: typer.Context, course: Annotated[int, typer.Argument()]) -> None:
    """A course's quizzes."""
    client, remote = connect(ctx)
    with client:
        rows = _all(client, client.quizzes, course, label="quizzes")
    if remote.json:
        as_json(rows)
        return
    table(
        ["id", "title", "status", "questions", "points", "opens", "closes"],
        [
            [
                q.id,
                _title(q.title, remote.lang),
                q.status or q.state,
                q.questions,
                number(q.total_points),
                q.opens_at,
                q.closes_at,
            ]
            for q in rows
        ],
    )


@remote_app.command()
@guarded
def attempts(
    ctx: typer.Context,
    quiz: Annotated[int, typer.Argument()],
    student: Annotated[int | None, typer.Option(help="Only this student's.")] = None,
    status: Annotated[str | None, typer.Option(help="in_progress or submitted.")] = None,
) -> None:
    """A quiz's attempts (yours, for a student)."""
    client, remote = connect(ctx)
    with client:
        rows = _all(
            client, client.attempts, quiz, student_id=student, status=status, label="attempts"
        )
    if remote.json:
        as_json(rows)
        return
    table(
        say(ctx, ATTEMPT_HEADERS).split(","),
        [
            [
                a.id,
                a.student_id,
                a.number,
                a.status,
                f"{number(a.score)} / {number(a.max_score)}",
                a.pending,
                a.submitted_at,
            ]
            for a in rows
        ],
    )


@remote_app.command()
@guarded
def results(ctx: typer.Context, quiz: Annotated[int, typer.Argument()]) -> None:
    """Each student's counted score in a quiz."""
    client, remote = connect(ctx)
    with client:
        rows = _all(client, client.results, quiz, label="results")
    if remote.json:
        as_json(rows)
        return
    table(
        ["student", "email", "attempts", "counted", "score", "pending"],
        [
            [r.student_id, r.email, r.attempts, r.counted_attempt, number(r.score), r.pending]
            for r in rows
        ],
    )


def _scores(items: list[ItemScore]) -> None:
    table(
        ["position", "question", "automatic", "override", "score", "of", "status"],
        [
            [
                i.position,
                i.question_id,
                number(i.automatic_points),
                number(i.override_points) if i.overridden else "",
                number(i.score),
                number(i.max_points),
                i.status,
            ]
            for i in items
        ],
    )


@remote_app.command()
@guarded
def scores(ctx: typer.Context, attempt: Annotated[int, typer.Argument()]) -> None:
    """An attempt's item scores: automatic, override, and the points that count."""
    client, remote = connect(ctx)
    with client:
        found = client.scores(attempt)
    if remote.json:
        as_json(found)
        return
    _scores(found.items)
    typer.echo(f"total {number(found.score)} / {number(found.max_score)}")


Reason = Annotated[str, typer.Option(help="Why (kept in the quiz's audit trail).")]


@remote_app.command()
@guarded
def override(
    ctx: typer.Context,
    attempt: Annotated[int, typer.Argument()],
    position: Annotated[int, typer.Argument()],
    points: Annotated[float, typer.Argument(min=0)],
    reason: Reason,
) -> None:
    """Hold an item's score at POINTS until cleared, whatever regrades say."""
    client, remote = connect(ctx)
    with client:
        item = client.override(attempt, position, points=points, reason=reason)
    as_json(item) if remote.json else _scores([item])


@remote_app.command("clear-override")
@guarded
def clear_override(
    ctx: typer.Context,
    attempt: Annotated[int, typer.Argument()],
    position: Annotated[int, typer.Argument()],
    reason: Reason,
) -> None:
    """Go back to the automatic score of an item."""
    client, remote = connect(ctx)
    with client:
        item = client.clear_override(attempt, position, reason=reason)
    as_json(item) if remote.json else _scores([item])


@remote_app.command()
@guarded
def audit(
    ctx: typer.Context,
    quiz: Annotated[int, typer.Argument()],
    student: Annotated[int | None, typer.Option(help="Only this student's entries.")] = None,
    attempt: Annotated[int | None, typer.Option(help="Only this attempt's entries.")] = None,
) -> None:
    """A quiz's audit trail of overrides, newest first."""
    client, remote = connect(ctx)
    with client:
        rows = _all(
            client, client.audit, quiz, student_id=student, attempt_id=attempt, label="audit"
        )
    if remote.json:
        as_json(rows)
        return
    table(
        ["when", "who", "attempt", "position", "action", "old", "new", "reason"],
        [
            [
                e.created_at.isoformat(timespec="seconds"),
                e.actor_email,
                e.attempt_id,
                e.position,
                e.action,
                number(e.old_points),
                number(e.new_points),
                e.reason,
            ]
            for e in rows
        ],
    )


class Format(StrEnum):
    csv = "csv"
    json = "json"


class Layout(StrEnum):
    canvas = "canvas"
    moodle = "moodle"


@remote_app.command()
@guarded
def export(
    ctx: typer.Context,
    quiz: Annotated[int | None, typer.Argument(help="A quiz (or --course).")] = None,
    course: Annotated[int | None, typer.Option(help="The whole course: a column per quiz.")] = None,
    export_format: Annotated[Format, typer.Option("--format", help="csv or json.")] = Format.csv,
    layout: Annotated[
        Layout, typer.Option(help="CSV columns for Canvas or Moodle.")
    ] = Layout.canvas,
    items: Annotated[bool, typer.Option(help="A column per quiz item (quiz CSV).")] = True,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
    ] = None,
) -> None:
    """Export a gradebook: a row per student, CSV for a Canvas or Moodle import, or JSON."""
    if (quiz is None) == (course is None):
        raise typer.BadParameter("give a QUIZ or --course (one of them)")
    client, _ = connect(ctx)
    with client:
        if export_format == Format.csv:
            text = (
                client.gradebook_csv(quiz, layout=layout.value, items=items)
                if quiz is not None
                else client.course_gradebook_csv(course or 0, layout=layout.value)
            )
        else:
            book: Any = (
                client.gradebook(quiz) if quiz is not None else client.course_gradebook(course or 0)
            )
            text = book.model_dump_json(indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    # The byte-order mark tells spreadsheets the file is UTF-8 (Chinese names).
    output.write_text(("\ufeff" if export_format == Format.csv else "") + text, encoding="utf-8")
    err(f"wrote {output}")


@remote_app.command()
@guarded
def stats(
    ctx: typer.Context,
    quiz: Annotated[int, typer.Argument()],
    every: Annotated[
        bool, typer.Option("--all", help="Every submitted attempt, not only the counted ones.")
    ] = False,
) -> None:
    """Item statistics: facility, discrimination, option counts."""
    client, remote = connect(ctx)
    with client:
        found = client.statistics(quiz, attempts="all" if every else "counted")
    if remote.json:
        as_json(found)
        return
    typer.echo(
        f"{found.n} attempts; total mean {number(found.mean)} / {number(found.max_score)}, "
        f"sd {number(found.sd)}, median {number(found.median)}"
    )
    table(
        ["question", "type", "n", "mean", "facility", "discrimination", "options"],
        [
            [
                q.question_id,
                q.question_type,
                q.n,
                number(q.mean),
                number(q.facility),
                number(q.discrimination),
                " ".join(f"{o.id}{'*' if o.correct else ''}:{o.count}" for o in q.options or []),
            ]
            for q in found.questions
        ],
    )
