"""The `quizloop` command: dispatches to the service (api), the banks (questions) and grading."""

from __future__ import annotations

import typer

from graders.cli import assignments_app
from questions.cli import app as bank_app

app = typer.Typer(help="quizloop: quizzes and concurrency-aware grading.", no_args_is_help=True)
app.add_typer(bank_app, name="bank")
app.add_typer(assignments_app, name="assignments")


def main() -> None:
    app()
