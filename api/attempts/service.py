"""Taking a quiz: starting attempts, autosaving answers, checking, submitting, closing at the
deadline, and the score that counts.

Every rule is enforced here, on the server's clock: the quiz's window when an attempt starts,
the attempt's deadline (its time limit or the quiz's close time, whichever is first) for every
save and submit. An attempt left open past its deadline is closed and scored with the answers
saved before it: lazily by the next request that touches it, and by the periodic sweep.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.attempts.errors import (
    AnswerLocked,
    AttemptClosed,
    AttemptsExhausted,
    DeadlinePassed,
    FeedbackNotPerItem,
    InvalidAnswer,
    NoSuchAttempt,
    NoSuchItem,
    NotEnrolled,
    QuizClosed,
    QuizNotOpen,
    StaleAnswer,
)
from api.attempts.models import (
    MAX_CODE_BYTES,
    Attempt,
    AttemptItem,
    AttemptStatus,
    ClosedBy,
    StudentResult,
)
from api.banks.store import parsed_bank, rendered_variant
from api.core.db import utcnow
from api.courses.models import CourseMember, CourseRole
from api.courses.service import course_for_member
from api.errors import NotFound
from api.pagination import Page, paginate
from api.quizzes.composition import compose_attempt, total_points
from api.quizzes.models import CountedAttempt, FeedbackPolicy, Quiz, QuizStatus
from api.quizzes.service import attempt_deadline, get_items, quiz_state
from api.submissions.hooks import code_answer_scored
from api.users.models import User
from questions import Score, Variant, score_response

__all__ = [
    "attempt_for_viewer",
    "attempts_used",
    "check_item",
    "close_attempt",
    "close_if_expired",
    "counted_attempt",
    "feedback_released",
    "get_item",
    "get_items_of",
    "list_attempts",
    "published",
    "quiz_results",
    "save_answer",
    "start_attempt",
    "submit_attempt",
    "validate_answer",
    "variant_of",
]


def variant_of(
    session: Session, attempt: Attempt, item: AttemptItem, language: str | None
) -> Variant:
    """The item's variant, in one language (None: all the bank's)."""
    bank = parsed_bank(session, item.bank_version_id)
    return rendered_variant(
        item.bank_version_id,
        bank,
        item.question_id,
        item.seed,
        language,
        shuffle=attempt.shuffle_options,
    )


def get_items_of(session: Session, attempt: Attempt) -> list[AttemptItem]:
    return list(
        session.exec(
            select(AttemptItem)
            .where(AttemptItem.attempt_id == attempt.id)
            .order_by(col(AttemptItem.position))
        )
    )


def get_item(session: Session, attempt: Attempt, position: int) -> AttemptItem:
    item = session.exec(
        select(AttemptItem).where(
            AttemptItem.attempt_id == attempt.id, AttemptItem.position == position
        )
    ).first()
    if item is None:
        raise NoSuchItem()
    return item


# --- starting --------------------------------------------------------------------------------


def start_attempt(*, session: Session, quiz: Quiz, student: User) -> tuple[Attempt, bool]:
    """A new attempt for `student` (enrolled, quiz open, attempts left), or their attempt
    still in progress: (attempt, created)."""
    assert quiz.id is not None
    assert student.id is not None
    _, role = course_for_member(session=session, course_id=quiz.course_id, user=student)
    if role != CourseRole.student:
        raise NotEnrolled()
    now = utcnow()
    previous = list(
        session.exec(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.student_id == student.id)
            .order_by(col(Attempt.number))
        )
    )
    for attempt in previous:
        if attempt.status == AttemptStatus.in_progress and not close_if_expired(
            session=session, attempt=attempt, now=now
        ):
            return attempt, False
    state = quiz_state(quiz, now)
    if state == "upcoming":
        assert quiz.opens_at is not None
        raise QuizNotOpen(quiz.opens_at)
    if state == "closed":
        assert quiz.closes_at is not None
        raise QuizClosed(quiz.closes_at)
    if quiz.attempts_allowed is not None and len(previous) >= quiz.attempts_allowed:
        raise AttemptsExhausted(quiz.attempts_allowed)
    number = len(previous) + 1
    items = get_items(session=session, quiz=quiz)
    slots = compose_attempt(
        session=session, quiz=quiz, items=items, student_id=student.id, number=number
    )
    attempt = Attempt(
        quiz_id=quiz.id,
        student_id=student.id,
        number=number,
        started_at=now,
        deadline=attempt_deadline(quiz, now),
        max_score=sum(slot.points for slot in slots),
        shuffle_options=quiz.shuffle_options,
    )
    try:
        with session.begin_nested():
            session.add(attempt)
            session.flush()
            assert attempt.id is not None
            session.add_all(
                AttemptItem(
                    attempt_id=attempt.id,
                    position=slot.position,
                    bank_version_id=slot.bank_version_id,
                    question_id=slot.question_id,
                    question_type=parsed_bank(session, slot.bank_version_id)
                    .question(slot.question_id)
                    .type,
                    seed=slot.seed,
                    points=slot.points,
                )
                for slot in slots
            )
    except IntegrityError:  # a double click: the other request started it
        concurrent = session.exec(
            select(Attempt).where(
                Attempt.quiz_id == quiz.id,
                Attempt.student_id == student.id,
                Attempt.number == number,
            )
        ).one()
        return concurrent, False
    return attempt, True


# --- who may see what ------------------------------------------------------------------------


def attempt_for_viewer(
    *, session: Session, attempt_id: int, user: User
) -> tuple[Attempt, Quiz, CourseRole]:
    """The attempt, its quiz and how `user` relates to it: its student, or an instructor of
    the course. Anyone else gets 404. An attempt past its deadline is closed first."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise NoSuchAttempt()
    quiz = session.get(Quiz, attempt.quiz_id)
    assert quiz is not None
    if attempt.student_id == user.id:
        role = CourseRole.student
    else:
        try:
            _, role = course_for_member(session=session, course_id=quiz.course_id, user=user)
        except NotFound:
            raise NoSuchAttempt() from None
        if role != CourseRole.instructor:
            raise NoSuchAttempt()
    close_if_expired(session=session, attempt=attempt)
    return attempt, quiz, role


