"""Tabulating grades: each enrolled student's counted attempt (highest or last, after
overrides), per quiz item and per quiz.

A student with no submitted attempt is still a row, with empty cells. Scores come from the
attempts' items as they stand (`AttemptItem.score`: an override when one holds), so the
gradebook always agrees with what students and the attempt pages show.

Usage:
    book = quiz_gradebook(session=session, quiz=quiz, lang="en")
    book = course_gradebook(session=session, course=course, lang="zh-CN")
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from api.attempts.models import Attempt, AttemptItem
from api.attempts.service import counted_attempt
from api.banks.store import parsed_bank
from api.courses.models import Course, CourseMember, CourseRole, localized
from api.gradebook.models import (
    CourseGradebook,
    CourseGradeRow,
    GradeColumn,
    QuizColumn,
    QuizGradebook,
    QuizGradeRow,
)
from api.i18n import Language, Text
from api.quizzes.composition import item_points
from api.quizzes.models import Quiz, QuizStatus
from api.quizzes.service import get_items
from api.users.models import User

__all__ = ["Student", "course_gradebook", "quiz_columns", "quiz_gradebook", "students_of"]

# Bounded IN lists: SQLite and drivers cap the number of bound parameters.
CHUNK = 500
DRAWN = Text(en="drawn", zh="随机抽题")


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


@dataclass(frozen=True, slots=True)
class Student:
    id: int
    email: str
    full_name: str


def students_of(session: Session, course_id: int) -> list[Student]:
    """The course's enrolled students, by email (columns only: a class can be large)."""
    rows = session.exec(
        select(User.id, User.email, User.full_name)
        .join(CourseMember, col(CourseMember.user_id) == col(User.id))
        .where(CourseMember.course_id == course_id, CourseMember.role == CourseRole.student)
        .order_by(col(User.email))
    )
    return [Student(id=i, email=e, full_name=n) for i, e, n in rows if i is not None]


def quiz_columns(*, session: Session, quiz: Quiz, lang: Language) -> list[GradeColumn]:
    """The quiz's question slots: its composition, each draw expanded to `count` positions
    (every attempt of a published quiz has exactly these)."""
    columns: list[GradeColumn] = []
    for item in get_items(session=session, quiz=quiz):
        bank = parsed_bank(session, item.bank_version_id)
        points = item_points(bank, item) if item.kind == "question" else item.points or 1.0
        for _ in range(item.count):
            position = len(columns) + 1
            if item.kind == "question":
                label = f"Q{position} {item.question_id}"
            else:
                label = f"Q{position} {DRAWN[lang]}" + (f" ({item.topic})" if item.topic else "")
            columns.append(
                GradeColumn(
                    key=f"q{position}",
                    position=position,
                    label=label,
                    question_id=item.question_id if item.kind == "question" else None,
                    points=points,
                )
            )
    return columns


@dataclass(slots=True)
class _Standing:
    attempts: int = 0
    counted: Attempt | None = None


def _standings(session: Session, quizzes: Sequence[Quiz]) -> dict[tuple[int, int], _Standing]:
    """(quiz id, student id) -> attempts made and the one that counts."""
    by_quiz = {quiz.id: quiz for quiz in quizzes}
    attempts: dict[tuple[int, int], list[Attempt]] = defaultdict(list)
    ids = [quiz_id for quiz_id in by_quiz if quiz_id is not None]
    for chunk in _chunks(ids):
        for attempt in session.exec(select(Attempt).where(col(Attempt.quiz_id).in_(chunk))):
            attempts[(attempt.quiz_id, attempt.student_id)].append(attempt)
    return {
        key: _Standing(attempts=len(mine), counted=counted_attempt(by_quiz[key[0]], mine))
        for key, mine in attempts.items()
    }


@dataclass(frozen=True, slots=True)
class _Cell:
    score: float | None
    overridden: bool


def _item_scores(session: Session, attempt_ids: Sequence[int]) -> dict[int, dict[int, _Cell]]:
    """attempt id -> position -> its score (selecting only the columns needed: reading whole
    items would parse every answer and result as JSON)."""
    out: dict[int, dict[int, _Cell]] = defaultdict(dict)
    for chunk in _chunks(attempt_ids):
        for attempt_id, position, score, override in session.exec(
            select(
                AttemptItem.attempt_id,
                AttemptItem.position,
                AttemptItem.score,
                AttemptItem.override_points,
            ).where(col(AttemptItem.attempt_id).in_(chunk))
        ):
            out[attempt_id][position] = _Cell(score=score, overridden=override is not None)
    return out


def quiz_gradebook(*, session: Session, quiz: Quiz, lang: Language) -> QuizGradebook:
    """One row per enrolled student: the counted attempt's score per item and in total."""
    assert quiz.id is not None
    columns = quiz_columns(session=session, quiz=quiz, lang=lang)
    students = students_of(session, quiz.course_id)
    standings = _standings(session, [quiz])
    counted_ids = [s.counted.id for s in standings.values() if s.counted and s.counted.id]
    items = _item_scores(session, counted_ids)
    rows = []
    for student in students:
        standing = standings.get((quiz.id, student.id), _Standing())
        attempt = standing.counted
        mine = items.get(attempt.id, {}) if attempt and attempt.id else {}
        scores = [
            mine[c.position].score if c.position in mine and attempt else None for c in columns
        ]
        rows.append(
            QuizGradeRow(
                student_id=student.id,
                email=student.email,
                full_name=student.full_name,
                attempts=standing.attempts,
                counted_attempt=attempt.number if attempt else None,
                attempt_id=attempt.id if attempt else None,
                scores=scores,
                total=attempt.score if attempt else None,
                pending=attempt.pending if attempt else 0,
                overridden=sorted(p for p, cell in mine.items() if cell.overridden),
            )
        )
    return QuizGradebook(
        quiz_id=quiz.id,
        course_id=quiz.course_id,
        title=localized(quiz.title, lang) or "",
        counted_attempt=quiz.counted_attempt,
        max_score=round(sum(c.points for c in columns), 6),
        columns=columns,
        rows=rows,
        count=len(rows),
    )


def course_gradebook(*, session: Session, course: Course, lang: Language) -> CourseGradebook:
    """One row per enrolled student: each published quiz's counted score, and their sum."""
    assert course.id is not None
    quizzes = list(
        session.exec(
            select(Quiz)
            .where(Quiz.course_id == course.id, Quiz.status == QuizStatus.published)
            .order_by(col(Quiz.published_at), col(Quiz.id))
        )
    )
    columns = [
        QuizColumn(
            quiz_id=quiz.id,
            label=localized(quiz.title, lang) or "",
            points=round(
                sum(c.points for c in quiz_columns(session=session, quiz=quiz, lang=lang)), 6
            ),
            counted_attempt=quiz.counted_attempt,
        )
        for quiz in quizzes
        if quiz.id is not None
    ]
    standings = _standings(session, quizzes)
    rows = []
    for student in students_of(session, course.id):
        counted = [standings.get((c.quiz_id, student.id), _Standing()).counted for c in columns]
        scores = [a.score if a else None for a in counted]
        known = [s for s in scores if s is not None]
        rows.append(
            CourseGradeRow(
                student_id=student.id,
                email=student.email,
                full_name=student.full_name,
                scores=scores,
                total=round(sum(known), 6) if any(a is not None for a in counted) else None,
                pending=sum(a.pending for a in counted if a),
            )
        )
    return CourseGradebook(
        course_id=course.id,
        title=localized(course.title, lang) or "",
        max_score=round(sum(c.points for c in columns), 6),
        columns=columns,
        rows=rows,
        count=len(rows),
    )
