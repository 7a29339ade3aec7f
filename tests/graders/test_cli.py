"""The CLI contract: `quizloop grade ASSIGNMENT FILE... --format table|json --jobs N --seed S`
and `quizloop assignments list|show ID --lang`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from graders import Catalogue
from graders.cli import assignments_app, grade

CATALOGUE = Catalogue.load()
GATHER = CATALOGUE["gather-all"]
REFERENCE = GATHER.reference
SEQUENTIAL = GATHER.folder / "wrong" / "sequential.py"
CONTRACT_KEYS = {"file", "assignment", "status", "score", "max_score", "output", "tests"}
TEST_KEYS = {"name", "status", "score", "max_score", "output", "visibility"}

app = typer.Typer()
app.command("grade")(grade)
app.add_typer(assignments_app, name="assignments")


@pytest.fixture
def rejected_file(tmp_path: Path) -> Path:
    path = tmp_path / "broken.py"
    path.write_text("async def fetch_all(urls, fetch:\n")
    return path


@pytest.mark.sandbox
def test_json_prints_one_gradescope_object_per_file_in_order(rejected_file: Path) -> None:
    files = [str(SEQUENTIAL), str(rejected_file), str(REFERENCE)]
    outcome = CliRunner().invoke(
        app, ["grade", "gather-all", *files, "--format", "json", "--seed", "4"]
    )
    assert outcome.exit_code == 0, outcome.output
    lines = [json.loads(line) for line in outcome.stdout.splitlines()]
    assert [line["file"] for line in lines] == files
    assert all(set(line) == CONTRACT_KEYS for line in lines)
    assert all(set(test) == TEST_KEYS for line in lines for test in line["tests"])
    assert [line["status"] for line in lines] == ["graded", "rejected", "graded"]
    assert [line["score"] for line in lines] == [8, 0, 12]
    assert "line 1" in lines[1]["output"]


@pytest.mark.sandbox
def test_jobs_grade_in_parallel_and_keep_the_order_given() -> None:
    wrong = sorted(str(w.path) for w in GATHER.wrong_solutions() if "no-blocking" not in w.fails)
    files = [str(REFERENCE), *wrong]
    outcome = CliRunner().invoke(
        app, ["grade", "gather-all", *files, "--format", "json", "--jobs", "2"]
    )
    assert outcome.exit_code == 0, outcome.output
    lines = [json.loads(line) for line in outcome.stdout.splitlines()]
    assert [line["file"] for line in lines] == files
    assert lines[0]["score"] == lines[0]["max_score"]


@pytest.mark.sandbox
def test_the_table_lists_each_file_with_its_score_and_failed_checks() -> None:
    outcome = CliRunner().invoke(app, ["grade", "gather-all", str(SEQUENTIAL)])
    assert outcome.exit_code == 0, outcome.output
    assert "sequential.py" in outcome.stdout
    assert "8/12" in outcome.stdout
    assert "concurrent" in outcome.stdout


@pytest.mark.parametrize(
    "arguments",
    [
        ["grade", "gather-everything", str(REFERENCE)],
        ["grade", "gather-all", "/nonexistent/submission.py"],
        ["grade", "gather-all"],
        ["grade", "gather-all", str(REFERENCE), "--format", "xml"],
        ["grade", "gather-all", str(REFERENCE), "--jobs", "0"],
        ["assignments", "show", "gather-everything"],
    ],
)
def test_bad_arguments_and_unknown_assignments_exit_2(arguments: list[str]) -> None:
    assert CliRunner().invoke(app, arguments).exit_code == 2


def test_assignments_list_shows_every_assignment_in_the_language_asked() -> None:
    outcome = CliRunner().invoke(app, ["assignments", "list", "--lang", "zh-CN"])
    assert outcome.exit_code == 0
    for assignment in CATALOGUE.values():
        assert assignment.id in outcome.stdout
        assert assignment.title["zh-CN"].split("`")[0][:4] in outcome.stdout


def test_assignments_show_prints_the_statement() -> None:
    english = CliRunner().invoke(app, ["assignments", "show", "bank-transfer"])
    chinese = CliRunner().invoke(app, ["assignments", "show", "bank-transfer", "--lang", "zh-CN"])
    assert english.stdout.startswith("# Safe concurrent bank transfers")
    assert chinese.stdout.startswith("# 安全的并发银行转账")
    assert (
        CliRunner().invoke(app, ["assignments", "show", "bank-transfer", "--lang", "fr"]).exit_code
        == 2
    )


@pytest.mark.sandbox
def test_the_installed_quizloop_command_grades() -> None:
    quizloop = Path(sys.executable).with_name("quizloop")
    done = subprocess.run(
        [str(quizloop), "grade", "gather-all", str(REFERENCE), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == 12


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_without_a_sandbox_grading_stops_with_exit_3(
    monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # no bwrap anywhere, in workers too
    monkeypatch.delenv("QUIZLOOP_GRADING_UNSAFE_NO_SANDBOX", raising=False)
    outcome = CliRunner().invoke(
        app, ["grade", "gather-all", str(REFERENCE), str(REFERENCE), "--jobs", jobs]
    )
    assert outcome.exit_code == 3, outcome.output
    assert "bubblewrap" in outcome.output
