"""Item 6 of issue 3: the bank that ships covers every section of the notes, in both languages.

They hold the shipped bank (questions/banks/async-backends) to what it promises: all 12 sections
of the notes and each of their sub-sections have questions; at least 150 questions, 20 of them
parameterised, and every question type; every question ready and written in zh-CN and en; code
questions name assignments graders/ offers; the key of every variant (ten seeds of a
parameterised question) scores full marks, except code answers, which graders/ scores.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from questions import Bank, bank_stats, load_bank, render_variant, score_response
from questions.models import QUESTION_TYPES

SHIPPED = Path(__file__).parents[2] / "questions/banks/async-backends"


@pytest.fixture(scope="module")
def shipped() -> Bank:
    return load_bank(SHIPPED)


def test_every_section_and_sub_section_of_the_notes_has_questions(shipped: Bank) -> None:
    stats = bank_stats(shipped)
    assert len(stats.by_section) == 12
    assert stats.uncovered == []


def test_at_least_150_questions_20_parameterised_and_every_type(shipped: Bank) -> None:
    stats = bank_stats(shipped)
    assert stats.questions >= 150
    assert stats.parameterised >= 20
    assert all(stats.by_type[t] >= 1 for t in QUESTION_TYPES), stats.by_type


def test_every_question_is_ready_and_written_in_both_languages(shipped: Bank) -> None:
    for question in shipped.questions.values():
        assert question.status == "ready", question.id
        assert not question.needs_translation, question.id
    assert bank_stats(shipped).by_language == {
        "zh-CN": len(shipped.questions),
        "en": len(shipped.questions),
    }


def test_code_questions_name_the_graders_assignments() -> None:
    assignments = Path(__file__).parents[2] / "graders/assignments"
    known = {p.name for p in assignments.iterdir() if p.is_dir()} if assignments.is_dir() else set()
    if not known:
        pytest.skip("graders/assignments holds no assignment yet")
    load_bank(SHIPPED, assignments=known)


def test_the_key_of_every_shipped_variant_scores_full_marks(shipped: Bank) -> None:
    from tests.questions.test_scoring_properties import key_response

    for question_id, question in shipped.questions.items():
        for seed in range(10 if question.parameterised else 1):
            variant = render_variant(shipped, question_id, seed)
            score = score_response(variant, key_response(variant))
            assert score.points == score.max_points or score.status == "external", question_id
