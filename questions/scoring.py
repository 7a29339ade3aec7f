"""Scoring: one pure function per question type, from (variant, response) to a Score.

A response arrives as decoded JSON from a student's browser and may be anything. Each function
checks its shape first; a malformed response (wrong shape, unknown id, oversize) scores 0 with a
message saying what was expected, and never raises. `None` means "not answered" and scores 0.
Rules (README.md has them for students and authors):

- single_choice, true_false: all or nothing.
- multiple_choice: (right chosen - wrong chosen) / number of right options, floored at 0.
- fill_in: each blank an equal share; NFKC, case-folded (unless case_sensitive), whitespace
  collapsed; regexes full-match with a time limit.
- numeric: within the absolute or relative tolerance (exact otherwise), after converting units.
- matching: each pair an equal share. ordering: longest common subsequence / number of items.
- code: not scored here (status "external"): graders/ scores the submission.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from questions.answers import UnreadableAnswer, blank_matches, read_number
from questions.models import LocalizedText
from questions.units import UnitError, convert, lookup_unit
from questions.variants import (
    ChoiceKey,
    FillInKey,
    MatchingKey,
    NumericKey,
    OrderingKey,
    TrueFalseKey,
    Variant,
)

__all__ = [
    "PartScore",
    "Score",
    "score_code",
    "score_fill_in",
    "score_matching",
    "score_multiple_choice",
    "score_numeric",
    "score_ordering",
    "score_response",
    "score_single_choice",
    "score_true_false",
]

MAX_TEXT = 500
MAX_ID = 64


class PartScore(BaseModel):
    """Feedback on one part: an option, a blank, a pair, an item."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    part: str
    correct: bool
    feedback: LocalizedText | None = None