def feedback_released(
    quiz: Quiz, attempt: Attempt, item: AttemptItem | None = None, now: datetime | None = None
) -> bool:
    """Whether the student may see scores, keys and feedback (of `item`, or of the attempt)."""
    submitted = attempt.status == AttemptStatus.submitted
    if quiz.feedback == FeedbackPolicy.after_each:
        return submitted or (item is not None and item.locked)
    if quiz.feedback == FeedbackPolicy.after_submit:
        return submitted
    closed = quiz.closes_at is not None and (now or utcnow()) >= quiz.closes_at
    return submitted and closed


# --- answering -------------------------------------------------------------------------------


def validate_answer(variant: Variant, response: object, lang: str) -> None:
    """InvalidAnswer (422, saying what was expected) unless `response` fits the question."""
    if variant.student.type == "code":
        if response is not None and not isinstance(response, str):
            raise InvalidAnswer(
                {"en": "Expected the source code as text.", "zh-CN": "应为源代码文本。"}, lang
            )
        if isinstance(response, str) and len(response.encode("utf-8", "replace")) > MAX_CODE_BYTES:
            limit = MAX_CODE_BYTES // 1024
            raise InvalidAnswer(
                {"en": f"The code is longer than {limit} KiB.", "zh-CN": f"代码超过 {limit} KiB。"},
                lang,
            )
        return
    score = score_response(variant, response)
    if score.status == "malformed" and score.message is not None:
        raise InvalidAnswer(dict(score.message), lang)


def _refuse_save(session: Session, attempt: Attempt, item: AttemptItem, now: datetime) -> None:
    if attempt.status != AttemptStatus.in_progress:
        raise AttemptClosed()
    if close_if_expired(session=session, attempt=attempt, now=now):
        assert attempt.deadline is not None
        raise DeadlinePassed(attempt.deadline)
    if item.locked:
        raise AnswerLocked()


