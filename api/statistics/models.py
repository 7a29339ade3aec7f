"""Item statistics schemas. Every undefined measure is null, never NaN."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import SQLModel

__all__ = [
    "AttemptsCounted",
    "HistogramBin",
    "OptionCount",
    "QuestionStatistics",
    "QuizStatistics",
]


class AttemptsCounted(StrEnum):
    counted = "counted"
    """Each student's attempt that counts (highest or last): one per student."""
    all = "all"
    """Every submitted attempt."""


class HistogramBin(SQLModel):
    lower: float
    """Fraction of the maximum, inclusive."""
    upper: float
    """Fraction of the maximum, exclusive (the last bin includes 1)."""
    count: int


class OptionCount(SQLModel):
    """How often an option was chosen, under the id its author wrote (students saw their own
    shuffled ids; these are mapped back, so counts add up across students)."""

    id: str
    text: str
    count: int
    correct: bool | None
    """Whether choosing it is right; null when that depends on the variant's parameters."""


class QuestionStatistics(SQLModel):
    bank_version_id: int
    question_id: str
    question_type: str
    positions: list[int]
    """Where it appeared in attempts (several for a question drawn at random)."""
    n: int
    """Attempts in which it was scored (answers awaiting grading are left out)."""
    unanswered: int
    max_points: float
    mean: float | None
    """Mean points earned."""
    sd: float | None
    facility: float | None
    """Mean fraction of the points earned, 0 to 1 (1: everyone got full marks)."""
    discrimination: float | None
    """Point-biserial correlation between this item's score and the rest-of-test score
    (the attempt's total without this item), -1 to 1; null when undefined."""
    options: list[OptionCount] | None
    """Choice and true/false questions: counts per option."""
    histogram: list[HistogramBin]
    """Item scores as fractions of the points, in 10 bins."""


class QuizStatistics(SQLModel):
    quiz_id: int
    attempts: AttemptsCounted
    n: int
    """Attempts analysed."""
    max_score: float
    mean: float | None
    sd: float | None
    median: float | None
    histogram: list[HistogramBin]
    """Attempt totals as fractions of `max_score`, in 10 bins."""
    questions: list[QuestionStatistics]
