"""Fixtures for the grading engine's tests.

grader      session-scoped sandboxed Grader (bubblewrap required: skips, or fails in CI)
worker      its warm Worker, for engine-level tests that drive sessions by hand
busy_core   a process spinning on one core for the duration of a test module, so verdicts
            are proven on a loaded machine (2 cores: the grader and the child share the other)
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from graders import Grader
from graders.sandbox.worker import Worker
from tests.services import require_bwrap


@pytest.fixture(scope="session")
def grader() -> Iterator[Grader]:
    require_bwrap()
    with Grader(unsafe_no_sandbox=False) as grader:
        grader.start()
        assert grader.sandboxed
        yield grader


@pytest.fixture(scope="session")
def worker(grader: Grader) -> Worker:
    current = grader.worker()
    assert current.sandboxed
    return current


@pytest.fixture(scope="module")
def busy_core() -> Iterator[None]:
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        burner.kill()
        burner.wait()
