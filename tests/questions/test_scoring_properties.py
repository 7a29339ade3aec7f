"""Property-based tests of scoring, per type: bounds, the key scores max, order independence,
and malformed input that never raises."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questions import Bank, Variant, load_bank, render_variant, score_response
from questions.variants import (
    ChoiceKey,
    FillInKey,
    MatchingKey,
    NumericKey,
    OrderingKey,
    TrueFalseKey,
)
from tests.questions.conftest import ASSIGNMENTS, FIXTURE_BANK

BANK: Bank = load_bank(FIXTURE_BANK, assignments=ASSIGNMENTS)
QUESTIONS = sorted(BANK.questions)
SEEDS = st.integers(min_value=0, max_value=2**63 - 1)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=10), inner, max_size=6)
    ),
    max_leaves=20,
)


def key_response(variant: Variant) -> object:
    """The answer the key itself gives, in the variant's shown ids."""
    key = variant.key
    if isinstance(key, ChoiceKey):
        correct = sorted(key.correct)
        return correct[0] if key.type == "single_choice" else correct
    if isinstance(key, TrueFalseKey):
        return key.answer
    if isinstance(key, FillInKey):
        return {b.id: b.accept[0] for b in key.blanks}
    if isinstance(key, NumericKey):
        return key.answer
    if isinstance(key, MatchingKey):
        return dict(key.pairs)
    if isinstance(key, OrderingKey):
        return list(key.order)
    return "code"


def in_bounds(variant: Variant, response: object) -> None:
    score = score_response(variant, response)
    assert 0.0 <= score.points <= score.max_points
    assert math.isfinite(score.points)
    if score.status == "malformed":
        assert score.points == 0.0
        assert score.message is not None
        assert set(score.message) == {"zh-CN", "en"}


@SETTINGS
@given(question=st.sampled_from(QUESTIONS), seed=SEEDS, response=JSON)
def test_any_response_scores_within_bounds_and_never_raises(
    question: str, seed: int, response: object
) -> None:
    in_bounds(render_variant(BANK, question, seed), response)


@SETTINGS
@given(question=st.sampled_from(QUESTIONS), seed=SEEDS, data=st.data())
def test_responses_built_from_shown_ids_score_within_bounds(
    question: str, seed: int, data: st.DataObject
) -> None:
    variant = render_variant(BANK, question, seed)
    student = variant.student
    ids = [c.id for c in (*student.options, *student.items)]
    lefts, rights = [c.id for c in student.left], [c.id for c in student.right]
    if ids:
        in_bounds(variant, data.draw(st.lists(st.sampled_from(ids), max_size=len(ids) + 2)))
        in_bounds(variant, data.draw(st.sampled_from(ids)))
    if lefts:
        in_bounds(
            variant, data.draw(st.dictionaries(st.sampled_from(lefts), st.sampled_from(rights)))
        )
    if student.blanks:
        in_bounds(
            variant,
            data.draw(st.dictionaries(st.sampled_from(student.blanks), st.text(max_size=600))),
        )
    in_bounds(variant, data.draw(st.floats() | st.text(max_size=80)))


@SETTINGS
@given(question=st.sampled_from(QUESTIONS), seed=SEEDS)
def test_the_key_scores_max(question: str, seed: int) -> None:
    variant = render_variant(BANK, question, seed)
    score = score_response(variant, key_response(variant))
    if variant.student.type == "code":
        assert score.status == "external"
    else:
        assert score.points == score.max_points, score


def _semantic(variant: Variant, chosen_authored: list[str]) -> list[str]:
    inverse = {a: shown for shown, a in variant.key.authored.items()}
    return [inverse[a] for a in chosen_authored]


@SETTINGS
@given(seed_a=SEEDS, seed_b=SEEDS, data=st.data())
def test_another_seeds_order_never_changes_a_choice_score(
    seed_a: int, seed_b: int, data: st.DataObject
) -> None:
    for question in ("loops-single", "loops-multiple"):
        a, b = render_variant(BANK, question, seed_a), render_variant(BANK, question, seed_b)
        authored = sorted(set(a.key.authored.values()))
        if question == "loops-single":
            pick = data.draw(st.sampled_from(authored))
            score_a = score_response(a, _semantic(a, [pick])[0])
            score_b = score_response(b, _semantic(b, [pick])[0])
            assert (score_a.points, score_a.status) == (score_b.points, score_b.status)
            assert [(p.correct, p.feedback) for p in score_a.parts] == [
                (p.correct, p.feedback) for p in score_b.parts
            ]
        else:
            picks = data.draw(st.lists(st.sampled_from(authored), unique=True))
            assert (
                score_response(a, _semantic(a, picks)).points
                == score_response(b, _semantic(b, picks)).points
            )


@SETTINGS
@given(seed_a=SEEDS, seed_b=SEEDS, data=st.data())
def test_another_seeds_order_never_changes_a_matching_or_ordering_score(
    seed_a: int, seed_b: int, data: st.DataObject
) -> None:
    a, b = (
        render_variant(BANK, "loops-matching", seed_a),
        render_variant(BANK, "loops-matching", seed_b),
    )
    pairs = [f"pair-{i}" for i in range(1, 4)]
    targets = data.draw(
        st.lists(st.sampled_from([f"right-{i}" for i in range(1, 5)]), min_size=3, max_size=3)
    )

    def matching(v: Variant) -> dict[str, str]:
        return dict(zip(_semantic(v, pairs), _semantic(v, targets), strict=True))

    assert score_response(a, matching(a)).points == score_response(b, matching(b)).points
    a, b = (
        render_variant(BANK, "loops-ordering", seed_a),
        render_variant(BANK, "loops-ordering", seed_b),
    )
    order = data.draw(st.permutations([f"item-{i}" for i in range(1, 5)]))
    assert (
        score_response(a, _semantic(a, list(order))).points
        == score_response(b, _semantic(b, list(order))).points
    )


@SETTINGS
@given(
    seed=SEEDS,
    value=st.floats(min_value=-1e6, max_value=1e6),
    unit=st.sampled_from(["ms", "s", "us", "min"]),
)
def test_numeric_answers_in_any_time_unit_score_like_the_same_value_in_ms(
    seed: int, value: float, unit: str
) -> None:
    variant = render_variant(BANK, "loops-requests", seed)
    factor = {"ms": 1, "s": 1000, "us": 0.001, "min": 60000}[unit]
    in_ms = score_response(variant, value * factor)
    with_unit = score_response(variant, f"{value!r} {unit}")
    distance = abs(value * factor - variant.key.answer)  # type: ignore[union-attr]
    if abs(distance - 0.5) > 1e-6:  # away from the tolerance's edge, rounding cannot differ
        assert in_ms.points == with_unit.points
