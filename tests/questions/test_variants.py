from __future__ import annotations

import pytest

from questions import Bank, StudentVariant, Variant, render_variant, variant_seed
from questions.variants import ChoiceKey, MatchingKey, NumericKey, OrderingKey


def test_the_same_seed_renders_the_same_text_order_ids_and_key(bank: Bank) -> None:
    for question_id in bank.questions:
        first = render_variant(bank, question_id, 1234)
        again = render_variant(bank, question_id, 1234)
        assert first == again
        assert first.model_dump_json() == again.model_dump_json()


def test_seeds_change_the_order_of_options_and_the_parameters(bank: Bank) -> None:
    orders = {
        tuple(o.text["en"] for o in render_variant(bank, "loops-single", seed).student.options)
        for seed in range(40)
    }
    assert len(orders) > 10
    texts = {render_variant(bank, "loops-requests", seed).student.text["en"] for seed in range(40)}
    assert len(texts) > 20


def test_shown_ids_are_opaque_and_differ_between_variants(bank: Bank) -> None:
    authored = {"a", "b", "c", "d"}
    seen: set[str] = set()
    for seed in range(20):
        variant = render_variant(bank, "loops-single", seed)
        ids = [o.id for o in variant.student.options]
        assert not authored & set(ids)
        assert len(set(ids)) == 4
        seen.update(ids)
        key = variant.key
        assert isinstance(key, ChoiceKey)
        assert {key.authored[i] for i in key.correct} == {"a"}
    assert len(seen) > 40


def test_the_student_part_has_no_field_that_can_hold_a_key() -> None:
    fields = set(StudentVariant.model_fields)
    assert not fields & {"key", "correct", "answer", "explanation", "feedback", "pairs", "order"}
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        StudentVariant.model_validate(
            {
                "question_id": "x",
                "seed": 1,
                "type": "true_false",
                "points": 1,
                "languages": ["en"],
                "text": {"en": "?"},
                "answer": True,
            }
        )


def test_the_student_json_does_not_contain_the_explanation_or_authored_ids(bank: Bank) -> None:
    variant = render_variant(bank, "loops-single", 99)
    shown = variant.student.model_dump_json()
    assert "selectors.DefaultSelector" not in shown  # the explanation
    assert "Right: epoll reports readiness" not in shown  # option feedback
    assert '"id":"a"' not in shown.replace(" ", "")


def test_one_language_or_all(bank: Bank) -> None:
    both = render_variant(bank, "loops-fill-in", 5)
    assert set(both.student.text) == {"zh-CN", "en"}
    english = render_variant(bank, "loops-fill-in", 5, language="en")
    assert english.student.text == {"en": both.student.text["en"]}
    assert english.key == both.key.model_copy(
        update={"explanation": {"en": both.key.explanation["en"]}}
    )
    with pytest.raises(ValueError, match="no text in 'fr'"):
        render_variant(bank, "loops-fill-in", 5, language="fr")


def test_parameters_fill_text_and_key_consistently(bank: Bank) -> None:
    for seed in range(30):
        variant = render_variant(bank, "loops-requests", seed, language="en")
        n, latency, k = (variant.values[x] for x in ("n", "l", "k"))
        assert all(isinstance(x, int) for x in (n, latency, k))
        assert variant.student.text["en"].startswith(
            f"{n} requests of {latency} ms each, at most {k}"
        )
        key = variant.key
        assert isinstance(key, NumericKey)
        assert key.answer == -(-n // k) * latency  # type: ignore[operator]
        assert key.unit == "ms"


def test_expression_options_make_exactly_one_correct_for_every_seed(bank: Bank) -> None:
    for seed in range(30):
        key = render_variant(bank, "loops-bigger", seed).key
        assert isinstance(key, ChoiceKey)
        assert [key.authored[i] for i in key.correct] == ["concurrent"]


def test_generator_questions_pick_from_the_precomputed_table(bank: Bank) -> None:
    table = bank.generated["coroutines-backoff"]
    for seed in range(30):
        variant = render_variant(bank, "coroutines-backoff", seed)
        assert variant.values in table
        assert isinstance(variant.key, NumericKey)
        assert variant.key.answer == variant.values["wait"]


def test_ordering_is_never_shown_already_solved_and_matching_right_column_is_shuffled(
    bank: Bank,
) -> None:
    right_orders = set()
    for seed in range(30):
        variant = render_variant(bank, "loops-ordering", seed)
        key = variant.key
        assert isinstance(key, OrderingKey)
        assert [c.id for c in variant.student.items] != list(key.order)
        matching = render_variant(bank, "loops-matching", seed)
        assert isinstance(matching.key, MatchingKey)
        right_orders.add(tuple(c.text["en"] for c in matching.student.right))
        assert len(matching.student.right) == 4  # three answers and the distractor
    assert len(right_orders) > 5


def test_variant_seed_is_stable_and_depends_on_every_part_and_the_secret() -> None:
    base = variant_seed(quiz="q1", student="s1", question="x", secret="k")
    assert base == variant_seed(quiz="q1", student="s1", question="x", secret="k")
    others = {
        variant_seed(quiz="q2", student="s1", question="x", secret="k"),
        variant_seed(quiz="q1", student="s2", question="x", secret="k"),
        variant_seed(quiz="q1", student="s1", question="y", secret="k"),
        variant_seed(quiz="q1", student="s1", question="x", secret="other"),
        variant_seed(quiz="q1s", student="1", question="x", secret="k"),
    }
    assert base not in others
    assert len(others) == 5
    assert 0 <= base < 2**63


def test_a_variant_survives_a_json_round_trip(bank: Bank) -> None:
    for question_id in bank.questions:
        variant = render_variant(bank, question_id, 3)
        assert Variant.model_validate_json(variant.model_dump_json()) == variant
