"""The `quizloop` command: db, user create, and serve as a real process."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from typer.testing import CliRunner

from api.cli import app
from api.core import migrations
from api.core.config import get_settings

QUIZLOOP = str(Path(sys.executable).with_name("quizloop"))
runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A clean QUIZLOOP_* environment with its data directory under tmp_path."""
    for name in list(os.environ):
        if name.startswith("QUIZLOOP_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUIZLOOP_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def users_in(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT email, role FROM users ORDER BY id").fetchall()


def test_user_create_reads_the_password_from_stdin(data_dir: Path) -> None:
    result = runner.invoke(
        app,
        ["user", "create", "--role", "instructor", "--name", "Prof", "Prof@Example.org"],
        input="a good password\n",
    )
    assert result.exit_code == 0, result.output
    assert "created instructor prof@example.org" in result.output
    assert users_in(data_dir / "quizloop.db") == [("prof@example.org", "instructor")]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        pytest.param(["not-an-email"], "a good password\n", "email", id="bad-email"),
        pytest.param(["x@example.org"], "short\n", "8 to 256 characters", id="short-password"),
        pytest.param(["x@example.org"], "", "8 to 256 characters", id="no-password"),
        pytest.param(["--role", "admin", "x@example.org"], "pw pw pw pw\n", "admin", id="role"),
    ],
)
def test_user_create_rejects_bad_input_and_writes_nothing(
    data_dir: Path, args: list[str], stdin: str, message: str
) -> None:
    result = runner.invoke(app, ["user", "create", *args], input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    db = data_dir / "quizloop.db"
    assert not db.exists() or users_in(db) == []


def test_user_create_refuses_a_taken_email(data_dir: Path) -> None:
    for expected in (0, 1):
        result = runner.invoke(app, ["user", "create", "t@example.org"], input="password1234\n")
        assert result.exit_code == expected
    assert "already has an account" in result.output


def test_db_commands_report_and_move_the_revision(data_dir: Path) -> None:
    head = migrations.head_revision()
    assert head is not None
    current = runner.invoke(app, ["db", "current"])
    assert "base (empty)" in current.output
    assert "needs `quizloop db upgrade`" in current.output
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert "up to date" in runner.invoke(app, ["db", "current"]).output
    down = runner.invoke(app, ["db", "downgrade", "base"])
    assert down.exit_code == 0
    assert "base (empty)" in down.output


def test_invalid_settings_stop_the_cli_with_the_variable_named(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIZLOOP_GRADING_BACKEND", "threads")
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "QUIZLOOP_GRADING_BACKEND" in result.output
    assert "Traceback" not in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(data_dir: Path, *extra: str) -> tuple[subprocess.Popen[str], int]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZLOOP_")}
    env["QUIZLOOP_DATA_DIR"] = str(data_dir)
    process = subprocess.Popen(
        [QUIZLOOP, "serve", "--port", str(port), *extra],
        env=env,
        cwd=data_dir.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, port


def _wait_healthy(process: subprocess.Popen[str], port: int) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited early:\n{process.stdout.read() if process.stdout else ''}")
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail("serve did not answer /health within 60 s")


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    return output


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_serve_migrates_answers_and_a_second_start_touches_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    process, port = _serve(data_dir)
    try:
        health = _wait_healthy(process, port)
        assert health.status_code == 200
        assert health.json()["database"] == "ok"
        docs = httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5)
        assert docs.status_code == 200
        assert "swagger" in docs.text.lower()
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5).status_code == 200
    finally:
        first_log = _stop(process)
    assert process.returncode == 0, first_log
    assert "[" in first_log
    assert "GET /health -> 200" in first_log

    db, key = data_dir / "quizloop.db", data_dir / "secret_key"
    before = (_digest(db), _digest(key))
    process, port = _serve(data_dir)
    try:
        assert _wait_healthy(process, port).status_code == 200
    finally:
        _stop(process)
    assert (_digest(db), _digest(key)) == before


def test_serve_refuses_a_database_from_a_newer_quizloop(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with sqlite3.connect(data_dir / "quizloop.db") as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES ('f00dfeedbeef')")
    process, _ = _serve(data_dir)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "f00dfeedbeef" in output
    assert "newer quizloop" in output
    assert "Traceback" not in output
