"""Students' code for the tests: each assignment's reference and known-wrong solutions, and
the score each must get (from the catalogue's points and the checks a solution fails)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import graders
from graders import Catalogue

ASSIGNMENTS = Path(graders.__file__).parent / "assignments"


@cache
def catalogue() -> Catalogue:
    return Catalogue.load()


def reference(assignment: str) -> str:
    return (ASSIGNMENTS / assignment / "reference.py").read_text(encoding="utf-8")


def wrong(assignment: str, name: str) -> tuple[str, float]:
    """A known-wrong solution and the score it must get."""
    source = (ASSIGNMENTS / assignment / "wrong" / f"{name}.py").read_text(encoding="utf-8")
    header = source.splitlines()[0]
    assert header.startswith("# fails:"), header
    failing = {c.strip() for c in header.removeprefix("# fails:").split(",")}
    kept = [c.points for c in catalogue()[assignment].checks if c.id not in failing]
    return source, float(sum(kept))


def full_marks(assignment: str) -> float:
    return float(catalogue()[assignment].max_score)
