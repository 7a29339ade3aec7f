"""`quizloop bank ...`: the question-bank commands."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated

import typer

from questions.loader import validate_bank
from questions.stats import BankStats, bank_stats

app = typer.Typer(help="Validate, derive, import and export question banks.", no_args_is_help=True)


def known_assignments(folder: Path | None) -> set[str] | None:
    """Assignment ids: the folder names in `folder`, else in graders/assignments when present.

    questions/ never imports graders/: it only looks for the folder next to the package.
    """
    if folder is None:
        spec = importlib.util.find_spec("graders")
        if spec is None or not spec.submodule_search_locations:
            return None
        folder = Path(next(iter(spec.submodule_search_locations))) / "assignments"
        if not folder.is_dir():
            return None
    return {p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}


def _print_stats(stats: BankStats) -> None:
    typer.echo("By notes section (own / with sub-sections):")
    for path in stats.by_section:
        own, total = stats.by_section[path], stats.with_subsections(path)
        flag = "   <- no question" if own == 0 else ""
        typer.echo(f"  {'  ' * (len(path) - 1)}{path[-1]}: {own} / {total}{flag}")
    typer.echo("By type: " + ", ".join(f"{t} {n}" for t, n in stats.by_type.items()))
    typer.echo("By language: " + ", ".join(f"{k} {n}" for k, n in stats.by_language.items()))
    typer.echo("By topic: " + ", ".join(f"{k} {n}" for k, n in stats.by_topic.items()))
    typer.echo("By difficulty: " + ", ".join(f"{k}: {n}" for k, n in stats.by_difficulty.items()))
    typer.echo(f"Parameterised: {stats.parameterised}; drafts: {stats.drafts}")


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="The bank folder (with bank.yaml).")],
    assignments: Annotated[
        Path | None,
        typer.Option(help="Folder of graders assignments (default: graders/assignments if found)."),
    ] = None,
) -> None:
    """Check a bank; print every problem as file:line: field: message (exit 1), or its counts."""
    known = known_assignments(assignments)
    validation = validate_bank(path, assignments=known)
    if validation.bank is None:
        for problem in validation.problems:
            typer.echo(str(Path(path) / problem.file) + str(problem)[len(problem.file) :], err=True)
        typer.echo(f"{len(validation.problems)} problem(s) found.", err=True)
        raise typer.Exit(1)
    bank = validation.bank
    stats = bank_stats(bank)
    typer.echo(f"OK: {bank.manifest.id} {bank.manifest.version}: {stats.questions} questions")
    if known is None:
        typer.echo("(assignment ids of code questions not checked: no graders/assignments found)")
    _print_stats(stats)
