"""What a quiz is made of, and what each student's attempt gets.

Fixed items give every student the same question (their own variant of it). A draw picks
`count` questions per attempt from a filtered pool of a bank version, seeded by (quiz,
student, attempt number, item): the same attempt always has the same draw, so resuming on
another device shows the same questions. Pools are checked when the quiz is published, so a
draw can never come up short for a student.

Usage:
    problems = publish_problems(session=session, quiz=quiz, items=items)
    slots = compose_attempt(session=session, quiz=quiz, items=items, student_id=7, number=1)
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from api.banks.service import available_assignments
from api.banks.store import parsed_bank
from api.errors import FieldError, NotFound
from api.quizzes.models import DrawItemIn, FeedbackPolicy, ItemIn, Quiz, QuizItem
from questions import Bank as QuestionBank
from questions import Question, variant_seed
from questions.models import CodeQuestion

__all__ = [
    "Slot",
    "attempt_seed_scope",
    "compose_attempt",
    "draw_pool",
    "item_points",
    "item_problems",
    "publish_problems",
    "total_points",
]


@dataclass(frozen=True, slots=True)
class Slot:
    """One question of one attempt: where it came from and how it renders."""

    position: int
    item_id: int
    bank_version_id: int
    question_id: str
    points: float
    seed: int


def attempt_seed_scope(quiz: Quiz, number: int) -> str:
    """The `quiz` part of variant seeds: each attempt gets fresh variants and draws."""
    return f"{quiz.id}#{number}"


def _bank(session: Session, version_id: int) -> QuestionBank | None:
    try:
        return parsed_bank(session, version_id)
    except NotFound:
        return None


def _matches(question: Question, item: QuizItem | DrawItemIn) -> bool:
    if question.status != "ready":
        return False
    types = item.types or []
    if types and question.type not in types:
        return False
    if not types and question.type == "code":
        return False
    if item.topic is not None and question.topic != item.topic:
        return False
    if item.difficulties and question.difficulty not in item.difficulties:
        return False
    return all(tag in question.tags for tag in item.tags)


def draw_pool(bank: QuestionBank, item: QuizItem | DrawItemIn, exclude: set[str]) -> list[str]:
    """Ids of the questions a draw may pick, in bank order."""
    return [qid for qid, q in bank.questions.items() if qid not in exclude and _matches(q, item)]


def item_points(bank: QuestionBank, item: QuizItem) -> float:
    """Points of one question of `item`."""
    if item.points is not None:
        return item.points
    assert item.question_id is not None
    return float(bank.question(item.question_id).points)


def total_points(session: Session, items: Sequence[QuizItem]) -> tuple[int, float]:
    """(questions per attempt, the most points an attempt can earn)."""
    questions, points = 0, 0.0
    for item in items:
        bank = _bank(session, item.bank_version_id)
        if bank is None or (item.kind == "question" and item.question_id not in bank.questions):
            continue
        questions += item.count
        points += item.count * item_points(bank, item)
    return questions, points


def _fixed(items: Sequence[QuizItem | ItemIn]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for item in items:
        question_id = getattr(item, "question_id", None)  # draws have none
        if item.kind == "question" and question_id:
            out.setdefault(item.bank_version_id, set()).add(question_id)
    return out


def item_problems(session: Session, items: Sequence[ItemIn]) -> list[FieldError]:
    """What is wrong with a composition as written: unknown versions or questions, drafts,
    the same question twice."""
    errors: list[FieldError] = []
    seen: set[tuple[int, str]] = set()
    for index, item in enumerate(items):
        loc: list[str | int] = ["body", "items", index]
        bank = _bank(session, item.bank_version_id)
        if bank is None:
            errors.append(_error([*loc, "bank_version_id"], "no such bank version", "unknown"))
            continue
        if isinstance(item, DrawItemIn):
            continue
        question = bank.questions.get(item.question_id)
        if question is None:
            errors.append(
                _error(
                    [*loc, "question_id"],
                    f"no question {item.question_id!r} in this bank version",
                    "unknown",
                )
            )
        elif question.status != "ready":
            errors.append(
                _error([*loc, "question_id"], "a draft question cannot be put in a quiz", "draft")
            )
        elif (item.bank_version_id, item.question_id) in seen:
            errors.append(
                _error([*loc, "question_id"], "this question is already in the quiz", "duplicate")
            )
        seen.add((item.bank_version_id, item.question_id))
    return errors


def _error(loc: list[str | int], msg: str, kind: str) -> FieldError:
    return FieldError(loc=loc, msg=msg, type=kind)


def publish_problems(
    *, session: Session, quiz: Quiz, items: Sequence[QuizItem]
) -> list[FieldError]:
    """Everything that keeps a quiz from being published, each with where it is."""
    errors: list[FieldError] = []
    if not items:
        errors.append(_error(["items"], "a quiz needs at least one item", "empty"))
    if quiz.feedback == FeedbackPolicy.after_close and quiz.closes_at is None:
        errors.append(_error(["closes_at"], "feedback after close needs a close time", "missing"))
    fixed = _fixed(items)
    assignments = available_assignments()
    # Earlier draws may take questions a later draw's pool shares: count the worst case.
    claimed: list[tuple[int, set[str], int]] = []
    for index, item in enumerate(items):
        loc: list[str | int] = ["items", index]
        bank = _bank(session, item.bank_version_id)
        if bank is None:
            errors.append(_error([*loc, "bank_version_id"], "no such bank version", "unknown"))
            continue
        if item.kind == "question":
            question = bank.questions.get(item.question_id or "")
            if question is None:
                errors.append(_error([*loc, "question_id"], "no such question", "unknown"))
            elif isinstance(question, CodeQuestion) and question.assignment not in assignments:
                errors.append(
                    _error(
                        [*loc, "question_id"],
                        f"code question of assignment {question.assignment!r}, which graders/ "
                        "does not offer",
                        "unknown_assignment",
                    )
                )
            continue
        pool = set(draw_pool(bank, item, fixed.get(item.bank_version_id, set())))
        taken = sum(
            min(count, len(other & pool))
            for version, other, count in claimed
            if version == item.bank_version_id
        )
        if len(pool) - taken < item.count:
            errors.append(
                _error(
                    [*loc, "count"],
                    f"draws {item.count} but only {len(pool) - taken} matching question(s) are "
                    f"left ({len(pool)} match the filter"
                    + (f", up to {taken} taken by earlier draws" if taken else "")
                    + ")",
                    "pool_too_small",
                )
            )
        unknown = {
            q.assignment
            for qid, q in bank.questions.items()
            if qid in pool and isinstance(q, CodeQuestion) and q.assignment not in assignments
        }
        if unknown:
            errors.append(
                _error(
                    [*loc, "types"],
                    "the pool holds code questions of assignments graders/ does not offer: "
                    + ", ".join(sorted(unknown)),
                    "unknown_assignment",
                )
            )
        claimed.append((item.bank_version_id, pool, item.count))
    return errors


def compose_attempt(
    *, session: Session, quiz: Quiz, items: Sequence[QuizItem], student_id: int, number: int
) -> list[Slot]:
    """The questions of attempt `number` of `student_id`, with their seeds."""
    scope = attempt_seed_scope(quiz, number)
    student = str(student_id)
    fixed = _fixed(items)
    drawn: dict[int, set[str]] = {}
    slots: list[Slot] = []
    for item in items:
        assert item.id is not None
        bank = parsed_bank(session, item.bank_version_id)
        if item.kind == "question":
            assert item.question_id is not None
            chosen = [item.question_id]
        else:
            used = fixed.get(item.bank_version_id, set()) | drawn.get(item.bank_version_id, set())
            pool = draw_pool(bank, item, used)
            draw_seed = variant_seed(
                quiz=scope, student=student, question=f"draw:{item.id}", secret=quiz.seed_secret
            )
            # Seeded on purpose: the same attempt must always draw the same questions.
            chosen = random.Random(draw_seed).sample(pool, item.count)  # noqa: S311
            drawn.setdefault(item.bank_version_id, set()).update(chosen)
        for question_id in chosen:
            position = len(slots) + 1
            slots.append(
                Slot(
                    position=position,
                    item_id=item.id,
                    bank_version_id=item.bank_version_id,
                    question_id=question_id,
                    points=item_points(bank, item)
                    if item.kind == "question"
                    else item.points or 1.0,
                    seed=variant_seed(
                        quiz=scope,
                        student=student,
                        question=f"{position}:{question_id}",
                        secret=quiz.seed_secret,
                    ),
                )
            )
    return slots
