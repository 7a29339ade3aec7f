"""Variants: what one (question, seed) renders to, split into what the student sees and the key.

`StudentVariant` has no field that can hold an answer, so sending it to a browser cannot leak
one. Options, matching columns and ordering items get per-variant opaque ids drawn from the
variant's own `random.Random`, so an author's habit of making `a` the right option shows
nowhere; the `AnswerKey` maps them back. The same (question, seed) always renders the same
text, order, ids and key.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from questions.expressions import compile_expression
from questions.models import (
    Bank,
    CodeQuestion,
    FillInQuestion,
    LocalizedText,
    MatchingQuestion,
    MultipleChoiceQuestion,
    Number,
    NumericQuestion,
    OrderingQuestion,
    ParamValues,
    Question,
    QuestionType,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from questions.params import derive_values, fill, sample_params

__all__ = [
    "AnswerKey",
    "BlankKey",
    "Choice",
    "ChoiceKey",
    "CodeKey",
    "FillInKey",
    "MatchingKey",
    "NumericKey",
    "OrderingKey",
    "StudentVariant",
    "TrueFalseKey",
    "Variant",
    "render_question",
    "render_variant",
    "variant_seed",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Choice(_Frozen):
    """One shown option, matching entry or ordering item: an opaque id and its text."""

    id: str
    text: LocalizedText


class StudentVariant(_Frozen):
    """Everything a student may see before grading. It has no field for a key, by design."""

    question_id: str
    seed: int
    type: QuestionType
    points: float
    languages: tuple[str, ...]
    text: LocalizedText
    options: tuple[Choice, ...] = ()
    """single_choice, multiple_choice: in shown order."""
    blanks: tuple[str, ...] = ()
    """fill_in: blank ids, each written `[[id]]` in the text."""
    unit: str | None = None
    """numeric: the unit the answer is expected in."""
    left: tuple[Choice, ...] = ()
    right: tuple[Choice, ...] = ()
    """matching: match each left entry to a right entry (right may hold distractors)."""
    items: tuple[Choice, ...] = ()
    """ordering: in shown (shuffled) order."""
    assignment: str | None = None
    """code: the graders/ assignment the submission is graded by."""


class _Key(_Frozen):
    explanation: LocalizedText
    authored: dict[str, str] = Field(default_factory=dict)
    """shown id -> what the author wrote it as (option id, `item-2`...), for item statistics."""


class ChoiceKey(_Key):
    type: Literal["single_choice", "multiple_choice"]
    correct: frozenset[str]
    feedback: dict[str, LocalizedText] = Field(default_factory=dict)


class TrueFalseKey(_Key):
    type: Literal["true_false"]
    answer: bool


class BlankKey(_Frozen):
    id: str
    accept: tuple[str, ...]
    regex: tuple[str, ...]
    case_sensitive: bool


class FillInKey(_Key):
    type: Literal["fill_in"]
    blanks: tuple[BlankKey, ...]


class NumericKey(_Key):
    type: Literal["numeric"]
    answer: float
    absolute: float | None
    relative: float | None
    unit: str | None


class MatchingKey(_Key):
    type: Literal["matching"]
    pairs: dict[str, str]
    """left id -> right id."""


class OrderingKey(_Key):
    type: Literal["ordering"]
    order: tuple[str, ...]


class CodeKey(_Key):
    type: Literal["code"]
    assignment: str


AnswerKey = Annotated[
    ChoiceKey | TrueFalseKey | FillInKey | NumericKey | MatchingKey | OrderingKey | CodeKey,
    Field(discriminator="type"),
]


class Variant(_Frozen):
    """One rendered (question, seed): `student` goes to the browser, `key` stays on the server."""

    question_id: str
    seed: int
    values: dict[str, Number | str | bool] = Field(default_factory=dict)
    student: StudentVariant
    key: AnswerKey


def variant_seed(*, quiz: str, student: str, question: str, secret: str = "") -> int:
    """A stable seed for one student's copy of one question in one quiz.

    With a server `secret` the seed cannot be computed by a student who reads this code.
    Usage: `variant_seed(quiz="q7", student="s42", question="ioloop-add-callback", secret=key)`
    """
    message = "\0".join((quiz, student, question)).encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def _rng(question_id: str, seed: int) -> random.Random:
    digest = hashlib.sha256(f"quizloop-variant\0{question_id}\0{seed}".encode()).digest()
    # Reproducible by design: the seed, not this generator, is what a student must not know.
    return random.Random(int.from_bytes(digest[:16], "big"))  # noqa: S311


def _ids(rng: random.Random, count: int) -> list[str]:
    ids: list[str] = []
    while len(ids) < count:
        candidate = f"{rng.getrandbits(32):08x}"
        if candidate not in ids:
            ids.append(candidate)
    return ids


class _Renderer:
    def __init__(self, question: Question, languages: tuple[str, ...], values: dict[str, object]):
        self.question = question
        self.languages = languages
        self.values = values
        self.fills = question.parameterised

    def text(self, text: LocalizedText) -> LocalizedText:
        out = {}
        for language in self.languages:
            # A draft awaiting translation may lack a language: show what there is.
            raw = text.get(language) or next(iter(text.values()))
            out[language] = fill(raw, self.values) if self.fills else raw  # type: ignore[arg-type]
        return out

    def plain(self, raw: str) -> str:
        return fill(raw, self.values) if self.fills else raw  # type: ignore[arg-type]

    def truth(self, value: bool | str) -> bool:
        if isinstance(value, bool):
            return value
        return bool(compile_expression(value, frozenset(self.values)).evaluate(self.values))  # type: ignore[arg-type]


def render_question(
    question: Question,
    seed: int,
    *,
    language: str | None = None,
    generated: tuple[ParamValues, ...] = (),
    params: ParamValues | None = None,
) -> Variant:
    """Render one variant. Raises ExpressionError when the question's formulas fail for this seed.

    `params` forces the parameter values (validation walks every combination this way).
    Usage: `render_question(question, seed=7, language="en").student.text["en"]`
    """
    rng = _rng(question.id, seed)
    if params is not None:
        values: ParamValues = dict(params)
    elif question.generator:
        if not generated:
            raise ValueError(f"{question.id}: generator {question.generator!r} has no values")
        values = dict(generated[rng.randrange(len(generated))])
    else:
        values = sample_params(question.params, rng)
    values = derive_values(values, question.derived) if question.derived else values
    languages = (language,) if language else tuple(question.text)
    if language and language not in question.text and question.status != "draft":
        raise ValueError(f"{question.id} has no text in {language!r}")
    r = _Renderer(question, languages, values)  # type: ignore[arg-type]
    key: AnswerKey
    shown: dict[str, object] = {}
    explanation = r.text(question.explanation)
    if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        ids = _ids(rng, len(question.options))
        order = list(range(len(question.options)))
        if question.shuffle:
            rng.shuffle(order)
        shown["options"] = tuple(
            Choice(id=ids[i], text=r.text(question.options[i].text)) for i in order
        )
        key = ChoiceKey(
            type=question.type,
            explanation=explanation,
            correct=frozenset(ids[i] for i, o in enumerate(question.options) if r.truth(o.correct)),
            feedback={
                ids[i]: r.text(o.feedback) for i, o in enumerate(question.options) if o.feedback
            },
            authored={ids[i]: o.id for i, o in enumerate(question.options)},
        )
    elif isinstance(question, TrueFalseQuestion):
        key = TrueFalseKey(
            type="true_false", explanation=explanation, answer=r.truth(question.answer)
        )
    elif isinstance(question, FillInQuestion):
        shown["blanks"] = tuple(b.id for b in question.blanks)
        blanks = tuple(
            BlankKey(
                id=b.id,
                accept=tuple(r.plain(a) for a in b.accept),
                regex=tuple(r.plain(x) for x in b.regex),
                case_sensitive=b.case_sensitive,
            )
            for b in question.blanks
        )
        key = FillInKey(type="fill_in", explanation=explanation, blanks=blanks)
    elif isinstance(question, NumericQuestion):
        answer = question.answer
        if isinstance(answer, str):
            answer = compile_expression(answer, frozenset(values)).number(values)
        shown["unit"] = question.unit
        key = NumericKey(
            type="numeric",
            explanation=explanation,
            answer=float(answer),
            absolute=question.tolerance.absolute,
            relative=question.tolerance.relative,
            unit=question.unit,
        )
    elif isinstance(question, MatchingQuestion):
        left_ids = _ids(rng, len(question.pairs))
        right_ids = _ids(rng, len(question.pairs) + len(question.distractors))
        rights = [p.right for p in question.pairs] + list(question.distractors)
        order = list(range(len(rights)))
        rng.shuffle(order)
        shown["left"] = tuple(
            Choice(id=left_ids[i], text=r.text(p.left)) for i, p in enumerate(question.pairs)
        )
        shown["right"] = tuple(Choice(id=right_ids[i], text=r.text(rights[i])) for i in order)
        authored = {left_ids[i]: f"pair-{i + 1}" for i in range(len(question.pairs))}
        authored |= {right_ids[i]: f"right-{i + 1}" for i in range(len(rights))}
        key = MatchingKey(
            type="matching",
            explanation=explanation,
            pairs={left_ids[i]: right_ids[i] for i in range(len(question.pairs))},
            authored=authored,
        )
    elif isinstance(question, OrderingQuestion):
        ids = _ids(rng, len(question.items))
        order = list(range(len(question.items)))
        # A shuffle that happens to leave the items in the right order shows the key: avoid it.
        while order == sorted(order):
            rng.shuffle(order)
        shown["items"] = tuple(Choice(id=ids[i], text=r.text(question.items[i])) for i in order)
        key = OrderingKey(
            type="ordering",
            explanation=explanation,
            order=tuple(ids),
            authored={ids[i]: f"item-{i + 1}" for i in range(len(ids))},
        )
    else:
        assert isinstance(question, CodeQuestion)
        shown["assignment"] = question.assignment
        key = CodeKey(type="code", explanation=explanation, assignment=question.assignment)
    student = StudentVariant(
        question_id=question.id,
        seed=seed,
        type=question.type,
        points=float(question.points),
        languages=languages,
        text=r.text(question.text),
        **shown,  # type: ignore[arg-type]
    )
    return Variant(question_id=question.id, seed=seed, values=values, student=student, key=key)


def render_variant(
    bank: Bank, question_id: str, seed: int, *, language: str | None = None
) -> Variant:
    """Render `question_id` of a loaded bank for `seed`, in one language or all of the bank's.

    Usage: `render_variant(bank, "tornado-epoll", seed=variant_seed(quiz=q, student=s, question=i))`
    """
    question = bank.question(question_id)
    return render_question(
        question, seed, language=language, generated=bank.generated.get(question_id, ())
    )