def save_answer(
    *,
    session: Session,
    attempt: Attempt,
    position: int,
    response: object,
    revision: int,
    lang: str,
) -> tuple[AttemptItem, bool]:
    """Autosave one answer: (item, changed). The same revision and answer again changes
    nothing; an older revision, or the same one with another answer, is StaleAnswer."""
    now = utcnow()
    item = get_item(session, attempt, position)
    _refuse_save(session, attempt, item, now)
    validate_answer(variant_of(session, attempt, item, None), response, lang)
    if revision < item.revision or (revision == item.revision and response != item.response):
        raise StaleAnswer(item.revision)
    if revision == item.revision:
        return item, False
    # One conditional statement: a concurrent save with a higher revision, or a close, that
    # committed since we read the row wins; this write then changes nothing.
    written = session.execute(
        update(AttemptItem)
        .where(
            col(AttemptItem.id) == item.id,
            col(AttemptItem.revision) < revision,
            col(AttemptItem.locked).is_(False),
        )
        .values(response=response, revision=revision, saved_at=now)
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(item)
        _refuse_save(session, attempt, item, now)
        raise StaleAnswer(item.revision)
    session.refresh(item)
    return item, True


def _scored(variant: Variant, item: AttemptItem) -> dict[str, object]:
    score: Score = score_response(variant, item.response)
    fraction = score.fraction if score.status == "scored" else 0.0
    if score.status == "external":
        status, points = ("pending" if item.response else "unanswered"), None
    elif item.response is None:
        status, points = "unanswered", 0.0
    else:
        status, points = score.status, round(fraction * item.points, 6)
    return {
        "status": status,
        "points": points,
        "max_points": item.points,
        "message": dict(score.message) if score.message else None,
        "parts": [part.model_dump(mode="json") for part in score.parts],
    }


def _score_item(session: Session, attempt: Attempt, item: AttemptItem) -> None:
    result = _scored(variant_of(session, attempt, item, None), item)
    item.result = result
    item.score = result["points"]  # type: ignore[assignment]
    item.locked = True
    if item.question_type == "code":  # graded through the queue (api/submissions)
        code_answer_scored(session=session, attempt=attempt, item=item)
    session.add(item)


def check_item(*, session: Session, attempt: Attempt, quiz: Quiz, position: int) -> AttemptItem:
    """Score one answer now and lock it (quizzes with feedback after each answer)."""
    if quiz.feedback != FeedbackPolicy.after_each:
        raise FeedbackNotPerItem()
    now = utcnow()
    item = get_item(session, attempt, position)
    _refuse_save(session, attempt, item, now)
    _score_item(session, attempt, item)
    session.flush()
    return item


def close_attempt(
    *, session: Session, attempt: Attempt, closed_by: ClosedBy, at: datetime | None = None
) -> bool:
    """Lock, score and close an attempt in progress; False if it was closed already (by
    another request or process)."""
    at = at or utcnow()
    closing = session.execute(
        update(Attempt)
        .where(col(Attempt.id) == attempt.id, col(Attempt.status) == AttemptStatus.in_progress)
        .values(status=AttemptStatus.submitted, submitted_at=at, closed_by=closed_by)
        .execution_options(synchronize_session=False)
    )
    if closing.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(attempt)
        return False
    # Locking every item first makes a save racing this close either land before the
    # scoring reads it, or change nothing.
    session.execute(
        update(AttemptItem)
        .where(col(AttemptItem.attempt_id) == attempt.id)
        .values(locked=True)
        .execution_options(synchronize_session=False)
    )
    session.refresh(attempt)
    items = get_items_of(session, attempt)
    for item in items:
        session.refresh(item)
        _score_item(session, attempt, item)
    attempt.score = round(sum(i.score or 0.0 for i in items), 6)
    attempt.pending = sum(1 for i in items if (i.result or {}).get("status") == "pending")
    session.add(attempt)
    session.flush()
    return True


def close_if_expired(*, session: Session, attempt: Attempt, now: datetime | None = None) -> bool:
    """Close and score `attempt` if it is in progress past its deadline; whether it did."""
    now = now or utcnow()
    if (
        attempt.status != AttemptStatus.in_progress
        or attempt.deadline is None
        or now < attempt.deadline
    ):
        return False
    return close_attempt(
        session=session, attempt=attempt, closed_by=ClosedBy.deadline, at=attempt.deadline
    )


def submit_attempt(*, session: Session, attempt: Attempt) -> Attempt:
    """Submit and score the attempt. Submitting again is harmless; an attempt the deadline
    closed (now or before) answers DeadlinePassed."""
    if attempt.status == AttemptStatus.submitted:
        if attempt.closed_by == ClosedBy.deadline and attempt.deadline is not None:
            raise DeadlinePassed(attempt.deadline)
        return attempt
    if close_if_expired(session=session, attempt=attempt):
        assert attempt.deadline is not None
        raise DeadlinePassed(attempt.deadline)
    close_attempt(session=session, attempt=attempt, closed_by=ClosedBy.student)
    return attempt


# --- standing --------------------------------------------------------------------------------


def counted_attempt(quiz: Quiz, attempts: Sequence[Attempt]) -> Attempt | None:
    """The submitted attempt that counts: the highest score (earliest on ties) or the last."""
    done = [a for a in attempts if a.status == AttemptStatus.submitted]
    if not done:
        return None
    if quiz.counted_attempt == CountedAttempt.last:
        return max(done, key=lambda a: a.number)
    return max(done, key=lambda a: (a.score or 0.0, -a.number))


def list_attempts(
    *,
    session: Session,
    quiz: Quiz,
    page: Page,
    student: User | None = None,
    student_id: int | None = None,
    status: AttemptStatus | None = None,
) -> tuple[Sequence[Attempt], int]:
    """The quiz's attempts (of one student, in one status, if given), by student and number."""
    statement = select(Attempt).where(Attempt.quiz_id == quiz.id)
    if student is not None:
        statement = statement.where(Attempt.student_id == student.id)
    if student_id is not None:
        statement = statement.where(Attempt.student_id == student_id)
    if status is not None:
        statement = statement.where(Attempt.status == status)
    statement = statement.order_by(col(Attempt.student_id), col(Attempt.number))
    return paginate(session, statement, page)


def quiz_results(*, session: Session, quiz: Quiz, page: Page) -> tuple[list[StudentResult], int]:
    """Each enrolled student's counted score (highest or last attempt), by email."""
    students = (
        select(User)
        .join(CourseMember, col(CourseMember.user_id) == col(User.id))
        .where(CourseMember.course_id == quiz.course_id, CourseMember.role == CourseRole.student)
        .order_by(col(User.email))
    )
    users, count = paginate(session, students, page)
    ids = [u.id for u in users]
    attempts: dict[int, list[Attempt]] = {}
    if ids:
        for attempt in session.exec(
            select(Attempt).where(Attempt.quiz_id == quiz.id, col(Attempt.student_id).in_(ids))
        ):
            attempts.setdefault(attempt.student_id, []).append(attempt)
    total = _quiz_max(session, quiz)
    results = []
    for user in users:
        assert user.id is not None
        mine = attempts.get(user.id, [])
        counted = counted_attempt(quiz, mine)
        results.append(
            StudentResult(
                student_id=user.id,
                email=user.email,
                full_name=user.full_name,
                attempts=len(mine),
                counted_attempt=counted.number if counted else None,
                score=counted.score if counted else None,
                max_score=counted.max_score if counted else total,
                pending=counted.pending if counted else 0,
            )
        )
    return results, count


def _quiz_max(session: Session, quiz: Quiz) -> float:
    return total_points(session, get_items(session=session, quiz=quiz))[1]


def attempts_used(session: Session, quiz: Quiz, student: User) -> list[Attempt]:
    return list(
        session.exec(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.student_id == student.id)
            .order_by(col(Attempt.number))
        )
    )


def published(quiz: Quiz) -> bool:
    return quiz.status == QuizStatus.published
