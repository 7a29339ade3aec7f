"""The client's typed view of the API's answers.

Written for the client, not imported from the server's schemas: a script keeps working
against a newer server (fields it does not know are kept in `model_extra`, never an error) and
the client imports no database code. Titles are `dict[str, str]` (both languages) where an
instructor reads them, a plain string where a student does: `Text` covers both.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

__all__ = [
    "TERMINAL_REGRADE",
    "TERMINAL_SUBMISSION",
    "ApiToken",
    "AttemptDetail",
    "AttemptScores",
    "AttemptSummary",
    "AuditEntry",
    "BankImported",
    "Check",
    "Course",
    "CourseGradebook",
    "Enrolled",
    "ItemScore",
    "Member",
    "Model",
    "Page",
    "Quiz",
    "QuizGradebook",
    "QuizStatistics",
    "Regrade",
    "SavedAnswer",
    "ScoreChange",
    "StudentResult",
    "Submission",
    "Text",
    "User",
]

T = TypeVar("T")
Text = dict[str, str] | str
TERMINAL_SUBMISSION = frozenset({"graded", "not_gradable", "rejected"})
TERMINAL_REGRADE = frozenset({"done", "failed"})


class Model(BaseModel):
    """Base of every answer: unknown fields are kept (in `model_extra`), not refused."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Page(Model, Generic[T]):
    """One page of a list: `data`, and `count` of all the rows the list holds."""

    data: list[T]
    count: int


class User(Model):
    id: int
    email: str
    full_name: str = ""
    role: Literal["instructor", "student"]
    is_active: bool = True
    created_at: datetime | None = None
    initial_password: str | None = None
    """Set once, when the server generated the password."""


class ApiToken(Model):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None = None
    token: str | None = None
    """The secret: only in the answer that created the token."""


class Course(Model):
    id: int
    title: Text
    description: Text | None = None
    join_code: str | None = None
    students: int | None = None
    instructors: int | None = None
    your_role: Literal["instructor", "student"] | None = None


class Member(Model):
    user_id: int
    email: str
    full_name: str = ""
    role: Literal["instructor", "student"]
    enrolled_at: datetime | None = None


class Enrolled(Model):
    enrolled: list[Member]
    already_enrolled: list[str]
    accounts_created: list[User]


class BankImported(Model):
    created: bool
    version: dict[str, Any]
    """The bank version: id, bank, version, question_count, topics, tags, types..."""


class Quiz(Model):
    id: int
    course_id: int
    title: Text
    status: Literal["draft", "published"] | None = None
    """Instructors only."""
    state: Literal["upcoming", "open", "closed"] | None = None
    """Students only."""
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    time_limit_minutes: int | None = None
    attempts_allowed: int | None = None
    counted_attempt: Literal["highest", "last"] | None = None
    feedback: str | None = None
    questions: int | None = None
    total_points: float | None = None
    items: list[dict[str, Any]] = []


class AttemptSummary(Model):
    id: int
    quiz_id: int
    student_id: int
    number: int
    status: Literal["in_progress", "submitted"]
    started_at: datetime
    deadline: datetime | None = None
    submitted_at: datetime | None = None
    closed_by: str | None = None
    max_score: float
    score: float | None = None
    pending: int = 0


class AttemptDetail(AttemptSummary):
    """An attempt with its items (as the caller may see them: questions, answers, and
    results once the feedback policy allows; instructors see everything)."""

    student_id: int = 0
    feedback_released: bool = False
    items: list[dict[str, Any]] = []


class SavedAnswer(Model):
    position: int
    revision: int
    saved_at: datetime
    changed: bool


class StudentResult(Model):
    student_id: int
    email: str
    full_name: str = ""
    attempts: int
    counted_attempt: int | None
    score: float | None
    max_score: float
    pending: int = 0


class ItemScore(Model):
    attempt_id: int
    position: int
    question_id: str
    question_type: str
    max_points: float
    score: float | None
    automatic_points: float | None
    override_points: float | None
    overridden: bool
    status: str


class AttemptScores(Model):
    attempt_id: int
    quiz_id: int
    student_id: int
    number: int
    score: float | None
    max_score: float
    pending: int
    items: list[ItemScore]


class AuditEntry(Model):
    id: int
    quiz_id: int
    attempt_id: int
    position: int
    student_id: int
    actor_id: int | None
    actor_email: str
    action: Literal["override", "clear"]
    old_points: float | None
    new_points: float | None
    automatic_points: float | None
    reason: str
    created_at: datetime


class GradeColumn(Model):
    key: str
    position: int
    label: str
    question_id: str | None
    points: float


class QuizGradeRow(Model):
    student_id: int
    email: str
    full_name: str
    attempts: int
    counted_attempt: int | None
    attempt_id: int | None
    scores: list[float | None]
    total: float | None
    pending: int
    overridden: list[int]


class QuizGradebook(Model):
    quiz_id: int
    course_id: int
    title: str
    counted_attempt: str
    max_score: float
    columns: list[GradeColumn]
    rows: list[QuizGradeRow]
    count: int


class QuizColumn(Model):
    quiz_id: int
    label: str
    points: float


class CourseGradeRow(Model):
    student_id: int
    email: str
    full_name: str
    scores: list[float | None]
    total: float | None
    pending: int


class CourseGradebook(Model):
    course_id: int
    title: str
    max_score: float
    columns: list[QuizColumn]
    rows: list[CourseGradeRow]
    count: int


class HistogramBin(Model):
    lower: float
    upper: float
    count: int


class OptionCount(Model):
    id: str
    text: str
    count: int
    correct: bool | None


class QuestionStatistics(Model):
    bank_version_id: int
    question_id: str
    question_type: str
    positions: list[int]
    n: int
    unanswered: int
    max_points: float
    mean: float | None
    sd: float | None
    facility: float | None
    discrimination: float | None
    options: list[OptionCount] | None
    histogram: list[HistogramBin]


class QuizStatistics(Model):
    quiz_id: int
    attempts: Literal["counted", "all"]
    n: int
    max_score: float
    mean: float | None
    sd: float | None
    median: float | None
    histogram: list[HistogramBin]
    questions: list[QuestionStatistics]


class Check(Model):
    name: str
    status: str
    score: float | None = None
    max_score: float | None = None
    output: str | None = None


class Submission(Model):
    id: int
    attempt_id: int
    position: int | None = None
    item_id: int | None = None
    quiz_id: int | None = None
    course_id: int | None = None
    student_id: int | None = None
    assignment_id: str | None = None
    status: Literal["queued", "running", "graded", "not_gradable", "rejected"]
    score: float | None = None
    max_score: float | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    runs: int = 0
    message: str | None = None
    output: str | None = None
    tests: list[Check] = []

    @property
    def finished(self) -> bool:
        """Graded, rejected or not gradable: its status will not change by itself."""
        return self.status in TERMINAL_SUBMISSION


class ScoreChange(Model):
    submission_id: int
    student_id: int
    old_score: float | None
    new_score: float | None
    overridden: bool = False


class Regrade(Model):
    id: int
    scope: str
    dry_run: bool
    status: str
    total: int
    done: int
    failed: int = 0
    changed: list[ScoreChange] = []

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_REGRADE
