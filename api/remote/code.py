"""`quizloop remote submit | watch | submissions | requeue | regrade`: code through the
grading queue, watched live (server-sent events)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.client import Client, ConfigError
from api.client.models import Regrade, Submission
from api.i18n import Text
from api.remote.app import connect, guarded, remote_app, say
from api.remote.output import as_json, err, number, progress, table

STATUS = {
    "queued": Text(en="queued", zh="排队中"),
    "running": Text(en="running", zh="评测中"),
    "graded": Text(en="graded", zh="已评分"),
    "not_gradable": Text(en="not gradable", zh="无法评测"),
    "rejected": Text(en="rejected", zh="已拒绝"),
}
SUBMITTED = Text(en="Submission {id} accepted.", zh="提交 {id} 已受理。")
SCORE = Text(en="Score: {score} / {max}", zh="得分：{score} / {max}")
NOT_GRADABLE = Text(
    en="We could not grade this (not your fault); it will be retried or your instructor can "
    "re-queue it.",
    zh="暂时无法评测（不是你的问题）；系统会重试，教师也可以重新排队。",
)
CHECKS = Text(en="check,status,score", zh="检查,结果,得分")
UNREADABLE = Text(en="cannot read {path}: {reason}", zh="无法读取 {path}：{reason}")


def _status(ctx: typer.Context, status: str) -> str:
    return say(ctx, STATUS[status]) if status in STATUS else status


def _show(ctx: typer.Context, submission: Submission) -> None:
    typer.echo(f"{submission.id}: {_status(ctx, submission.status)}")
    if submission.message:
        typer.echo(submission.message)
    if submission.status == "not_gradable":
        typer.echo(say(ctx, NOT_GRADABLE))
    if submission.score is not None:
        score, top = number(submission.score), number(submission.max_score)
        typer.echo(say(ctx, SCORE.format(score=score, max=top)))
    if submission.tests:
        table(
            say(ctx, CHECKS).split(","),
            [
                [t.name, t.status, f"{number(t.score)} / {number(t.max_score)}"]
                for t in submission.tests
            ],
        )


def _follow(
    ctx: typer.Context, client: Client, submission_id: int, timeout: float | None
) -> Submission:
    final = None
    for state in client.watch_submission(submission_id, timeout=timeout):
        err(f"{state.id}: {_status(ctx, state.status)}")
        final = state
    assert final is not None
    return final


Timeout = Annotated[
    float | None, typer.Option(help="Give up watching after this many seconds (exit 4).")
]


@remote_app.command()
@guarded
def submit(
    ctx: typer.Context,
    attempt: Annotated[int, typer.Argument(help="The attempt's id.")],
    position: Annotated[int, typer.Argument(help="The code question's position (1, 2...).")],
    file: Annotated[Path, typer.Argument(help="The Python file to submit.")],
    watch: Annotated[bool, typer.Option(help="Watch it until it is graded.")] = True,
    timeout: Timeout = None,
) -> None:
    """Submit a file for a code question of your attempt (and watch it being graded)."""
    try:
        source = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(say(ctx, UNREADABLE.format(path=file, reason=reason))) from None
    client, remote = connect(ctx)
    with client:
        submission = client.submit(attempt, position, source)
        err(say(ctx, SUBMITTED.format(id=submission.id)))
        if watch and not submission.finished:
            submission = _follow(ctx, client, submission.id, timeout)
    as_json(submission) if remote.json else _show(ctx, submission)


@remote_app.command()
@guarded
def watch(
    ctx: typer.Context,
    submission: Annotated[int, typer.Argument(help="The submission's id.")],
    timeout: Timeout = None,
) -> None:
    """Follow a submission live until it is graded (or found not gradable)."""
    client, remote = connect(ctx)
    with client:
        final = _follow(ctx, client, submission, timeout)
    as_json(final) if remote.json else _show(ctx, final)


@remote_app.command()
@guarded
def submissions(
    ctx: typer.Context,
    course: Annotated[int, typer.Argument(help="The course's id.")],
    status: Annotated[str | None, typer.Option(help="queued, running, graded...")] = None,
    assignment: Annotated[str | None, typer.Option(help="An assignment id.")] = None,
    student: Annotated[int | None, typer.Option(help="A student's id.")] = None,
    quiz: Annotated[int | None, typer.Option(help="A quiz's id.")] = None,
) -> None:
    """A course's submissions (instructors), newest first."""
    client, remote = connect(ctx)
    with client, progress() as bar:
        task = bar.add_task("submissions", total=None)
        rows = list(
            client.paginate(
                client.submissions,
                course,
                status=status,
                assignment_id=assignment,
                student_id=student,
                quiz_id=quiz,
                on_page=lambda done, count: bar.update(task, completed=done, total=count),
            )
        )
    if remote.json:
        as_json(rows)
        return
    table(
        ["id", "student", "attempt", "position", "assignment", "status", "score", "created"],
        [
            [
                s.id,
                s.student_id,
                s.attempt_id,
                s.position,
                s.assignment_id,
                s.status,
                f"{number(s.score)} / {number(s.max_score)}",
                s.created_at,
            ]
            for s in rows
        ],
    )


@remote_app.command()
@guarded
def requeue(
    ctx: typer.Context, submission: Annotated[int, typer.Argument(help="The submission's id.")]
) -> None:
    """Queue a not-gradable (or stuck) submission again (instructors)."""
    client, remote = connect(ctx)
    with client:
        queued = client.requeue(submission)
    as_json(queued) if remote.json else _show(ctx, queued)


@remote_app.command()
@guarded
def regrade(
    ctx: typer.Context,
    submission: Annotated[int | None, typer.Option(help="One submission.")] = None,
    quiz: Annotated[int | None, typer.Option(help="With --question: a quiz's question.")] = None,
    question: Annotated[str | None, typer.Option(help="The bank question's id.")] = None,
    course: Annotated[
        int | None, typer.Option(help="With --assignment: every submission of a course.")
    ] = None,
    assignment: Annotated[str | None, typer.Option(help="The assignment's id.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Grade again, change nothing: what would change.")
    ] = False,
    wait: Annotated[bool, typer.Option(help="Follow its progress until done.")] = True,
) -> None:
    """Regrade one submission, a question of a quiz, or an assignment in a course, through
    the queue, with a progress bar; a dry run lists the scores that would change."""
    client, remote = connect(ctx)
    with client:
        job = client.regrade(
            dry_run=dry_run,
            submission_id=submission,
            quiz_id=quiz,
            question_id=question,
            course_id=course,
            assignment_id=assignment,
        )
        if wait and not job.finished:
            with progress() as bar:
                task = bar.add_task(f"regrade {job.id}", total=job.total or None)
                for state in client.watch_regrade(job.id):
                    job = state
                    bar.update(task, completed=job.done, total=job.total or None)
    if remote.json:
        as_json(job)
        return
    _summary(job)


def _summary(job: Regrade) -> None:
    kind = "dry run" if job.dry_run else "regrade"
    typer.echo(f"{kind} {job.id}: {job.status}, {job.done}/{job.total} done, {job.failed} failed")
    if job.changed:
        table(
            ["submission", "student", "old", "new", "overridden"],
            [
                [
                    c.submission_id,
                    c.student_id,
                    number(c.old_score),
                    number(c.new_score),
                    "yes" if c.overridden else "",
                ]
                for c in job.changed
            ],
            title="would change" if job.dry_run else "changed",
        )
