"""`quizloop bank ...`: the question-bank commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Validate, derive, import and export question banks.", no_args_is_help=True)
