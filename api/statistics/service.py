"""Item statistics of a quiz from its submitted attempts (formulas: api/statistics/measures.py).

Per question (a bank version's question, wherever it appeared): n, mean, facility,
discrimination, counts per option for choice and true/false questions, a score histogram.
Scores are the items' scores that count (after overrides); an answer still awaiting grading
is left out of its question's figures, and is not in its attempt's total yet.

Usage:
    stats = quiz_statistics(session=session, quiz=quiz, attempts=AttemptsCounted.counted,
                            lang="en")
"""

from __future__ import annotations

import statistics as pystats
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from api.attempts.models import Attempt, AttemptItem, AttemptStatus
from api.attempts.service import counted_attempt
from api.banks.store import parsed_bank, rendered_variant
from api.courses.models import localized
from api.gradebook.service import CHUNK, quiz_columns
from api.i18n import Language
from api.quizzes.models import Quiz
from api.statistics import measures
from api.statistics.models import (
    AttemptsCounted,
    HistogramBin,
    OptionCount,
    QuestionStatistics,
    QuizStatistics,
)
from questions import Variant
from questions.variants import ChoiceKey, TrueFalseKey

__all__ = ["quiz_statistics"]

CHOICE_TYPES = frozenset({"single_choice", "multiple_choice"})


@dataclass(slots=True)
class _Question:
    question_type: str
    positions: set[int] = field(default_factory=set)
    scores: list[float] = field(default_factory=list)
    maxima: list[float] = field(default_factory=list)
    rest: list[float] = field(default_factory=list)
    unanswered: int = 0
    chosen: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    right: dict[str, set[bool]] = field(default_factory=lambda: defaultdict(set))


def _analysed(session: Session, quiz: Quiz, which: AttemptsCounted) -> list[Attempt]:
    submitted = list(
        session.exec(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.status == AttemptStatus.submitted)
            .order_by(col(Attempt.id))
        )
    )
    if which == AttemptsCounted.all:
        return submitted
    by_student: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in submitted:
        by_student[attempt.student_id].append(attempt)
    chosen = (counted_attempt(quiz, mine) for mine in by_student.values())
    return sorted((a for a in chosen if a is not None), key=lambda a: a.id or 0)


@dataclass(frozen=True, slots=True)
class _Answer:
    """What statistics read of an item (not its stored result: parsing every one is slow)."""

    attempt_id: int
    position: int
    bank_version_id: int
    question_id: str
    question_type: str
    seed: int
    points: float
    response: Any
    score: float | None


def _answers(session: Session, attempts: Sequence[Attempt]) -> list[_Answer]:
    ids = [a.id for a in attempts if a.id is not None]
    columns = [
        col(column)
        for column in (
            AttemptItem.attempt_id,
            AttemptItem.position,
            AttemptItem.bank_version_id,
            AttemptItem.question_id,
            AttemptItem.question_type,
            AttemptItem.seed,
            AttemptItem.points,
            AttemptItem.response,
            AttemptItem.score,
        )
    ]
    answers: list[_Answer] = []
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            sa.select(*columns).where(col(AttemptItem.attempt_id).in_(ids[start : start + CHUNK]))
        )
        answers.extend(_Answer(*row) for row in rows)
    return answers


def _variant(session: Session, attempt: Attempt, answer: _Answer) -> Variant:
    bank = parsed_bank(session, answer.bank_version_id)
    return rendered_variant(
        answer.bank_version_id,
        bank,
        answer.question_id,
        answer.seed,
        None,
        shuffle=attempt.shuffle_options,
    )


def _count_options(question: _Question, item: _Answer, variant: Variant) -> None:
    key = variant.key
    if isinstance(key, TrueFalseKey):
        for value in (True, False):
            question.right[str(value).lower()].add(key.answer == value)
        if isinstance(item.response, bool):
            question.chosen[str(item.response).lower()] += 1
        return
    if not isinstance(key, ChoiceKey):
        return
    for shown_id, option_id in key.authored.items():
        question.right[option_id].add(shown_id in key.correct)
    response = item.response
    picked = [response] if isinstance(response, str) else response
    if not isinstance(picked, list):
        return
    for choice in picked:
        authored = key.authored.get(choice) if isinstance(choice, str) else None
        if authored is not None:  # stored answers were validated; stay safe anyway
            question.chosen[authored] += 1


