"""Shared fixtures: the fixture bank (every question type) and helpers to write broken banks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from questions import Bank, load_bank

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_BANK = FIXTURES / "bank"
ASSIGNMENTS = frozenset({"gather-all", "bounded-fetch"})


@pytest.fixture(scope="session")
def bank() -> Bank:
    return load_bank(FIXTURE_BANK, assignments=ASSIGNMENTS)


@pytest.fixture
def bank_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture bank, for tests that break it on purpose."""
    target = tmp_path / "bank"
    shutil.copytree(FIXTURE_BANK, target)
    return target
