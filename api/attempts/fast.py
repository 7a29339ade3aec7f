"""Caches and helpers behind the fast lane (api/attempts/lane.py) for the two requests a class
makes most while taking a quiz: reading a question of an attempt and autosaving an answer.

- A cheap token check: an access token the app has verified is remembered until it expires,
  and its account's role and active flag for `USER_TTL_SECONDS` (so disabling an account takes
  up to that long to stop the lane; every other request checks each time). The routes fill
  this through `RememberedUser`.
- An attempt's immutable facts (its student, quiz, questions and seeds), read once.
- A save that is one conditional UPDATE (`try_fast_save`), which re-checks in the database
  that the attempt is this student's, still in progress and before its deadline, and that the
  revision is newer; anything else is sorted out by the service code.

Caches live on the app (`app.state`), so two apps (tests; SQLite and PostgreSQL) never share
one. Attempt ids are never reused while the database keeps them, so an entry cannot go wrong.
"""

from __future__ import annotations

import inspect
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, TypeVar

import jwt
from fastapi import Depends, Request
from sqlalchemy import bindparam, exists, select, update
from sqlmodel import Session, col

from api.attempts.errors import NoSuchAttempt, NoSuchItem
from api.attempts.models import Attempt, AttemptItem, AttemptStatus
from api.auth.tokens import is_api_token
from api.core.db import get_session, utcnow
from api.deps import CurrentUser
from api.users.models import Role, User

__all__ = [
    "SAVE",
    "USER_TTL_SECONDS",
    "AttemptFacts",
    "FastCaches",
    "RememberedUser",
    "SlotFacts",
    "attempt_facts",
    "caches",
    "lane_session",
    "question_body",
    "remember_user",
    "save_parameters",
    "slot_of",
    "try_fast_save",
]

K = TypeVar("K")
V = TypeVar("V")

USER_TTL_SECONDS = 5.0
MAX_TOKENS = 20_000
MAX_ATTEMPTS = 20_000


@dataclass(frozen=True, slots=True)
class SlotFacts:
    bank_version_id: int
    question_id: str
    seed: int
    points: float


@dataclass(slots=True)
class AttemptFacts:
    """What never changes about an attempt, and its last known deadline and status (those
    are only hints: the database decides)."""

    student_id: int
    quiz_id: int
    shuffle_options: bool
    slots: dict[int, SlotFacts]
    deadline: datetime | None
    in_progress: bool


@dataclass
class FastCaches:
    tokens: dict[str, tuple[int, float]] = field(default_factory=dict)
    """access token -> (user id, expiry as a Unix time)."""
    users: dict[int, tuple[Role, bool, float]] = field(default_factory=dict)
    """user id -> (role, active, when read, monotonic)."""
    attempts: dict[int, AttemptFacts] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        with self.lock:
            self.tokens.clear()
            self.users.clear()
            self.attempts.clear()


def caches(request: Request) -> FastCaches:
    """The app's caches (made on first use)."""
    state = request.app.state
    found: FastCaches | None = getattr(state, "fast_caches", None)
    if found is None:
        found = state.fast_caches = FastCaches()
    return found


