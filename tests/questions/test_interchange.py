"""GIFT and Moodle XML: round trips of every type the formats hold, escaping, the third-party
GIFT parser, and hostile or broken input."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questions import Bank, load_bank
from questions.gift import escape, export_gift, import_gift, unescape
from questions.interchange import ExportReport, ImportReport, concrete_question, split_languages
from questions.moodle_xml import export_moodle_xml, import_moodle_xml
from tests.services import unavailable

ROOT = Path(__file__).parents[2]
SHIPPED = ROOT / "questions/banks/async-backends"
GIFT_TYPES = {"single_choice", "multiple_choice", "true_false", "fill_in", "numeric", "matching"}
XML_TYPES = GIFT_TYPES | {"ordering"}


@pytest.mark.parametrize(
    ("export", "reader", "types"),
    [
        pytest.param(export_gift, import_gift, GIFT_TYPES, id="gift"),
        pytest.param(export_moodle_xml, import_moodle_xml, XML_TYPES, id="moodle-xml"),
    ],
)
def test_every_type_the_format_holds_round_trips_exactly(
    bank: Bank,
    export: Callable[..., ExportReport],
    reader: Callable[..., ImportReport],
    types: set[str],
) -> None:
    report = export(bank, seed=0)
    imported = reader(report.text)
    assert imported.problems == []
    assert imported.skipped == []
    back = {q.id: q for q in imported.questions}
    assert {q.type for q in back.values()} == types
    for question in bank.questions.values():
        if question.id in dict(report.skipped):
            continue
        assert back[question.id] == concrete_question(bank, question, 0), question.id
    skipped = dict(report.skipped)
    assert "code" in skipped["coroutines-code"]
    assert "several" in skipped["loops-fill-in"]


def test_parameterised_questions_travel_as_the_variant_of_the_chosen_seed(bank: Bank) -> None:
    for seed in (0, 5):
        back = {q.id: q for q in import_gift(export_gift(bank, seed=seed).text).questions}
        requests = back["loops-requests"]
        assert not requests.parameterised
        fixed = concrete_question(bank, bank.question("loops-requests"), seed)
        assert requests.text == fixed.text
        assert requests.answer == fixed.answer  # type: ignore[union-attr]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_gift_escaping_round_trips_any_text(text: str) -> None:
    escaped = escape(text)
    assert "\n" not in escaped
    assert unescape(escaped) == text.replace("\r\n", "\n")


def test_special_characters_are_escaped_in_the_export(bank: Bank) -> None:
    text = export_gift(bank).text
    assert r"Busy polling \{while True\: pass\} \# spin \~ forever \= bad" in text
    back = {q.id: q for q in import_gift(text).questions}
    option = back["loops-single"].options[3]  # type: ignore[union-attr]
    assert option.text["en"] == "Busy polling {while True: pass} # spin ~ forever = bad"


def test_languages_split_back_and_single_language_input_becomes_a_draft() -> None:
    joined = (
        '<span lang="zh_cn" class="multilang">甲</span><span class="multilang" lang="en">A</span>'
    )
    assert split_languages(joined, ("zh-CN", "en"), "en") == ({"zh-CN": "甲", "en": "A"}, True)
    report = import_gift("::q1::Which loop? {=epoll ~a thread}\n")
    [question] = report.questions
    assert question.status == "draft"
    assert question.needs_translation == ("zh-CN",)
    assert question.text == {"en": "Which loop?"}
    assert question.type == "single_choice"


@pytest.mark.parametrize(
    ("gift", "expected"),
    [
        pytest.param("::t::Sky is blue? {T}", ("true_false", True), id="true-false"),
        pytest.param("::n::Pi? {#3.14:0.01}", ("numeric", 3.14), id="numeric-tolerance"),
        pytest.param("::n::Range? {#1..3}", ("numeric", 2.0), id="numeric-range"),
        pytest.param(
            "Moodle uses {=PHP =php} for its server.",
            ("fill_in", ("PHP", "php")),
            id="missing-word",
        ),
        pytest.param("::m::Pick {~%50%a ~%50%b ~%-100%c}", ("multiple_choice", 2), id="weights"),
        pytest.param(
            "::p::Pair {=a -> 1 =b -> 2 = -> 3}", ("matching", 1), id="matching-distractor"
        ),
    ],
)
def test_foreign_gift_of_each_kind_imports(gift: str, expected: tuple[str, object]) -> None:
    report = import_gift(gift)
    assert report.problems == []
    [question] = report.questions
    kind, detail = expected
    assert question.type == kind
    if kind == "true_false" or kind == "numeric":
        assert question.answer == detail  # type: ignore[union-attr]
    elif kind == "fill_in":
        assert question.blanks[0].accept == detail  # type: ignore[union-attr]
        assert question.text["en"] == "Moodle uses [[b1]] for its server."
    elif kind == "multiple_choice":
        assert sum(o.correct is True for o in question.options) == detail  # type: ignore[union-attr]
    else:
        assert len(question.distractors) == detail  # type: ignore[union-attr]


def test_broken_gift_reports_lines_and_unsupported_questions_are_listed() -> None:
    report = import_gift("// c\n::a::Essay {}\n\n::b::Open {=x\n\n::c::Fine {T}\n")
    assert report.skipped == [(2, "an essay question (empty answer block) has no quizloop type")]
    assert report.problems == [(4, "the answer block opened with { is never closed with }")]
    assert [q.id for q in report.questions] == ["c"]


@pytest.mark.parametrize(
    "xml",
    [
        pytest.param(
            '<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "x">]><quiz>&a;</quiz>', id="entities"
        ),
        pytest.param('<!DOCTYPE quiz SYSTEM "file:///etc/passwd"><quiz/>', id="external-dtd"),
        pytest.param("<quiz><question", id="truncated"),
        pytest.param("<html/>", id="not-a-quiz"),
    ],
)
def test_hostile_or_broken_xml_is_refused_with_a_reason(xml: str) -> None:
    report = import_moodle_xml(xml)
    assert report.questions == []
    assert len(report.problems) == 1


def test_xml_import_lists_types_it_cannot_use() -> None:
    xml = '<quiz><question type="essay"><name><text>e</text></name></question></quiz>'
    report = import_moodle_xml(xml)
    assert report.skipped == [(1, "e: Moodle essay questions have no quizloop type")]


def _gift_pegjs(path: Path) -> dict[str, list[dict[str, object]]]:
    node = shutil.which("node")
    if node is None:
        unavailable("node", "`node` is not on PATH (Debian package: nodejs)")
    if not (ROOT / "node_modules/gift-pegjs").is_dir():
        unavailable("gift-pegjs", "node_modules/gift-pegjs is missing (run `npm install`)")
    run = subprocess.run(
        [node, str(Path(__file__).with_name("gift_parse.mjs")), str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)  # type: ignore[no-any-return]


def test_the_fixture_export_parses_with_gift_pegjs(bank: Bank, tmp_path: Path) -> None:
    report = export_gift(bank)
    (tmp_path / "fixture.gift").write_text(report.text, encoding="utf-8")
    parsed = _gift_pegjs(tmp_path / "fixture.gift")["questions"]
    assert len(parsed) == report.exported
    kinds = {q["title"]: q["type"] for q in parsed}
    assert kinds["loops-single"] == "MC"
    assert kinds["loops-multiple"] == "MC"
    assert kinds["loops-true-false"] == "TF"
    assert kinds["coroutines-fill-in"] == "Short"
    assert kinds["loops-requests"] == "Numerical"
    assert kinds["loops-matching"] == "Matching"
    single = next(q for q in parsed if q["title"] == "loops-single")
    assert single["choices"] == 4


def test_the_shipped_bank_export_parses_with_gift_pegjs(tmp_path: Path) -> None:
    shipped = load_bank(SHIPPED)
    report = export_gift(shipped)
    (tmp_path / "shipped.gift").write_text(report.text, encoding="utf-8")
    parsed = _gift_pegjs(tmp_path / "shipped.gift")["questions"]
    assert len(parsed) == report.exported
    assert {q["title"] for q in parsed} == set(shipped.questions) - {i for i, _ in report.skipped}
