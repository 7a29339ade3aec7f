"""Composing, changing and publishing quizzes, and who may see them.

Instructors of the course see every quiz, drafts included; its students see published ones
only (a draft is 404 to them, as is every quiz of a course they are not in).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

from sqlmodel import Session, col, select

from api.attempts.models import Attempt, AttemptStatus
from api.banks.store import parsed_bank
from api.core.db import utcnow
from api.courses.models import Course, CourseRole
from api.courses.service import CourseInstructorOnly, course_for_member
from api.errors import Conflict, FieldError, NotFound, ValidationFailed
from api.i18n import Text
from api.pagination import Page, paginate
from api.quizzes.composition import item_points, item_problems, publish_problems, total_points
from api.quizzes.models import (
    PUBLISHED_EDITABLE,
    DrawItemIn,
    ItemIn,
    ItemPublic,
    Quiz,
    QuizCreate,
    QuizItem,
    QuizPublic,
    QuizStatus,
    QuizUpdate,
)
from api.users.models import User

__all__ = [
    "QuizNotPublishable",
    "QuizPublished",
    "attempt_deadline",
    "create_quiz",
    "delete_quiz",
    "get_items",
    "list_quizzes",
    "publish_quiz",
    "quiz_for_instructor",
    "quiz_for_member",
    "quiz_public",
    "quiz_state",
    "set_items",
    "update_quiz",
]

NO_SUCH_QUIZ = Text(en="No such quiz.", zh="没有这个测验。")


class QuizPublished(Conflict):
    kind = "quiz-published"
    title = Text(en="Quiz already published", zh="测验已发布")
    default_detail = Text(
        en="A published quiz's composition, points, option shuffling and counted attempt are "
        "frozen; its texts, times, time limit, attempts and feedback policy may change.",
        zh="已发布测验的题目组成、分值、选项乱序和计分方式不可更改；标题、时间、时限、次数和反馈策略可以修改。",
    )


class QuizNotPublishable(ValidationFailed):
    kind = "quiz-not-publishable"
    title = Text(en="The quiz cannot be published", zh="无法发布该测验")
    default_detail = Text(
        en="Fix the problems listed in `errors`, then publish again.",
        zh="请先修正 `errors` 中列出的问题，再发布。",
    )


def quiz_for_member(*, session: Session, quiz_id: int, user: User) -> tuple[Quiz, CourseRole]:
    """The quiz and `user`'s role in its course; NotFound for non-members and for students
    asking for a draft."""
    quiz = session.get(Quiz, quiz_id)
    if quiz is None:
        raise NotFound(NO_SUCH_QUIZ)
    try:
        _, role = course_for_member(session=session, course_id=quiz.course_id, user=user)
    except NotFound:
        raise NotFound(NO_SUCH_QUIZ) from None
    if role == CourseRole.student and quiz.status != QuizStatus.published:
        raise NotFound(NO_SUCH_QUIZ)
    return quiz, role


def quiz_for_instructor(*, session: Session, quiz_id: int, user: User) -> Quiz:
    """The quiz if `user` teaches its course; 404 for non-members, 403 for its students."""
    quiz, role = quiz_for_member(session=session, quiz_id=quiz_id, user=user)
    if role != CourseRole.instructor:
        raise CourseInstructorOnly()
    return quiz


def get_items(*, session: Session, quiz: Quiz) -> list[QuizItem]:
    return list(
        session.exec(
            select(QuizItem).where(QuizItem.quiz_id == quiz.id).order_by(col(QuizItem.position))
        )
    )


def quiz_state(quiz: Quiz, now: datetime | None = None) -> Literal["upcoming", "open", "closed"]:
    now = now or utcnow()
    if quiz.opens_at is not None and now < quiz.opens_at:
        return "upcoming"
    if quiz.closes_at is not None and now >= quiz.closes_at:
        return "closed"
    return "open"


def attempt_deadline(quiz: Quiz, started_at: datetime) -> datetime | None:
    """When an attempt started at `started_at` must end: its time limit or the close time,
    whichever comes first (None: no deadline)."""
    ends = [quiz.closes_at] if quiz.closes_at else []
    if quiz.time_limit_minutes:
        ends.append(started_at + timedelta(minutes=quiz.time_limit_minutes))
    return min(ends) if ends else None


def _item_row(quiz_id: int, position: int, item: ItemIn) -> QuizItem:
    if isinstance(item, DrawItemIn):
        return QuizItem(
            quiz_id=quiz_id,
            position=position,
            kind="draw",
            bank_version_id=item.bank_version_id,
            count=item.count,
            points=item.points,
            topic=item.topic,
            tags=list(item.tags),
            difficulties=sorted(set(item.difficulties)),
            types=list(dict.fromkeys(item.types)),
        )
    return QuizItem(
        quiz_id=quiz_id,
        position=position,
        kind="question",
        bank_version_id=item.bank_version_id,
        question_id=item.question_id,
        points=item.points,
    )


def set_items(*, session: Session, quiz: Quiz, items: Sequence[ItemIn]) -> list[QuizItem]:
    """Replace a draft quiz's composition."""
    if quiz.status != QuizStatus.draft:
        raise QuizPublished()
    errors = item_problems(session, items)
    if errors:
        raise ValidationFailed(errors=errors)
    for old in get_items(session=session, quiz=quiz):
        session.delete(old)
    session.flush()
    assert quiz.id is not None
    rows = [_item_row(quiz.id, i, item) for i, item in enumerate(items, start=1)]
    session.add_all(rows)
    quiz.updated_at = utcnow()
    session.add(quiz)
    session.flush()
    return rows


