"""Correct solutions written in unusual ways get full marks: other asyncio primitives (TaskGroup,
asyncio.wait, as_completed, Condition, Queue workers, futures filled by callbacks), Tornado's
own, thread pools the harness does not start, clocks read with time.monotonic() or Tornado's
IOLoop. Each file under unusual/<assignment>/ is graded with the other core busy."""

from __future__ import annotations

from pathlib import Path

import pytest

from graders import Catalogue, Grader

UNUSUAL = Path(__file__).parent / "unusual"
CATALOGUE = Catalogue.load()
SEED = 11


def _cases() -> list[object]:
    return [
        pytest.param(folder.name, path, id=f"{folder.name}/{path.stem}")
        for folder in sorted(UNUSUAL.iterdir())
        for path in sorted(folder.glob("*.py"))
    ]


@pytest.mark.sandbox
@pytest.mark.usefixtures("busy_core")
@pytest.mark.parametrize(("assignment_id", "path"), _cases())
def test_an_unusual_correct_solution_gets_full_marks(
    grader: Grader, assignment_id: str, path: Path
) -> None:
    result = grader.grade(assignment_id, path.read_bytes(), seed=SEED)
    assert result.status == "graded", result.output
    failed = {t.name: t.output for t in result.tests if t.status == "failed"}
    assert result.score == result.max_score, failed


def test_every_assignment_has_unusual_correct_solutions() -> None:
    folders = {folder.name: list(folder.glob("*.py")) for folder in UNUSUAL.iterdir()}
    assert set(folders) == set(CATALOGUE)
    assert all(len(files) >= 3 for files in folders.values()), folders
