"""The bank on disk, as typed models: a manifest and one question class per type.

These classes are the schema of the YAML files (README.md is its prose). They check shape and
local rules; rules that need the whole bank (languages of the manifest, unique ids, notes
headings, rendering every seed) live in `checks.py`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, TypeAdapter

__all__ = [
    "Bank",
    "Blank",
    "ChoiceQuestion",
    "CodeQuestion",
    "FillInQuestion",
    "LocalizedText",
    "Manifest",
    "MatchingQuestion",
    "MultipleChoiceQuestion",
    "NumericQuestion",
    "Option",
    "OrderingQuestion",
    "Pair",
    "ParamChoice",
    "ParamRange",
    "Question",
    "QuestionType",
    "SingleChoiceQuestion",
    "Tolerance",
    "TrueFalseQuestion",
]

QuestionType = Literal[
    "single_choice",
    "multiple_choice",
    "true_false",
    "fill_in",
    "numeric",
    "matching",
    "ordering",
    "code",
]
QUESTION_TYPES: tuple[QuestionType, ...] = QuestionType.__args__  # type: ignore[attr-defined]


def _number_to_text(value: object) -> object:
    # `accept: [200]` is written as a number in YAML; the author means the text "200".
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=40)]
Text = Annotated[str, BeforeValidator(_number_to_text), StringConstraints(min_length=1)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
LocalizedText = dict[Language, Text]
"""One text per language, e.g. `{"zh-CN": "镜像", "en": "Image"}`."""
Number = int | float
Expr = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Manifest(_Model):
    """`bank.yaml`: what the bank is and which languages every text must have."""

    id: Slug
    title: LocalizedText
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")]
    languages: Annotated[tuple[Language, ...], Field(min_length=1)]
    notes: str | None = None
    description: LocalizedText | None = None
    generator_seeds: Annotated[int, Field(ge=1, le=10_000)] = 100
    """How many parameter sets each generator function is asked for (the variants it offers)."""


class ParamRange(_Model):
    """`{range: [a, b], step: s}`: a, a+s, ... up to b inclusive."""

    range: tuple[Number, Number]
    step: Annotated[Number, Field(gt=0)] = 1


class ParamChoice(_Model):
    """`{choice: [...]}`: one of the listed values."""

    choice: Annotated[tuple[Number | str, ...], Field(min_length=1, max_length=1000)]


ParamSpec = ParamRange | ParamChoice


class _QuestionBase(_Model):
    id: Slug
    topic: Slug
    tags: tuple[Annotated[str, StringConstraints(min_length=1, max_length=40)], ...] = ()
    difficulty: Annotated[int, Field(ge=1, le=5)]
    points: Annotated[Number, Field(gt=0, le=1000)] = 1
    source: Annotated[
        tuple[Annotated[str, StringConstraints(min_length=1)], ...], Field(min_length=1)
    ]
    status: Literal["ready", "draft"] = "ready"
    text: LocalizedText
    explanation: LocalizedText
    params: dict[Identifier, ParamSpec] = Field(default_factory=dict)
    derived: dict[Identifier, Expr | Number] = Field(default_factory=dict)
    generator: Identifier | None = None
    needs_translation: tuple[Language, ...] = ()
    """Languages whose texts are still copies awaiting translation (drafts only)."""

    @property
    def parameterised(self) -> bool:
        return bool(self.params or self.derived or self.generator)


class Option(_Model):
    id: Slug
    text: LocalizedText
    correct: bool | Expr = False
    """True/false, or an expression over params for options whose truth depends on the variant."""
    feedback: LocalizedText | None = None


class _ChoiceBase(_QuestionBase):
    options: Annotated[tuple[Option, ...], Field(min_length=2, max_length=26)]
    shuffle: bool = True


class SingleChoiceQuestion(_ChoiceBase):
    type: Literal["single_choice"]


class MultipleChoiceQuestion(_ChoiceBase):
    type: Literal["multiple_choice"]


ChoiceQuestion = SingleChoiceQuestion | MultipleChoiceQuestion


class TrueFalseQuestion(_QuestionBase):
    type: Literal["true_false"]
    answer: bool | Expr


class Blank(_Model):
    id: Slug
    accept: tuple[Annotated[Text, StringConstraints(max_length=500)], ...] = ()
    regex: tuple[Annotated[str, StringConstraints(min_length=1, max_length=300)], ...] = ()
    case_sensitive: bool = False


class FillInQuestion(_QuestionBase):
    type: Literal["fill_in"]
    blanks: Annotated[tuple[Blank, ...], Field(min_length=1, max_length=20)]


class Tolerance(_Model):
    absolute: Annotated[Number, Field(ge=0)] | None = None
    relative: Annotated[Number, Field(ge=0, lt=1)] | None = None


class NumericQuestion(_QuestionBase):
    type: Literal["numeric"]
    answer: Number | Expr
    tolerance: Tolerance = Tolerance()
    unit: Annotated[str, StringConstraints(min_length=1, max_length=20)] | None = None


class Pair(_Model):
    left: LocalizedText
    right: LocalizedText


class MatchingQuestion(_QuestionBase):
    type: Literal["matching"]
    pairs: Annotated[tuple[Pair, ...], Field(min_length=2, max_length=20)]
    distractors: Annotated[tuple[LocalizedText, ...], Field(max_length=20)] = ()


class OrderingQuestion(_QuestionBase):
    type: Literal["ordering"]
    items: Annotated[tuple[LocalizedText, ...], Field(min_length=2, max_length=20)]


class CodeQuestion(_QuestionBase):
    type: Literal["code"]
    assignment: Slug
    points: Annotated[Number, Field(gt=0, le=1000)] = 5


Question = Annotated[
    SingleChoiceQuestion
    | MultipleChoiceQuestion
    | TrueFalseQuestion
    | FillInQuestion
    | NumericQuestion
    | MatchingQuestion
    | OrderingQuestion
    | CodeQuestion,
    Field(discriminator="type"),
]
QUESTION_ADAPTER: TypeAdapter[Question] = TypeAdapter(Question)
QUESTION_CLASSES: dict[str, type[_QuestionBase]] = {
    "single_choice": SingleChoiceQuestion,
    "multiple_choice": MultipleChoiceQuestion,
    "true_false": TrueFalseQuestion,
    "fill_in": FillInQuestion,
    "numeric": NumericQuestion,
    "matching": MatchingQuestion,
    "ordering": OrderingQuestion,
    "code": CodeQuestion,
}

ParamValues = dict[str, Number | str | bool]


class Bank(_Model):
    """A loaded, validated bank: pure data, safe to pickle or store as an immutable version.

    `generated` holds each generator question's parameter sets, computed once at load time, so
    rendering a variant never runs bank code.
    """

    manifest: Manifest
    questions: dict[str, Question]
    files: dict[str, str] = Field(default_factory=dict)
    """question id -> file path relative to the bank folder."""
    generated: dict[str, tuple[ParamValues, ...]] = Field(default_factory=dict)
    notes_headings: tuple[tuple[str, ...], ...] = ()

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError when the bank has none."""
        return self.questions[question_id]