def _options(
    session: Session, version_id: int, question_id: str, data: _Question, lang: Language
) -> list[OptionCount] | None:
    if data.question_type == "true_false":
        labels = {
            "true": ("true", "正确" if lang == "zh-CN" else "True"),
            "false": ("false", "错误" if lang == "zh-CN" else "False"),
        }
        return [
            OptionCount(
                id=option_id,
                text=text,
                count=data.chosen.get(option_id, 0),
                correct=_agreed(data.right.get(option_id, set())),
            )
            for option_id, text in labels.values()
        ]
    if data.question_type not in CHOICE_TYPES:
        return None
    question = parsed_bank(session, version_id).question(question_id)
    return [
        OptionCount(
            id=option.id,
            text=localized(dict(option.text), lang) or option.id,
            count=data.chosen.get(option.id, 0),
            correct=_agreed(data.right.get(option.id, set())),
        )
        for option in getattr(question, "options", ())
    ]


def _agreed(values: set[bool]) -> bool | None:
    return next(iter(values)) if len(values) == 1 else None


def _bins(fractions: Sequence[float]) -> list[HistogramBin]:
    return [
        HistogramBin(lower=b.lower, upper=b.upper, count=b.count)
        for b in measures.histogram(fractions)
    ]


def _rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def quiz_statistics(
    *, session: Session, quiz: Quiz, attempts: AttemptsCounted, lang: Language
) -> QuizStatistics:
    """Statistics of the quiz's submitted attempts (each student's counted one, or all)."""
    assert quiz.id is not None
    analysed = _analysed(session, quiz, attempts)
    by_attempt = {a.id: a for a in analysed}
    questions: dict[tuple[int, str], _Question] = {}
    for item in _answers(session, analysed):
        attempt = by_attempt[item.attempt_id]
        data = questions.setdefault(
            (item.bank_version_id, item.question_id), _Question(item.question_type)
        )
        data.positions.add(item.position)
        if item.response is None:
            data.unanswered += 1
        if item.question_type in CHOICE_TYPES or item.question_type == "true_false":
            _count_options(data, item, _variant(session, attempt, item))
        if item.score is None:  # awaiting grading
            continue
        data.scores.append(item.score)
        data.maxima.append(item.points)
        data.rest.append((attempt.score or 0.0) - item.score)
    max_score = sum(c.points for c in quiz_columns(session=session, quiz=quiz, lang=lang))
    totals = [a.score or 0.0 for a in analysed]
    return QuizStatistics(
        quiz_id=quiz.id,
        attempts=attempts,
        n=len(analysed),
        max_score=max_score,
        mean=_rounded(measures.mean(totals)),
        sd=_rounded(measures.stdev(totals)),
        median=_rounded(pystats.median(totals)) if totals else None,
        histogram=_bins([t / max_score for t in totals] if max_score > 0 else []),
        questions=[
            QuestionStatistics(
                bank_version_id=version_id,
                question_id=question_id,
                question_type=data.question_type,
                positions=sorted(data.positions),
                n=len(data.scores),
                unanswered=data.unanswered,
                max_points=max(data.maxima, default=0.0),
                mean=_rounded(measures.mean(data.scores)),
                sd=_rounded(measures.stdev(data.scores)),
                facility=_rounded(measures.facility(data.scores, data.maxima)),
                discrimination=_rounded(measures.point_biserial(data.scores, data.rest)),
                options=_options(session, version_id, question_id, data, lang),
                histogram=_bins(
                    [s / m for s, m in zip(data.scores, data.maxima, strict=True) if m > 0]
                ),
            )
            for (version_id, question_id), data in sorted(
                questions.items(), key=lambda kv: (min(kv[1].positions), kv[0])
            )
        ],
    )
