from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from questions.cli import app
from tests.questions.conftest import FIXTURE_BANK, FIXTURES

runner = CliRunner()


def test_validate_prints_counts_per_section_type_and_language(tmp_path: Path) -> None:
    (tmp_path / "gather-all").mkdir()
    result = runner.invoke(app, ["validate", str(FIXTURE_BANK), "--assignments", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "OK: fixture 0.1.0: 15 questions" in result.stdout
    assert "    Readiness APIs: 3 / 3" in result.stdout
    assert "By type: single_choice 2, multiple_choice 1, true_false 2, fill_in 2" in result.stdout
    assert "By language: zh-CN 15, en 15" in result.stdout
    assert "Parameterised: 5; drafts: 0" in result.stdout


def test_validate_reports_every_problem_as_file_line_field_and_exits_1(bank_copy: Path) -> None:
    path = bank_copy / "loops/loops-true-false.yaml"
    path.write_text(
        path.read_text()
        .replace("difficulty: 1", "difficulty: 0")
        .replace("answer: false", "answer: maybe")
    )
    (bank_copy / "loops/loops-ratio.yaml").write_text("id: [unclosed\n")
    result = runner.invoke(app, ["validate", str(bank_copy)])
    assert result.exit_code == 1
    expected = (
        "loops/loops-true-false.yaml:4: difficulty: Input should be greater than or equal to 1"
    )
    assert f"{bank_copy}/{expected}" in result.stderr
    assert f"{bank_copy}/loops/loops-ratio.yaml:2: not valid YAML" in result.stderr
    assert "problem(s) found." in result.stderr


def test_derive_writes_a_bank_that_validates_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "draft"
    result = runner.invoke(app, ["derive", str(FIXTURES / "event-loops.md"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "OK: event-loops 0.1.0" in result.stdout
    assert (out / "event-loops.md").is_file()
    again = runner.invoke(app, ["derive", str(FIXTURES / "event-loops.md"), "--out", str(out)])
    assert again.exit_code == 1
    assert "refusing to overwrite" in again.stderr


def test_export_then_import_through_the_cli(tmp_path: Path) -> None:
    for fmt in ("gift", "xml"):
        exported = tmp_path / f"bank.{fmt}"
        result = runner.invoke(
            app, ["export", str(FIXTURE_BANK), "--format", fmt, "--out", str(exported)]
        )
        assert result.exit_code == 0, result.output
        assert "skipped coroutines-code" in result.stderr
        imported = runner.invoke(
            app, ["import", str(exported), "--format", fmt, "--out", str(tmp_path / fmt)]
        )
        assert imported.exit_code == 0, imported.output
        assert "OK: bank 0.1.0" in imported.stdout


def test_import_of_a_broken_file_writes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gift"
    broken.write_text("::a::Fine {T}\n\n::b::Open {=x\n")
    result = runner.invoke(
        app, ["import", str(broken), "--format", "gift", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert f"{broken}:3: the answer block opened with {{ is never closed with }}" in result.stderr
    assert not (tmp_path / "out").exists()


def test_render_previews_the_student_view_then_the_key() -> None:
    result = runner.invoke(
        app, ["render", str(FIXTURE_BANK), "loops-true-false", "--seed", "2", "--language", "en"]
    )
    assert result.exit_code == 0, result.output
    student, key = result.stdout.split("Key (server only):")
    assert '"type": "true_false"' in student
    assert '"answer"' not in student
    assert '"answer": false' in key
    missing = runner.invoke(app, ["render", str(FIXTURE_BANK), "nope"])
    assert missing.exit_code == 1
    assert "no question 'nope'" in missing.stderr
