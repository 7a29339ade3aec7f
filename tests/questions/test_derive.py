from __future__ import annotations

from pathlib import Path

from questions import validate_bank
from questions.derive import derive_bank, find_definitions, notes_language
from questions.models import (
    FillInQuestion,
    MultipleChoiceQuestion,
    OrderingQuestion,
    TrueFalseQuestion,
)
from questions.notes import parse_notes
from questions.writer import write_bank
from tests.questions.conftest import FIXTURES

COURSE_NOTES = Path(__file__).parents[2] / "questions/banks/async-backends/course-notes.md"


def derive_and_validate(notes: Path, out: Path) -> list[object]:
    text = notes.read_text(encoding="utf-8")
    manifest, questions = derive_bank(text, bank_id="draft", notes_file=notes.name)
    write_bank(out, manifest, questions, notes=(notes.name, text))
    validation = validate_bank(out)
    assert validation.problems == []
    return list(questions)


def test_course_notes_derive_into_a_valid_draft_bank(tmp_path: Path) -> None:
    questions = derive_and_validate(COURSE_NOTES, tmp_path / "draft")
    assert {q.type for q in questions} == {"fill_in", "true_false", "multiple_choice", "ordering"}
    assert all(q.status == "draft" and q.needs_translation == ("en",) for q in questions)
    blocking = next(
        q for q in questions if isinstance(q, FillInQuestion) and q.blanks[0].accept == ("阻塞",)
    )
    assert blocking.source == ("III.Tornado", "二.同步、异步、阻塞、非阻塞", "1.阻塞、非阻塞")
    assert blocking.text["zh-CN"].endswith("[[b1]]是指调用函数的时候当线程被挂起。")
    orders = [q for q in questions if isinstance(q, OrderingQuestion)]
    assert any(q.items[1]["zh-CN"] == "基于epoll的事件循环。" for q in orders)
    # A false statement swaps in a sibling's definition.
    false = [q for q in questions if isinstance(q, TrueFalseQuestion) and q.answer is False]
    assert any("阻塞是指调用函数的时候线程不会被挂起" in q.text["zh-CN"] for q in false)


def test_english_notes_derive_every_kind_with_sibling_distractors(tmp_path: Path) -> None:
    questions = derive_and_validate(FIXTURES / "event-loops.md", tmp_path / "draft")
    assert all(q.needs_translation == ("zh-CN",) for q in questions)
    fill = {q.blanks[0].accept[0]: q for q in questions if isinstance(q, FillInQuestion)}
    assert set(fill) == {"event loop", "callback", "coroutine", "future"}
    assert (
        fill["event loop"]
        .text["en"]
        .endswith("An [[b1]] is a loop that waits for events and dispatches them to callbacks.")
    )
    readiness = next(
        q
        for q in questions
        if isinstance(q, MultipleChoiceQuestion) and q.source[-1] == "Readiness APIs"
    )
    right = {o.text["en"] for o in readiness.options if o.correct is True}
    wrong = {o.text["en"] for o in readiness.options if o.correct is False}
    assert right == {"select", "poll", "epoll"}
    assert wrong <= {
        "io_uring",
        "IOCP",
        "gather waits for all awaitables.",
        "wait_for adds a timeout to one awaitable.",
        "cancel() requests cancellation.",
        "CancelledError is raised inside the task.",
    }
    assert wrong
    [order] = [q for q in questions if isinstance(q, OrderingQuestion)]
    assert order.items[0]["en"] == "Compute the timeout from the nearest timer."
    assert order.source == ("Event loops", "One iteration")


def test_definition_patterns_skip_sentence_openers() -> None:
    root = parse_notes("# T\n\n都是同步IO。描述的是调用方式。阻塞是指线程被挂起。\n")
    found = find_definitions(root.children[0], "zh-CN")
    assert [d.term for d in found] == ["阻塞"]


def test_language_of_the_notes_is_detected() -> None:
    assert notes_language(COURSE_NOTES.read_text(encoding="utf-8")) == "zh-CN"
    assert notes_language((FIXTURES / "event-loops.md").read_text(encoding="utf-8")) == "en"
