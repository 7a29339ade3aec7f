"""`quizloop bank ...`: the question-bank commands."""

from __future__ import annotations

import importlib.util
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from questions.derive import derive_bank
from questions.gift import export_gift, import_gift
from questions.loader import validate_bank
from questions.models import Manifest
from questions.moodle_xml import export_moodle_xml, import_moodle_xml
from questions.stats import BankStats, bank_stats
from questions.variants import render_variant
from questions.writer import write_bank

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
    found = {p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    return found or None  # an empty folder is a catalogue still being written, not "no ids"


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
    _report(path, known_assignments(assignments))


@app.command()
def derive(
    notes: Annotated[Path, typer.Argument(help="Markdown notes to derive questions from.")],
    out: Annotated[Path, typer.Option(help="Folder to write the draft bank into.")],
    bank_id: Annotated[
        str | None, typer.Option(help="Bank id (default: from the file name).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite files that already exist.")] = False,
) -> None:
    """Derive a draft bank (every item `status: draft`) from Markdown notes, then validate it."""
    try:
        text = notes.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        typer.echo(f"cannot read {notes}: {error}", err=True)
        raise typer.Exit(1) from None
    slug = re.sub(r"[^a-z0-9]+", "-", notes.stem.lower()).strip("-") or "derived"
    manifest, questions = derive_bank(text, bank_id=bank_id or slug, notes_file=notes.name)
    try:
        write_bank(out, manifest, questions, notes=(notes.name, text), replace=force)
    except FileExistsError as error:
        typer.echo(f"{error} (use --force to replace)", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Wrote {len(questions)} draft questions to {out}")
    _report(out, known_assignments(None))


def _report(path: Path, known: set[str] | None) -> None:
    """Validate `path` and print the outcome; exit 1 on problems."""
    validation = validate_bank(path, assignments=known)
    if validation.bank is None:
        for problem in validation.problems:
            typer.echo(f"{path / problem.file}{str(problem)[len(problem.file) :]}", err=True)
        typer.echo(f"{len(validation.problems)} problem(s) found.", err=True)
        raise typer.Exit(1)
    bank = validation.bank
    stats = bank_stats(bank)
    typer.echo(f"OK: {bank.manifest.id} {bank.manifest.version}: {stats.questions} questions")
    if known is None:
        typer.echo("(assignment ids of code questions not checked: no graders/assignments found)")
    _print_stats(stats)


class Format(StrEnum):
    gift = "gift"
    xml = "xml"


@app.command("export")
def export_bank(
    path: Annotated[Path, typer.Argument(help="The bank folder.")],
    format: Annotated[Format, typer.Option("--format", help="gift or xml (Moodle XML).")],
    out: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output).")
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Seed of the variant parameterised questions become.")
    ] = 0,
) -> None:
    """Export a bank to Moodle GIFT or Moodle XML; questions the format cannot hold are listed."""
    validation = validate_bank(path)
    if validation.bank is None:
        typer.echo(
            f"{path} has {len(validation.problems)} problem(s); run `quizloop bank validate`.",
            err=True,
        )
        raise typer.Exit(1)
    exporter = export_gift if format is Format.gift else export_moodle_xml
    report = exporter(validation.bank, seed=seed)
    if out is None:
        typer.echo(report.text, nl=False)
    else:
        out.write_text(report.text, encoding="utf-8")
    for question_id, reason in report.skipped:
        typer.echo(f"skipped {question_id}: {reason}", err=True)
    typer.echo(f"exported {report.exported} question(s), skipped {len(report.skipped)}", err=True)


@app.command("import")
def import_bank(
    file: Annotated[Path, typer.Argument(help="A GIFT or Moodle XML file.")],
    format: Annotated[Format, typer.Option("--format", help="gift or xml (Moodle XML).")],
    out: Annotated[Path, typer.Option(help="Folder to write the bank into.")],
    bank_id: Annotated[
        str | None, typer.Option(help="Bank id (default: from the file name).")
    ] = None,
    language: Annotated[str, typer.Option(help="Language of texts without language spans.")] = "en",
    force: Annotated[bool, typer.Option(help="Overwrite files that already exist.")] = False,
) -> None:
    """Import a GIFT or Moodle XML file as a bank folder; nothing is written if it has errors."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        typer.echo(f"cannot read {file}: {error}", err=True)
        raise typer.Exit(1) from None
    languages = ("zh-CN", "en")
    reader = import_gift if format is Format.gift else import_moodle_xml
    report = reader(text, languages=languages, default_language=language)
    for line, reason in report.skipped:
        typer.echo(f"{file}:{line}: skipped: {reason}", err=True)
    ids = [q.id for q in report.questions]
    problems = list(report.problems)
    problems += [
        (0, f"the id {i!r} appears more than once")
        for i in sorted({i for i in ids if ids.count(i) > 1})
    ]
    if problems:
        for line, message in problems:
            typer.echo(f"{file}:{line}: {message}", err=True)
        typer.echo(f"{len(problems)} problem(s); nothing was written.", err=True)
        raise typer.Exit(1)
    slug = re.sub(r"[^a-z0-9]+", "-", (bank_id or file.stem).lower()).strip("-") or "imported"
    manifest = Manifest(
        id=slug, title=dict.fromkeys(languages, file.stem), version="0.1.0", languages=languages
    )
    try:
        write_bank(out, manifest, report.questions, replace=force)
    except FileExistsError as error:
        typer.echo(f"{error} (use --force to replace)", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Imported {len(report.questions)} question(s) into {out}")
    _report(out, None)


@app.command()
def render(
    path: Annotated[Path, typer.Argument(help="The bank folder.")],
    question_id: Annotated[str, typer.Argument(help="The question to render.")],
    seed: Annotated[int, typer.Option(help="The variant's seed.")] = 0,
    language: Annotated[str | None, typer.Option(help="One language (default: all).")] = None,
) -> None:
    """Preview one variant as a student sees it, then its key (for authors)."""
    validation = validate_bank(path)
    if validation.bank is None:
        typer.echo(
            f"{path} has {len(validation.problems)} problem(s); run `quizloop bank validate`.",
            err=True,
        )
        raise typer.Exit(1)
    if question_id not in validation.bank.questions:
        typer.echo(f"no question {question_id!r} in {path}", err=True)
        raise typer.Exit(1)
    variant = render_variant(validation.bank, question_id, seed, language=language)
    typer.echo("Student sees:")
    typer.echo(variant.student.model_dump_json(indent=2, exclude_defaults=True))
    typer.echo("Key (server only):")
    typer.echo(variant.key.model_dump_json(indent=2))