def create_quiz(*, session: Session, course: Course, quiz_in: QuizCreate) -> Quiz:
    """A draft quiz in `course`."""
    quiz = Quiz.model_validate(
        quiz_in.model_dump(exclude={"items"}),
        update={"course_id": course.id, "seed_secret": secrets.token_hex(32)},
    )
    session.add(quiz)
    session.flush()
    if quiz_in.items:
        set_items(session=session, quiz=quiz, items=quiz_in.items)
    return quiz


def update_quiz(*, session: Session, quiz: Quiz, quiz_in: QuizUpdate) -> Quiz:
    """Change a quiz; once published, only `PUBLISHED_EDITABLE` fields. In-progress attempts
    follow a new close time or time limit."""
    changes = quiz_in.model_dump(exclude_unset=True)
    for field in ("title", "counted_attempt", "shuffle_options", "feedback"):
        if changes.get(field, "") is None:
            del changes[field]  # null means "leave it" for these; for times it means "none"
    if quiz.status == QuizStatus.published:
        frozen = sorted(set(changes) - PUBLISHED_EDITABLE)
        if frozen:
            raise QuizPublished(
                errors=[
                    FieldError(loc=["body", f], msg="frozen once published", type="frozen")
                    for f in frozen
                ]
            )
    opens = changes.get("opens_at", quiz.opens_at)
    closes = changes.get("closes_at", quiz.closes_at)
    if opens and closes and closes <= opens:
        raise ValidationFailed(
            errors=[
                FieldError(loc=["body", "closes_at"], msg="must be after opens_at", type="window")
            ]
        )
    quiz.sqlmodel_update(changes)
    quiz.updated_at = utcnow()
    session.add(quiz)
    if {"closes_at", "time_limit_minutes"} & set(changes):
        open_attempts = session.exec(
            select(Attempt).where(
                Attempt.quiz_id == quiz.id, Attempt.status == AttemptStatus.in_progress
            )
        )
        for attempt in open_attempts:
            attempt.deadline = attempt_deadline(quiz, attempt.started_at)
            session.add(attempt)
    session.flush()
    return quiz


def publish_quiz(*, session: Session, quiz: Quiz) -> Quiz:
    """Check the quiz can be taken by every student, then publish it (idempotent)."""
    if quiz.status == QuizStatus.published:
        return quiz
    problems = publish_problems(
        session=session, quiz=quiz, items=get_items(session=session, quiz=quiz)
    )
    if problems:
        raise QuizNotPublishable(errors=problems)
    quiz.status = QuizStatus.published
    quiz.published_at = quiz.updated_at = utcnow()
    session.add(quiz)
    session.flush()
    return quiz


def delete_quiz(*, session: Session, quiz: Quiz) -> None:
    """Delete a draft (a published quiz has attempts to keep)."""
    if quiz.status != QuizStatus.draft:
        raise QuizPublished(
            Text(en="A published quiz cannot be deleted.", zh="已发布的测验不能删除。")
        )
    session.delete(quiz)
    session.flush()


def list_quizzes(
    *, session: Session, course: Course, role: CourseRole, page: Page
) -> tuple[Sequence[Quiz], int]:
    """The course's quizzes by id; students see published ones only."""
    statement = select(Quiz).where(Quiz.course_id == course.id).order_by(col(Quiz.id))
    if role != CourseRole.instructor:
        statement = statement.where(Quiz.status == QuizStatus.published)
    return paginate(session, statement, page)


def quiz_public(session: Session, quiz: Quiz) -> QuizPublic:
    """The instructors' view of a quiz, composition included."""
    items = get_items(session=session, quiz=quiz)
    questions, points = total_points(session, items)
    out = []
    for item in items:
        assert item.id is not None
        out.append(
            ItemPublic(
                id=item.id,
                position=item.position,
                kind="draw" if item.kind == "draw" else "question",
                bank_version_id=item.bank_version_id,
                question_id=item.question_id,
                count=item.count,
                points=item_points(parsed_bank(session, item.bank_version_id), item),
                topic=item.topic,
                tags=item.tags,
                difficulties=item.difficulties,
                types=item.types,
            )
        )
    assert quiz.id is not None
    return QuizPublic(
        **quiz.model_dump(exclude={"seed_secret", "id"}),
        id=quiz.id,
        items=out,
        questions=questions,
        total_points=points,
    )
