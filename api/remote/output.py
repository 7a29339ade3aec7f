"""Printing for `quizloop remote`: tables for people, JSON for scripts (--json), messages and
progress bars on standard error so that standard output stays data only."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

__all__ = ["as_json", "err", "number", "progress", "table"]

WIDTH = 160


def err(message: str) -> None:
    typer.echo(message, err=True)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def as_json(value: Any) -> None:
    """`value` (a model, or a list of them) as JSON on standard output."""
    typer.echo(json.dumps(_plain(value), ensure_ascii=False, indent=2))


def number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4f}".rstrip("0").rstrip(".") or "0"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None) -> None:
    """Rows as a table on standard output."""
    shown = Table(*headers, title=title)
    for row in rows:
        shown.add_row(*("-" if v is None else str(v) for v in row))
    Console(width=WIDTH).print(shown)


def progress() -> Progress:
    """A progress bar on standard error (invisible when it is not a terminal)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
