from __future__ import annotations

import pytest

from questions import Bank, Variant, render_variant, score_response
from questions.answers import normalize_answer, read_number
from questions.variants import MatchingKey, OrderingKey


def shown_id(variant: Variant, authored: str) -> str:
    return next(i for i, a in variant.key.authored.items() if a == authored)


@pytest.fixture
def single(bank: Bank) -> Variant:
    return render_variant(bank, "loops-single", 7)


def test_single_choice_scores_the_right_option_with_its_feedback(single: Variant) -> None:
    right = score_response(single, shown_id(single, "a"))
    assert (right.points, right.max_points, right.status) == (1.0, 1.0, "scored")
    assert right.parts[0].feedback == {
        "zh-CN": "对，epoll 报告就绪。",
        "en": "Right: epoll reports readiness.",
    }
    wrong = score_response(single, shown_id(single, "b"))
    assert wrong.points == 0
    assert wrong.parts[0].feedback == {
        "zh-CN": "那是阻塞模型。",
        "en": "That is the blocking model.",
    }


def test_authored_ids_are_not_valid_answers(single: Variant) -> None:
    score = score_response(single, "a")
    assert (score.points, score.status) == (0.0, "malformed")
    assert score.message == {"zh-CN": "未知的选项：a", "en": "Unknown option: a"}


@pytest.mark.parametrize(
    ("chosen", "points"),
    [
        pytest.param(["a", "b", "c"], 1.0, id="all-right"),
        pytest.param(["a", "b"], 2 / 3, id="two-of-three"),
        pytest.param(["a", "b", "c", "d"], 2 / 3, id="all-right-one-wrong"),
        pytest.param(["a", "d"], 0.0, id="one-right-one-wrong"),
        pytest.param(["d", "e"], 0.0, id="floored-at-zero"),
        pytest.param([], 0.0, id="nothing-chosen"),
    ],
)
def test_multiple_choice_is_right_minus_wrong_over_right_floored(
    bank: Bank, chosen: list[str], points: float
) -> None:
    variant = render_variant(bank, "loops-multiple", 1)
    score = score_response(variant, [shown_id(variant, c) for c in chosen])
    assert score.points == pytest.approx(points, abs=1e-6)


@pytest.mark.parametrize(
    ("answers", "points"),
    [
        pytest.param({"b1": "epoll", "b2": "IOCP"}, 1.0, id="exact"),
        pytest.param(
            {"b1": "  ＥＰＯＬＬ ", "b2": "I/O   completion ports"},
            1.0,
            id="full-width-case-spaces",
        ),
        pytest.param({"b1": "poll(7)", "b2": "iocp"}, 0.5, id="regex-and-case-sensitive-blank"),
        pytest.param({"b1": "kqueue"}, 0.0, id="wrong-and-missing"),
        pytest.param({"b2": "IOCP"}, 0.5, id="one-blank-unanswered"),
    ],
)
def test_fill_in_normalises_and_scores_each_blank(
    bank: Bank, answers: dict[str, str], points: float
) -> None:
    score = score_response(render_variant(bank, "loops-fill-in", 0), answers)
    assert score.points == pytest.approx(points)
    assert len(score.parts) == 2


def test_numbers_are_read_with_their_unit() -> None:
    assert read_number("1,200 ms") == (1200.0, "ms")
    assert read_number(" -.5e1s ") == (-5.0, "s")
    assert read_number(3) == (3.0, None)


def test_normalisation_is_nfkc_casefold_and_collapsed_whitespace() -> None:
    assert normalize_answer("  Ｅｐｏｌｌ\t WAIT ") == "epoll wait"
    assert normalize_answer("ＩＯＣＰ", case_sensitive=True) == "IOCP"


@pytest.mark.parametrize(
    ("response", "right"),
    [
        pytest.param("answer", True, id="number"),
        pytest.param("answer-in-seconds", True, id="converted-unit"),
        pytest.param("answer-plus-0.4", True, id="within-absolute-tolerance"),
        pytest.param("answer-plus-1", False, id="outside-tolerance"),
        pytest.param("answer-in-MB", False, id="incompatible-unit"),
    ],
)
def test_numeric_applies_tolerance_and_converts_units(
    bank: Bank, response: str, right: bool
) -> None:
    variant = render_variant(bank, "loops-requests", 11)
    answer = variant.key.answer  # type: ignore[union-attr]
    given: object = {
        "answer": answer,
        "answer-in-seconds": f"{answer / 1000} s",
        "answer-plus-0.4": answer + 0.4,
        "answer-plus-1": f"{answer + 1} ms",
        "answer-in-MB": f"{answer} MB",
    }[response]
    score = score_response(variant, given)
    assert score.status == "scored"
    assert score.points == (2.0 if right else 0.0)
    if response == "answer-in-MB":
        assert score.message == {
            "zh-CN": "单位 MB 无法换算为 ms。",
            "en": "The unit MB cannot be converted to ms.",
        }


