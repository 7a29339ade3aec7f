"""Running `quizloop remote` in tests: typer's CliRunner, a private config folder, and only
the URL and token the test gives."""

from __future__ import annotations

from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from api.cli import app

__all__ = ["run"]


def run(
    home: Path,
    *args: str,
    url: str | None = None,
    token: str | None = None,
    stdin: str | None = None,
) -> Result:
    """`quizloop remote ARGS` with a private config folder and only the given URL/token."""
    env: dict[str, str | None] = {
        "XDG_CONFIG_HOME": str(home),
        "QUIZLOOP_CONFIG": None,
        "QUIZLOOP_PROFILE": None,
        "QUIZLOOP_URL": url,
        "QUIZLOOP_TOKEN": token,
        "QUIZLOOP_LANG": None,
        "LANG": "C.UTF-8",
        "LC_ALL": None,
    }
    return CliRunner().invoke(app, ["remote", *args], env=env, input=stdin)
