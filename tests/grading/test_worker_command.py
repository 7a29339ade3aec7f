"""`quizloop worker` refuses to start where it could not grade: without bubblewrap (exit 3,
saying why) and on a database that is not at the code's schema revision."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.grading.running import QUIZLOOP


def _worker(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(QUIZLOOP), "worker", "--concurrency", "1"],
        env={**os.environ, "QUIZLOOP_GRADING_BACKEND": "celery", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_bubblewrap_the_worker_refuses_to_start(tmp_path: Path) -> None:
    done = _worker(
        {
            "PATH": "/nonexistent",
            "QUIZLOOP_DATA_DIR": str(tmp_path),
            "QUIZLOOP_GRADING_UNSAFE_NO_SANDBOX": "0",
        }
    )
    assert done.returncode == 3
    assert "bubblewrap" in done.stderr


def test_on_a_database_without_the_schema_the_worker_refuses_to_start(tmp_path: Path) -> None:
    done = _worker(
        {
            "QUIZLOOP_DATA_DIR": str(tmp_path),
            "QUIZLOOP_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
            "QUIZLOOP_GRADING_UNSAFE_NO_SANDBOX": "1",  # this test is about the schema
        }
    )
    assert done.returncode == 1
    assert "quizloop db upgrade" in done.stderr
