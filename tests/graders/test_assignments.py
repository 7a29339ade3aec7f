"""Every reference gets full marks and every known-wrong solution fails exactly the checks it
names, graded twice with the other core busy, with identical JSON both times."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graders import Catalogue, Grader

CATALOGUE = Catalogue.load()
SEED = 11


def _cases() -> list[object]:
    cases: list[object] = []
    for assignment in CATALOGUE.values():
        cases.append(pytest.param(assignment.id, assignment.reference, frozenset(),
                                  id=f"{assignment.id}/reference"))  # fmt: skip
        for wrong in assignment.wrong_solutions():
            cases.append(pytest.param(assignment.id, wrong.path, wrong.fails,
                                      id=f"{assignment.id}/{wrong.name}"))  # fmt: skip
    return cases


@pytest.mark.sandbox
@pytest.mark.usefixtures("busy_core")
@pytest.mark.parametrize(("assignment_id", "path", "fails"), _cases())
def test_solution_fails_exactly_its_named_checks_twice_identically(
    grader: Grader, assignment_id: str, path: Path, fails: frozenset[str]
) -> None:
    data = path.read_bytes()
    first = grader.grade(assignment_id, data, seed=SEED)
    second = grader.grade(assignment_id, data, seed=SEED)
    assert first.status == "graded", first.output
    failed = {t.name for t in first.tests if t.status == "failed"}
    assert failed == fails, {t.name: t.output for t in first.tests if t.status == "failed"}
    assert first.score == sum(t.max_score for t in first.tests if t.name not in fails)
    assert json.dumps(first.to_dict(), sort_keys=True) == json.dumps(
        second.to_dict(), sort_keys=True
    )


@pytest.mark.sandbox
@pytest.mark.parametrize("assignment_id", list(CATALOGUE))
def test_starter_code_scores_zero(grader: Grader, assignment_id: str) -> None:
    result = grader.grade(assignment_id, CATALOGUE[assignment_id].starter().encode(), seed=SEED)
    assert result.status == "graded"
    assert result.score == 0
    assert all(t.status == "failed" for t in result.tests)


def test_every_check_is_failed_by_some_known_wrong_solution() -> None:
    for assignment in CATALOGUE.values():
        covered = set().union(*(w.fails for w in assignment.wrong_solutions()))
        assert covered == {c.id for c in assignment.checks}, assignment.id
        assert len(assignment.wrong_solutions()) >= 4, assignment.id
