"""`quizloop grade` and `quizloop assignments ...`: the offline grading commands."""

from __future__ import annotations

import typer

assignments_app = typer.Typer(help="The catalogue of assignments.", no_args_is_help=True)
