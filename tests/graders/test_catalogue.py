"""The catalogue: every assignment complete in both languages, and malformed folders rejected
with the file, the field and what was expected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graders import Catalogue, CatalogueError, UnknownAssignment
from graders.catalogue import LANGUAGES, load_assignment, load_messages

CATALOGUE = Catalogue.load()


def test_the_first_four_assignments_have_the_interfaces_and_check_ids_of_the_issue() -> None:
    expected = {
        "gather-all": ("fetch_all", ["correct", "concurrent", "errors", "no-blocking"]),
        "bounded-fetch": ("fetch_bounded", ["correct", "bounded", "saturates", "validates-limit"]),
        "offload-blocking": ("read_all", ["correct", "off-loop", "overlap"]),
        "bank-transfer": (
            "Bank",
            ["correct", "conserves", "no-overdraft", "no-deadlock", "parallel"],
        ),
    }
    for assignment_id, (name, checks) in expected.items():
        assignment = CATALOGUE[assignment_id]
        assert assignment.interface.name == name
        assert [c.id for c in assignment.checks] == checks


def test_the_six_of_issue_5_have_the_interfaces_and_check_ids_of_the_issue() -> None:
    expected = {
        "first-success": (
            "async def first_success(urls: list[str], fetch, timeout: float) -> bytes",
            ["fastest", "cancels-rest", "timeout", "all-fail"],
        ),
        "retry-backoff": (
            "async def fetch_with_retry(url: str, fetch, attempts: int, base_delay: float)"
            " -> bytes",
            ["succeeds", "backoff", "gives-up", "selective"],
        ),
        "callback-await": (
            "async def cook(kitchen, dish: str) -> str",
            ["result", "error", "refused", "no-polling"],
        ),
        "pipeline": (
            "async def process_all(source, handle, workers: int, maxsize: int) -> list",
            ["complete", "bounded", "backpressure", "order", "errors"],
        ),
        "tornado-handler": (
            "def make_app(backend) -> tornado.web.Application",
            ["responses", "fast-not-blocked", "concurrent-slow", "no-blocking"],
        ),
        "websocket-broadcast": (
            "def make_app() -> tornado.web.Application",
            ["broadcast", "order", "cleanup", "slow-client"],
        ),
    }
    assert len(CATALOGUE) == 10
    for assignment_id, (signature, checks) in expected.items():
        assignment = CATALOGUE[assignment_id]
        assert assignment.interface.signature == signature
        assert sorted(c.id for c in assignment.checks) == sorted(checks)
        assert assignment.interface.coroutine == signature.startswith("async def")
        assert not assignment.interface.threads  # no assignment of issue 5 needs threads


@pytest.mark.parametrize("assignment_id", list(CATALOGUE))
def test_every_student_facing_text_exists_in_both_languages(assignment_id: str) -> None:
    assignment = CATALOGUE[assignment_id]
    for lang in LANGUAGES:
        statement = assignment.statement(lang)
        assert assignment.interface.name in statement
        for check in assignment.checks:
            assert f"`{check.id}`" in statement, (lang, check.id)
            assert check.title[lang]
            assert all(text[lang] for text in check.messages.values())
        assert assignment.title[lang]
        assert assignment.summary[lang]
    assert "NotImplementedError" in assignment.starter()


def test_engine_messages_exist_in_both_languages_with_the_same_placeholders() -> None:
    messages = load_messages()
    for reason in ("timeout", "deadlock", "crashed", "syntax", "not-utf8", "infrastructure"):
        assert set(messages[reason]) == set(LANGUAGES)


def test_unknown_assignment_names_the_known_ones() -> None:
    with pytest.raises(UnknownAssignment, match="gather-all"):
        CATALOGUE["gather-everything"]


def copy_of(tmp_path: Path, assignment_id: str = "gather-all") -> Path:
    folder = tmp_path / assignment_id
    shutil.copytree(CATALOGUE[assignment_id].folder, folder)
    return folder


def edit(folder: Path, old: str, new: str) -> None:
    toml = folder / "assignment.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("points = 4", "points = 0", "checks[1].points: expected a positive integer"),
        (
            'visibility = "hidden"',
            'visibility = "secret"',
            "visibility: expected 'visible' or 'hidden'",
        ),
        ('kind = "function"', 'kind = "coroutine"', "interface.kind"),
        ('title.zh-CN = "同时获取所有 URL"', "", "title: missing text in zh-CN"),
        ('id = "gather-all"', 'id = "gather_all"', "must be kebab-case and match its folder"),
        ("{index} holds", "{idx} holds", "placeholders differ"),
        ('scenarios = "gather_all"', "scenarios = [", "assignment.toml"),
    ],
)
def test_a_malformed_assignment_is_refused_with_file_and_field(
    tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    folder = copy_of(tmp_path)
    if old == "{index} holds":
        edit(
            folder, "Item {index} of the result is the body", "Item {idx} of the result is the body"
        )
    else:
        edit(folder, old, new)
    with pytest.raises(CatalogueError, match=r"assignment\.toml") as error:
        load_assignment(folder)
    assert complaint.split(":")[0] in str(error.value) or complaint in str(error.value)


def test_a_wrong_solution_must_name_the_checks_it_fails(tmp_path: Path) -> None:
    folder = copy_of(tmp_path)
    (folder / "wrong" / "nameless.py").write_text("async def fetch_all(urls, fetch): ...\n")
    with pytest.raises(CatalogueError, match=r"nameless\.py: line 1 must name the checks"):
        load_assignment(folder).wrong_solutions()
    (folder / "wrong" / "nameless.py").write_text("# fails: speed\n")
    with pytest.raises(CatalogueError, match="unknown checks"):
        load_assignment(folder).wrong_solutions()


def test_a_missing_statement_is_named(tmp_path: Path) -> None:
    folder = copy_of(tmp_path)
    (folder / "statement.zh-CN.md").unlink()
    with pytest.raises(CatalogueError, match=r"missing statement\.zh-CN\.md"):
        load_assignment(folder)