def test_numeric_relative_tolerance_and_thousands_separators(bank: Bank) -> None:
    variant = render_variant(bank, "loops-ratio", 0)
    assert score_response(variant, 0.254).points == 1.0  # within 2 %
    assert score_response(variant, 0.26).points == 0.0
    assert score_response(variant, "250 ms").points == 1.0
    assert score_response(variant, "２５０ ms").points == 1.0  # full-width digits
    requests = render_variant(bank, "loops-requests", 2)
    answer = requests.key.answer  # type: ignore[union-attr]
    assert score_response(requests, f"{int(answer):,}").points == 2.0


def test_matching_scores_each_pair(bank: Bank) -> None:
    variant = render_variant(bank, "loops-matching", 4)
    key = variant.key
    assert isinstance(key, MatchingKey)
    assert score_response(variant, dict(key.pairs)).points == 1.0
    lefts = list(key.pairs)
    partial = {lefts[0]: key.pairs[lefts[0]], lefts[1]: key.pairs[lefts[2]]}
    assert score_response(variant, partial).points == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("order", "points"),
    [
        pytest.param([0, 1, 2, 3], 1.0, id="right"),
        pytest.param([1, 0, 2, 3], 0.75, id="one-swap"),
        pytest.param([3, 2, 1, 0], 0.25, id="reversed"),
        pytest.param([0, 1], 0.5, id="partial-list"),
    ],
)
def test_ordering_scores_the_longest_common_subsequence(
    bank: Bank, order: list[int], points: float
) -> None:
    variant = render_variant(bank, "loops-ordering", 8)
    key = variant.key
    assert isinstance(key, OrderingKey)
    assert score_response(variant, [key.order[i] for i in order]).points == pytest.approx(points)


def test_true_false_and_code(bank: Bank) -> None:
    variant = render_variant(bank, "loops-true-false", 0)
    assert score_response(variant, False).points == 1.0
    assert score_response(variant, True).points == 0.0
    assert score_response(variant, "false").status == "malformed"
    code = score_response(render_variant(bank, "coroutines-code", 0), "print(1)")
    assert (code.status, code.points, code.max_points) == ("external", 0.0, 8.0)


@pytest.mark.parametrize(
    ("question_id", "response", "message"),
    [
        pytest.param("loops-single", ["x"], "Expected one option id (a string).", id="single-list"),
        pytest.param("loops-multiple", "x", "Expected a list of option ids.", id="multiple-string"),
        pytest.param(
            "loops-multiple",
            ["x"] * 9,
            "The list is longer than the number of options.",
            id="multiple-oversize",
        ),
        pytest.param(
            "loops-fill-in",
            {"b1": "x" * 501},
            "The answer for blank b1 is longer than 500 characters.",
            id="fill-in-oversize",
        ),
        pytest.param("loops-fill-in", {"b9": "x"}, "Unknown blank: b9", id="fill-in-unknown-blank"),
        pytest.param(
            "loops-fill-in",
            {"b1": ["x"]},
            "The answer for blank b1 must be text.",
            id="fill-in-list",
        ),
        pytest.param("loops-requests", "fast", "Cannot read a number in: fast", id="numeric-words"),
        pytest.param("loops-requests", float("nan"), "Expected a finite number.", id="numeric-nan"),
        pytest.param("loops-requests", 10**400, "The number is too large.", id="numeric-huge"),
        pytest.param("loops-requests", True, "Expected a number.", id="numeric-bool"),
        pytest.param(
            "loops-matching", {"x": ["y"]}, "Unknown left entry: x", id="matching-unknown"
        ),
        pytest.param(
            "loops-ordering",
            [1, 2],
            "Every entry must be the id of one of the items.",
            id="ordering-ints",
        ),
    ],
)
def test_malformed_responses_score_zero_with_a_message_in_both_languages(
    bank: Bank, question_id: str, response: object, message: str
) -> None:
    score = score_response(render_variant(bank, question_id, 0), response)
    assert (score.points, score.status) == (0.0, "malformed")
    assert score.message is not None
    assert score.message["en"] == message
    assert score.message["zh-CN"]


def test_no_answer_scores_zero_and_says_so(bank: Bank) -> None:
    for question_id in bank.questions:
        score = score_response(render_variant(bank, question_id, 0), None)
        assert score.points == 0.0
        assert score.status in ("scored", "external")
