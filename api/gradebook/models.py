"""Gradebook schemas: one row per enrolled student, a column per quiz item (or per quiz)."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import SQLModel

from api.quizzes.models import CountedAttempt

__all__ = [
    "CourseGradeRow",
    "CourseGradebook",
    "ExportFormat",
    "GradeColumn",
    "QuizColumn",
    "QuizGradeRow",
    "QuizGradebook",
    "SheetLayout",
]


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


class SheetLayout(StrEnum):
    """Which LMS the CSV's columns are laid out for."""

    canvas = "canvas"
    """Student, ID, SIS User ID, SIS Login ID (the email), Section, a column per grade, a
    `Points Possible` row and the total as `Final Points` (a column Canvas does not import)."""
    moodle = "moodle"
    """Full name, Email address (map it to `useremail`), a column per grade, Total."""


class GradeColumn(SQLModel):
    """One question slot of the quiz: position `position` of every attempt."""

    key: str
    position: int
    label: str
    question_id: str | None
    """The question every student gets here; None for a draw (each student their own)."""
    points: float


class QuizGradeRow(SQLModel):
    student_id: int
    email: str
    full_name: str
    attempts: int
    counted_attempt: int | None
    """The number of the attempt that counts (highest or last); None without one."""
    attempt_id: int | None
    scores: list[float | None]
    """One per column; None without a counted attempt, or while the answer awaits grading."""
    total: float | None
    pending: int
    """Answers of the counted attempt still awaiting grading (not in the total yet)."""
    overridden: list[int]
    """Positions whose score an instructor overrode."""


class QuizGradebook(SQLModel):
    quiz_id: int
    course_id: int
    title: str
    counted_attempt: CountedAttempt
    max_score: float
    columns: list[GradeColumn]
    rows: list[QuizGradeRow]
    count: int


class QuizColumn(SQLModel):
    quiz_id: int
    label: str
    points: float
    counted_attempt: CountedAttempt


class CourseGradeRow(SQLModel):
    student_id: int
    email: str
    full_name: str
    scores: list[float | None]
    """One per quiz: the counted attempt's total, None without one."""
    total: float | None
    """The sum over quizzes (None when the student has no counted attempt at all)."""
    pending: int


class CourseGradebook(SQLModel):
    course_id: int
    title: str
    max_score: float
    columns: list[QuizColumn]
    rows: list[CourseGradeRow]
    count: int
