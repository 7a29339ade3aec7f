"""The two requests a class makes most while taking a quiz, kept cheap: reading a question of
an attempt and autosaving an answer.

They run on the event loop (no thread-pool hop) with:
- a cheap token check: a verified access token is remembered until it expires, and the
  account's role and active flag for `USER_TTL_SECONDS` (so disabling an account takes up to
  that long to stop these two requests; every other route checks on each request);
- the attempt's immutable facts (its student, its questions and seeds) remembered per
  process, so reading a question touches no database and serves bytes rendered once;
- a save that is one conditional UPDATE: it also re-checks, in the database, that the attempt
  is this student's, still in progress and before its deadline, and that the revision is
  newer. Anything else (a stale or repeated revision, a deadline passed, a closed attempt) is
  sorted out by the ordinary service code.

Caches live on the app (`app.state`), so two apps (tests, or SQLite and PostgreSQL) never share
one. Attempt ids are never reused while the database keeps them, so an entry cannot go wrong.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

import jwt
from fastapi import Depends, Request
from sqlalchemy import exists, select, update
from sqlmodel import Session, col

from api.attempts.errors import NoSuchAttempt, NoSuchItem
from api.attempts.models import Attempt, AttemptItem, AttemptStatus
from api.auth.service import user_for_bearer
from api.auth.tokens import decode_access_token, is_api_token
from api.core.config import Settings
from api.core.db import transaction, utcnow
from api.errors import AccountDisabled, InvalidToken, NotAuthenticated
from api.users.models import Role, User

__all__ = [
    "USER_TTL_SECONDS",
    "AttemptFacts",
    "FastCaches",
    "FastSession",
    "FastViewer",
    "SlotFacts",
    "Viewer",
    "attempt_facts",
    "caches",
    "fast_session",
    "question_body",
    "try_fast_save",
]

USER_TTL_SECONDS = 5.0
MAX_TOKENS = 20_000
MAX_ATTEMPTS = 20_000


@dataclass(frozen=True, slots=True)
class Viewer:
    id: int
    role: Role


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


def _bounded_put(mapping: dict[object, object], key: object, value: object, limit: int) -> None:
    if len(mapping) >= limit:
        # Dicts keep insertion order: drop the oldest eighth at once, not one per insert.
        for stale in list(mapping)[: limit // 8]:
            mapping.pop(stale, None)
    mapping[key] = value


async def fast_session(request: Request) -> AsyncIterator[Session]:
    """The request's session, like `SessionDep`, but run on the event loop: no thread hop.
    Its statements are short and block the loop briefly, which costs less than the hop. No
    connection is taken until a statement runs, so a request served from the caches never
    touches the pool."""
    with Session(request.app.state.engine) as session, transaction(session):
        yield session


FastSession = Annotated[Session, Depends(fast_session, scope="function")]


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated()
    return token.strip()


def _user_id(store: FastCaches, token: str, settings: Settings) -> int:
    now = time.time()
    known = store.tokens.get(token)
    if known is not None and known[1] > now:
        return known[0]
    user_id = decode_access_token(token, settings=settings)  # verifies; raises on any doubt
    expires = float(jwt.decode(token, options={"verify_signature": False})["exp"])
    with store.lock:
        _bounded_put(store.tokens, token, (user_id, expires), MAX_TOKENS)  # type: ignore[arg-type]
    return user_id


def _viewer(request: Request, session: FastSession) -> Viewer:
    token = _bearer(request)
    settings: Settings = request.app.state.settings
    store = caches(request)
    if is_api_token(token):  # personal tokens are hashed and looked up every time
        user = user_for_bearer(session=session, settings=settings, token=token)
        assert user.id is not None
        return Viewer(id=user.id, role=user.role)
    user_id = _user_id(store, token, settings)
    known = store.users.get(user_id)
    if known is None or time.monotonic() - known[2] > USER_TTL_SECONDS:
        row = session.execute(
            select(col(User.role), col(User.is_active)).where(col(User.id) == user_id)
        ).first()
        if row is None:
            raise InvalidToken()
        known = (Role(row[0]), bool(row[1]), time.monotonic())
        with store.lock:
            _bounded_put(store.users, user_id, known, MAX_TOKENS)  # type: ignore[arg-type]
    if not known[1]:
        raise AccountDisabled()
    return Viewer(id=user_id, role=known[0])


async def fast_viewer(request: Request, session: FastSession) -> Viewer:
    """The signed-in user, checked cheaply (see the module docstring)."""
    return _viewer(request, session)


FastViewer = Annotated[Viewer, Depends(fast_viewer)]


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
        _bounded_put(store.attempts, attempt_id, facts, MAX_ATTEMPTS)  # type: ignore[arg-type]
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
    now = utcnow()
    attempt_open = exists().where(
        col(Attempt.id) == attempt_id,
        col(Attempt.student_id) == student_id,
        col(Attempt.status) == AttemptStatus.in_progress,
        (col(Attempt.deadline).is_(None)) | (col(Attempt.deadline) > now),
    )
    written = session.execute(
        update(AttemptItem)
        .where(
            col(AttemptItem.attempt_id) == attempt_id,
            col(AttemptItem.position) == position,
            col(AttemptItem.revision) < revision,
            col(AttemptItem.locked).is_(False),
            attempt_open,
        )
        .values(response=response, revision=revision, saved_at=now)
        .execution_options(synchronize_session=False)
    )
    return now if written.rowcount == 1 else None  # type: ignore[attr-defined]