class Score(BaseModel):
    """What a response earned. `status` is "malformed" when the response had the wrong shape."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    question_id: str
    points: float
    max_points: float
    status: Literal["scored", "malformed", "external"] = "scored"
    message: LocalizedText | None = None
    parts: tuple[PartScore, ...] = ()

    @property
    def fraction(self) -> float:
        return self.points / self.max_points if self.max_points else 0.0


def _text(zh: str, en: str) -> LocalizedText:
    return {"zh-CN": zh, "en": en}


RIGHT = _text("正确。", "Correct.")
WRONG = _text("不正确。", "Incorrect.")


def _score(
    variant: Variant, fraction: float, parts: list[PartScore], message: LocalizedText | None = None
) -> Score:
    fraction = min(1.0, max(0.0, fraction))
    max_points = variant.student.points
    return Score(
        question_id=variant.question_id,
        points=round(max_points * fraction, 6),
        max_points=max_points,
        message=message,
        parts=tuple(parts),
    )


def _malformed(variant: Variant, zh: str, en: str) -> Score:
    return Score(
        question_id=variant.question_id,
        points=0.0,
        max_points=variant.student.points,
        status="malformed",
        message=_text(zh, en),
    )


def _unanswered(variant: Variant) -> Score:
    return _score(variant, 0.0, [], _text("未作答。", "No answer was given."))


def _is_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID


def _id_list(
    variant: Variant, response: object, known: set[str], what: tuple[str, str]
) -> list[str] | Score:
    if not isinstance(response, list | tuple):
        return _malformed(
            variant, f"应为{what[0]} id 的列表。", f"Expected a list of {what[1]} ids."
        )
    if len(response) > len(known):
        return _malformed(
            variant,
            f"列表比{what[0]}数量还长。",
            f"The list is longer than the number of {what[1]}s.",
        )
    if not all(_is_id(x) for x in response):
        return _malformed(
            variant,
            f"列表中每一项都应是{what[0]} id。",
            f"Every entry must be the id of one of the {what[1]}s.",
        )
    ids: list[str] = list(response)
    unknown = [x for x in ids if x not in known]
    if unknown:
        return _malformed(
            variant,
            f"未知的{what[0]}：{unknown[0][:MAX_ID]}",
            f"Unknown {what[1]}: {unknown[0][:MAX_ID]}",
        )
    if len(set(ids)) != len(ids):
        return _malformed(
            variant, f"同一个{what[0]}出现了两次。", f"The same {what[1]} appears twice."
        )
    return ids


def score_single_choice(variant: Variant, response: object) -> Score:
    """Response: the id of one shown option. Usage: `score_single_choice(v, "3f2a09c1")`"""
    key = variant.key
    assert isinstance(key, ChoiceKey)
    if response is None:
        return _unanswered(variant)
    shown = {o.id for o in variant.student.options}
    if not _is_id(response):
        return _malformed(
            variant, "应为一个选项 id（字符串）。", "Expected one option id (a string)."
        )
    assert isinstance(response, str)
    if response not in shown:
        return _malformed(variant, f"未知的选项：{response}", f"Unknown option: {response}")
    right = response in key.correct
    part = PartScore(
        part=response, correct=right, feedback=key.feedback.get(response, RIGHT if right else WRONG)
    )
    return _score(variant, 1.0 if right else 0.0, [part])


def score_multiple_choice(variant: Variant, response: object) -> Score:
    """Response: a list of shown option ids. Right minus wrong over the number right, floored at 0.

    Usage: `score_multiple_choice(v, ["3f2a09c1", "77b0e412"])`
    """
    key = variant.key
    assert isinstance(key, ChoiceKey)
    if response is None:
        return _unanswered(variant)
    chosen = _id_list(
        variant, response, {o.id for o in variant.student.options}, ("选项", "option")
    )
    if isinstance(chosen, Score):
        return chosen
    right = sum(1 for c in chosen if c in key.correct)
    wrong = len(chosen) - right
    parts = [
        PartScore(
            part=o.id,
            correct=(o.id in chosen) == (o.id in key.correct),
            feedback=key.feedback.get(o.id) if o.id in chosen or o.id in key.correct else None,
        )
        for o in variant.student.options
    ]
    return _score(variant, (right - wrong) / max(1, len(key.correct)), parts)


def score_true_false(variant: Variant, response: object) -> Score:
    """Response: `true` or `false`. Usage: `score_true_false(v, False)`"""
    key = variant.key
    assert isinstance(key, TrueFalseKey)
    if response is None:
        return _unanswered(variant)
    if not isinstance(response, bool):
        return _malformed(variant, "应为 true 或 false。", "Expected true or false.")
    right = response == key.answer
    return _score(
        variant,
        1.0 if right else 0.0,
        [PartScore(part="answer", correct=right, feedback=RIGHT if right else WRONG)],
    )


def score_fill_in(variant: Variant, response: object) -> Score:
    """Response: `{"blank-id": "text", ...}`; a missing blank counts as unanswered.

    Usage: `score_fill_in(v, {"b1": "epoll"})`
    """
    key = variant.key
    assert isinstance(key, FillInKey)
    if response is None:
        return _unanswered(variant)
    if not isinstance(response, dict):
        return _malformed(
            variant, "应为 {空格 id: 文本} 的对象。", 'Expected an object {"blank-id": "text"}.'
        )
    known = {b.id for b in key.blanks}
    for name, value in response.items():
        if name not in known:
            shown = str(name)[:MAX_ID]
            return _malformed(variant, f"未知的空格：{shown}", f"Unknown blank: {shown}")
        if value is not None and not isinstance(value, str):
            return _malformed(
                variant,
                f"空格 {name} 的答案应为文本。",
                f"The answer for blank {name} must be text.",
            )
        if isinstance(value, str) and len(value) > MAX_TEXT:
            return _malformed(
                variant,
                f"空格 {name} 的答案超过 {MAX_TEXT} 个字符。",
                f"The answer for blank {name} is longer than {MAX_TEXT} characters.",
            )
    parts = []
    for blank in key.blanks:
        answer = response.get(blank.id)
        right = isinstance(answer, str) and blank_matches(answer, blank)
        parts.append(PartScore(part=blank.id, correct=right, feedback=RIGHT if right else WRONG))
    return _score(variant, sum(p.correct for p in parts) / len(parts), parts)


def score_numeric(variant: Variant, response: object) -> Score:
    """Response: a number (in the question's unit) or text like `"1.2 s"` (converted).

    Usage: `score_numeric(v, "1.2 s")` scores like `score_numeric(v, 1200)` when the unit is ms.
    """
    key = variant.key
    assert isinstance(key, NumericKey)
    if response is None:
        return _unanswered(variant)
    try:
        value, unit = read_number(response)
    except UnreadableAnswer as error:
        return _malformed(variant, error.zh, error.en)
    if unit is not None:
        if key.unit is None:
            return _score(
                variant,
                0.0,
                [],
                _text(
                    f"本题答案不带单位，却给出了 {unit}。",
                    f"This answer takes no unit, but {unit} was given.",
                ),
            )
        canonical = lookup_unit(unit) or unit
        try:
            value = convert(value, canonical, key.unit)
        except UnitError:
            return _score(
                variant,
                0.0,
                [],
                _text(
                    f"单位 {unit} 无法换算为 {key.unit}。",
                    f"The unit {unit} cannot be converted to {key.unit}.",
                ),
            )
    slack = 1e-9 * max(1.0, abs(key.answer))
    if key.absolute is not None:
        slack = max(slack, key.absolute + slack)
    if key.relative is not None:
        slack = max(slack, key.relative * abs(key.answer) + slack)
    right = abs(value - key.answer) <= slack
    return _score(
        variant,
        1.0 if right else 0.0,
        [PartScore(part="answer", correct=right, feedback=RIGHT if right else WRONG)],
    )


def score_matching(variant: Variant, response: object) -> Score:
    """Response: `{"left-id": "right-id", ...}`; each pair an equal share.

    Usage: `score_matching(v, {left.id: right.id for left, right in my_pairs})`
    """
    key = variant.key
    assert isinstance(key, MatchingKey)
    if response is None:
        return _unanswered(variant)
    if not isinstance(response, dict):
        return _malformed(
            variant,
            "应为 {左项 id: 右项 id} 的对象。",
            'Expected an object {"left-id": "right-id"}.',
        )
    lefts = {c.id for c in variant.student.left}
    rights = {c.id for c in variant.student.right}
    for left, right in response.items():
        if left not in lefts:
            return _malformed(
                variant,
                f"未知的左项：{str(left)[:MAX_ID]}",
                f"Unknown left entry: {str(left)[:MAX_ID]}",
            )
        if right is not None and (not isinstance(right, str) or right not in rights):
            shown = str(right)[:MAX_ID]
            return _malformed(variant, f"未知的右项：{shown}", f"Unknown right entry: {shown}")
    parts = [
        PartScore(
            part=c.id,
            correct=response.get(c.id) == key.pairs[c.id],
            feedback=RIGHT if response.get(c.id) == key.pairs[c.id] else WRONG,
        )
        for c in variant.student.left
    ]
    return _score(variant, sum(p.correct for p in parts) / len(parts), parts)


def _lcs(a: list[str], b: tuple[str, ...]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        previous = 0
        for j, y in enumerate(b, start=1):
            current = row[j]
            row[j] = previous + 1 if x == y else max(row[j], row[j - 1])
            previous = current
    return row[-1]


def score_ordering(variant: Variant, response: object) -> Score:
    """Response: shown item ids in the student's order; scores the longest correct subsequence / n.

    Usage: `score_ordering(v, [item.id for item in my_order])`
    """
    key = variant.key
    assert isinstance(key, OrderingKey)
    if response is None:
        return _unanswered(variant)
    order = _id_list(variant, response, {c.id for c in variant.student.items}, ("条目", "item"))
    if isinstance(order, Score):
        return order
    parts = [
        PartScore(part=item, correct=i < len(order) and order[i] == item, feedback=None)
        for i, item in enumerate(key.order)
    ]
    return _score(variant, _lcs(order, key.order) / len(key.order), parts)


def score_code(variant: Variant, response: object) -> Score:
    """Code answers are graded by graders/; this only says so (status "external")."""
    return Score(
        question_id=variant.question_id,
        points=0.0,
        max_points=variant.student.points,
        status="external",
        message=_text("代码题由评测器评分。", "Code answers are graded by the grader."),
    )


_SCORERS: dict[str, Callable[[Variant, object], Score]] = {
    "single_choice": score_single_choice,
    "multiple_choice": score_multiple_choice,
    "true_false": score_true_false,
    "fill_in": score_fill_in,
    "numeric": score_numeric,
    "matching": score_matching,
    "ordering": score_ordering,
    "code": score_code,
}


def score_response(variant: Variant, response: object) -> Score:
    """Score any response to any variant; never raises on the response.

    Usage: `score_response(render_variant(bank, qid, seed), {"b1": "epoll"}).points`
    """
    return _SCORERS[variant.student.type](variant, response)