def _bounded_put(mapping: dict[K, V], key: K, value: V, limit: int) -> None:
    if len(mapping) >= limit:
        # Dicts keep insertion order: drop the oldest eighth at once, not one per insert.
        for stale in list(mapping)[: limit // 8]:
            mapping.pop(stale, None)
    mapping[key] = value


def _provider_call(
    provider: Callable[..., Iterator[Session]], request: Request
) -> Iterator[Session]:
    # The app's session dependency, or the override a test installed (with or without the
    # request parameter).
    if inspect.signature(provider).parameters:
        return provider(request)
    return provider()


@contextmanager
def lane_session(request: Request) -> Iterator[Session]:
    """A session for the fast lane, from the same provider as the routes' `SessionDep`
    (`get_session`, or its override): committed when the block ends, rolled back on error."""
    provider = request.app.dependency_overrides.get(get_session, get_session)
    with contextmanager(_provider_call)(provider, request) as session:
        yield session


def _bearer(request: Request) -> str:
    return request.headers.get("authorization", "").partition(" ")[2].strip()


def remember_user(request: Request, user: User) -> None:
    """Let the fast lane recognise this request's access token and account from now on."""
    token = _bearer(request)
    if is_api_token(token) or user.id is None:
        return  # personal tokens are looked up by hash on every request
    expires = float(jwt.decode(token, options={"verify_signature": False})["exp"])
    store = caches(request)
    with store.lock:
        _bounded_put(store.tokens, token, (user.id, expires), MAX_TOKENS)
        _bounded_put(
            store.users, user.id, (user.role, user.is_active, time.monotonic()), MAX_TOKENS
        )


def _remembered_user(request: Request, user: CurrentUser) -> User:
    remember_user(request, user)
    return user


RememberedUser = Annotated[User, Depends(_remembered_user)]
"""`CurrentUser`, whose token the fast lane then recognises."""


def attempt_facts(
    request: Request, session: Session, attempt_id: int, *, fresh: bool = False
) -> AttemptFacts:
    """The attempt's facts, from the cache unless `fresh`; NoSuchAttempt if it does not exist."""
    store = caches(request)
    facts = None if fresh else store.attempts.get(attempt_id)
    if facts is not None:
        return facts
    row = session.execute(
        select(
            col(Attempt.student_id),
            col(Attempt.quiz_id),
            col(Attempt.shuffle_options),
            col(Attempt.deadline),
            col(Attempt.status),
        ).where(col(Attempt.id) == attempt_id)
    ).first()
    if row is None:
        raise NoSuchAttempt()
    slots = {
        position: SlotFacts(version, question, seed, points)
        for position, version, question, seed, points in session.execute(
            select(
                col(AttemptItem.position),
                col(AttemptItem.bank_version_id),
                col(AttemptItem.question_id),
                col(AttemptItem.seed),
                col(AttemptItem.points),
            ).where(col(AttemptItem.attempt_id) == attempt_id)
        )
    }
    facts = AttemptFacts(
        student_id=row[0],
        quiz_id=row[1],
        shuffle_options=row[2],
        slots=slots,
        deadline=row[3],
        in_progress=row[4] == AttemptStatus.in_progress,
    )
    with store.lock:
        _bounded_put(store.attempts, attempt_id, facts, MAX_ATTEMPTS)
    return facts


def slot_of(facts: AttemptFacts, position: int) -> SlotFacts:
    slot = facts.slots.get(position)
    if slot is None:
        raise NoSuchItem()
    return slot


def question_body(position: int, points: float, question: bytes) -> bytes:
    """The JSON of `QuestionOfAttempt`, assembled from the cached question bytes."""
    return b'{"position":%d,"points":%s,"question":%s}' % (
        position,
        json.dumps(points).encode(),
        question,
    )


# Built once: SQLAlchemy then finds its compiled form in the statement cache at no cost.
SAVE = (
    update(AttemptItem)
    .where(
        col(AttemptItem.attempt_id) == bindparam("p_attempt_id"),
        col(AttemptItem.position) == bindparam("p_position"),
        col(AttemptItem.revision) < bindparam("p_revision"),
        col(AttemptItem.locked).is_(False),
        exists().where(
            col(Attempt.id) == bindparam("p_attempt_id"),
            col(Attempt.student_id) == bindparam("p_student_id"),
            col(Attempt.status) == AttemptStatus.in_progress,
            (col(Attempt.deadline).is_(None)) | (col(Attempt.deadline) > bindparam("p_now")),
        ),
    )
    .values(
        response=bindparam("p_response"),
        revision=bindparam("p_revision"),
        saved_at=bindparam("p_now"),
    )
    .execution_options(synchronize_session=False)
)


def save_parameters(
    *, attempt_id: int, student_id: int, position: int, response: object, revision: int
) -> dict[str, object]:
    """The parameters of `SAVE` for one answer, stamped with the current time."""
    return {
        "p_attempt_id": attempt_id,
        "p_student_id": student_id,
        "p_position": position,
        "p_revision": revision,
        "p_response": response,
        "p_now": utcnow(),
    }


def try_fast_save(
    session: Session,
    *,
    attempt_id: int,
    student_id: int,
    position: int,
    response: object,
    revision: int,
) -> datetime | None:
    """Save in one statement if everything is in order (then: the time saved), else None."""
    parameters = save_parameters(
        attempt_id=attempt_id,
        student_id=student_id,
        position=position,
        response=response,
        revision=revision,
    )
    written = session.execute(SAVE, parameters)
    saved = written.rowcount == 1  # type: ignore[attr-defined]
    return parameters["p_now"] if saved else None  # type: ignore[return-value]
