from __future__ import annotations

from pathlib import Path

from questions.notes import clean_inline, parse_notes

COURSE_NOTES = Path(__file__).parents[2] / "questions/banks/async-backends/course-notes.md"


def test_heading_paths_of_the_course_notes_drop_emphasis() -> None:
    paths = parse_notes(COURSE_NOTES.read_text(encoding="utf-8")).paths()
    assert ("I.Docker", "二.docker核心概念") in paths
    assert ("III.Tornado", "二.同步、异步、阻塞、非阻塞", "1.阻塞、非阻塞") in paths
    assert ("III.Tornado", "三.核心模块") in paths
    assert len(paths) == 12


def test_headings_in_fenced_code_are_not_sections() -> None:
    root = parse_notes("# A\n\n```\n# not a heading\n```\n\n## B\n")
    assert root.paths() == [("A",), ("A", "B")]


def test_lists_keep_items_across_blank_lines_and_skip_later_paragraphs() -> None:
    root = parse_notes("# T\n\n1. one\n2. two\n\n3. three\n\n   aside\n\n- x\n- y\n")
    kinds = [(b.kind, b.items) for b in root.children[0].blocks]
    assert kinds == [("numbered", ["one", "two", "three"]), ("bullets", ["x", "y"])]


def test_clean_inline_removes_markup_and_keeps_words() -> None:
    text = "**同步机制** <font color='red'>单线程</font> ![](a.png) [link](http://x)"
    assert clean_inline(text) == "同步机制 单线程 link"
