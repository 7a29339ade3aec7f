"""`quizloop grade` and `quizloop assignments ...`: the offline grading commands.

    quizloop grade ASSIGNMENT FILE [FILE ...] [--format table|json] [--jobs N] [--seed S]
    quizloop assignments list [--lang en|zh-CN]
    quizloop assignments show ID [--lang en|zh-CN]

`grade --format json` prints one Gradescope-shaped JSON object per FILE, one per line, in the
order given. Exit status: 0 when every file got a result (a rejected or zero-score file is a
result); 1 when the grading infrastructure failed for some file (it was not graded); 2 for bad
arguments or an unknown assignment; 3 when the sandbox is unavailable.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.util
import sys
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .catalogue import LANGUAGES, Catalogue, CatalogueError, UnknownAssignment
from .grader import Grader
from .result import Result
from .sandbox.worker import SandboxUnavailable

assignments_app = typer.Typer(help="The catalogue of assignments.", no_args_is_help=True)
EXIT_INFRASTRUCTURE, EXIT_USAGE, EXIT_NO_SANDBOX = 1, 2, 3


class Format(StrEnum):
    table = "table"
    json = "json"


def _lang(value: str) -> str:
    if value not in LANGUAGES:
        raise typer.BadParameter(f"expected one of {', '.join(LANGUAGES)}")
    return value


LangOption = Annotated[
    str, typer.Option("--lang", callback=_lang, help="Language of titles and statements.")
]


def _catalogue() -> Catalogue:
    try:
        return Catalogue.load()
    except CatalogueError as exc:
        typer.echo(f"quizloop: the catalogue is broken: {exc}", err=True)
        raise typer.Exit(EXIT_INFRASTRUCTURE) from None


@assignments_app.command("list")
def list_assignments(lang: LangOption = "en") -> None:
    """List the assignments: id, title, points and checks."""
    table = Table("id", "title", "points", "checks")
    for assignment in _catalogue().values():
        checks = ", ".join(
            f"{c.id}({c.points}{'*' if c.visibility == 'hidden' else ''})"
            for c in assignment.checks
        )
        table.add_row(assignment.id, assignment.title[lang], str(assignment.max_score), checks)
    Console(width=200).print(table)
    typer.echo("* hidden check" if lang == "en" else "* 隐藏的检查")


@assignments_app.command("show")
def show_assignment(
    assignment_id: Annotated[str, typer.Argument(metavar="ID")], lang: LangOption = "en"
) -> None:
    """Print an assignment's statement (Markdown)."""
    try:
        assignment = _catalogue()[assignment_id]
    except UnknownAssignment as exc:
        typer.echo(f"quizloop: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    typer.echo(assignment.statement(lang).rstrip())


# -- grading -------------------------------------------------------------------------------------
_worker_grader: Grader | None = None
_worker_failure: SandboxUnavailable | None = None


def _init_worker() -> None:
    global _worker_grader, _worker_failure
    _worker_grader = Grader()
    multiprocessing.util.Finalize(None, _worker_grader.close, exitpriority=10)
    try:
        _worker_grader.start()
    except SandboxUnavailable as exc:  # reported by the first job, not as a broken pool
        _worker_failure = exc


def _grade_in_worker(assignment: str, data: bytes, seed: int, lang: str) -> Result:
    if _worker_failure is not None:
        raise SandboxUnavailable(str(_worker_failure))
    assert _worker_grader is not None
    return _worker_grader.grade(assignment, data, seed=seed, lang=lang)


def _read(files: list[Path]) -> list[bytes]:
    contents = []
    for path in files:
        try:
            contents.append(path.read_bytes())
        except OSError as exc:
            raise typer.BadParameter(
                f"cannot read {path}: {exc.strerror}", param_hint="FILE"
            ) from None
    return contents


def grade(
    assignment: Annotated[
        str,
        typer.Argument(
            metavar="ASSIGNMENT", help="Assignment id (see `quizloop assignments list`)."
        ),
    ],
    files: Annotated[list[Path], typer.Argument(metavar="FILE", help="Submissions to grade.")],
    output_format: Annotated[
        Format, typer.Option("--format", help="table, or one JSON object per line.")
    ] = Format.table,
    jobs: Annotated[
        int, typer.Option("--jobs", min=1, max=64, help="Files graded in parallel.")
    ] = 1,
    seed: Annotated[
        int, typer.Option("--seed", help="Scenario and schedule seed (replays a run).")
    ] = 0,
    lang: LangOption = "en",
) -> None:
    """Grade files of students' code against an assignment's checks, in the sandbox."""
    try:
        _catalogue()[assignment]
    except UnknownAssignment as exc:
        raise typer.BadParameter(str(exc), param_hint="ASSIGNMENT") from None
    contents = _read(files)
    try:
        results = _grade_all(assignment, files, contents, output_format, jobs, seed, lang)
    except SandboxUnavailable as exc:
        typer.echo(f"quizloop: {exc}", err=True)
        raise typer.Exit(EXIT_NO_SANDBOX) from None
    if output_format is Format.table:
        _print_table(files, results, lang)
    if any(not r.gradable for r in results):
        raise typer.Exit(EXIT_INFRASTRUCTURE)


def _grade_all(
    assignment: str,
    files: list[Path],
    contents: list[bytes],
    output_format: Format,
    jobs: int,
    seed: int,
    lang: str,
) -> list[Result]:
    progress = Progress(
        TextColumn("grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=output_format is Format.json,
        transient=True,
    )
    results: list[Result | None] = [None] * len(files)
    printed = 0

    def deliver(index: int, result: Result) -> None:
        nonlocal printed
        results[index] = result
        progress.advance(task)
        while output_format is Format.json and printed < len(files) and results[printed]:
            done = results[printed]
            assert done is not None
            sys.stdout.write(
                json.dumps(done.to_dict(file=str(files[printed])), ensure_ascii=False) + "\n"
            )
            sys.stdout.flush()
            printed += 1

    with progress:
        task = progress.add_task("grading", total=len(files))
        if jobs == 1 or len(files) == 1:
            with Grader() as grader:
                for index, data in enumerate(contents):
                    deliver(index, grader.grade(assignment, data, seed=seed, lang=lang))
        else:
            context = multiprocessing.get_context("spawn")
            workers = min(jobs, len(files))
            with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker) as pool:
                pending: dict[Future[Result], int] = {
                    pool.submit(_grade_in_worker, assignment, data, seed, lang): index
                    for index, data in enumerate(contents)
                }
                for future in as_completed(pending):
                    deliver(pending[future], future.result())
    return [r for r in results if r is not None]


def _print_table(files: list[Path], results: list[Result], lang: str) -> None:
    table = Table("file", "status", "score", "failed checks")
    for path, result in zip(files, results, strict=True):
        failed = ", ".join(t.name for t in result.tests if t.status == "failed") or "-"
        status = result.status if result.gradable else "error (not gradable)"
        table.add_row(str(path), status, f"{result.score}/{result.max_score}", failed)
    Console(width=200).print(table)
