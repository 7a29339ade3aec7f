"""A fast lane for the two most frequent requests of a class taking a quiz: reading a
question and autosaving an answer.

`AttemptFastLane` is pure ASGI middleware placed just inside the app's own middleware (so
request ids, logging, body limits and CORS still apply). It answers
`GET /api/v1/attempts/{id}/items/{position}` and `PUT .../items/{position}/answer` by itself
only when everything the route would consult is already in the per-process caches of
api/attempts/fast.py and api/banks/store.py and says yes: a remembered, unexpired access
token; its account active, as read less than `USER_TTL_SECONDS` ago (the lane re-reads it
when older); the attempt's facts,
showing it belongs to that account and is not past its deadline; the question rendered. A
save must also be a well-formed body that fits the question, and the one conditional UPDATE
of `try_fast_save` (which re-checks ownership, status, deadline and revision in the database)
must write it. Anything else (a miss, an instructor, a deadline, a stale revision, any error)
goes to the route, which decides, fills the caches and answers. So the lane only ever gives
the answer the route would give; it skips the routing and dependency machinery, not a rule.

A save's one statement runs right on the event loop on a connection of the lane's own that
never waits for a lock; when it cannot run there (a lock is held, the connection broke) or
changes nothing, it runs again off the loop (on PostgreSQL in the thread pool, on SQLite on one
thread of its own) through the same session provider as the routes (`get_session`, or its
override); when that changes nothing either, the route answers. The event loop never waits on
a database lock, which a transaction elsewhere could be holding across an await.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from datetime import UTC, datetime
from enum import Enum
from functools import partial
from typing import Any, TypeVar, cast
from urllib.parse import parse_qs

import psycopg
from psycopg.types.json import Json
from sqlalchemy import ClauseElement, Connection, Engine, bindparam, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import col
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.attempts.errors import InvalidAnswer, StaleAnswer
from api.attempts.fast import (
    SAVE,
    USER_TTL_SECONDS,
    AttemptFacts,
    FastCaches,
    SlotFacts,
    caches,
    lane_session,
    question_body,
    save_parameters,
    try_fast_save,
)
from api.attempts.models import Attempt, AttemptItem, AttemptStatus
from api.attempts.service import validate_answer
from api.banks.store import cached_student_variant_json, cached_variant
from api.core.db import create_db_engine, get_session, utcnow
from api.errors import QuizloopError
from api.i18n import negotiate
from api.problems import problem_response
from api.users.models import Role, User

__all__ = ["AttemptFastLane"]

T = TypeVar("T")
_QUESTION = re.compile(r"/api/v1/attempts/([0-9]{1,18})/items/([0-9]{1,9})")
_ANSWER = re.compile(r"/api/v1/attempts/([0-9]{1,18})/items/([0-9]{1,9})/answer")
MAX_LANE_BODY = 80 * 1024  # larger bodies (long code answers) take the ordinary route
MAX_REVISION = 2**31 - 1
# With 4, the bursts of account re-reads (every USER_TTL_SECONDS) queued: question p99 59-113
# ms in bench/api.py, 26-34 ms with 8 or 16.
POSTGRES_CONNECTIONS = 8
CHECKPOINT_EVERY = 500  # SQLite's own default is every 1000 pages (a save writes a few)
LOCK_WAIT_SECONDS = 5.0  # as long as a request's own session would wait (api/core/db.py)


class _Owner:
    """What the caches know about the caller and one slot of their attempt."""

    __slots__ = ("facts", "headers", "slot", "user_id")

    def __init__(
        self, user_id: int, facts: AttemptFacts, slot: SlotFacts, headers: dict[bytes, bytes]
    ):
        self.user_id = user_id
        self.facts = facts
        self.slot = slot
        self.headers = headers


def _owner(scope: Scope, attempt_id: int, position: int) -> _Owner | int | None:
    """What the caches know; the account's id when only its role and active flag need a
    fresh read; None when the route must decide."""
    store: FastCaches | None = getattr(scope["app"].state, "fast_caches", None)
    if store is None:
        return None
    headers = dict(scope["headers"])
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    known_token = store.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
    if known_token is None or known_token[1] <= time.time():
        return None
    user = store.users.get(known_token[0])
    if user is None:
        return None
    if time.monotonic() - user[2] > USER_TTL_SECONDS:
        return known_token[0]
    if not user[1]:
        return None
    facts = store.attempts.get(attempt_id)
    if facts is None or facts.student_id != known_token[0]:
        return None
    if facts.in_progress and facts.deadline is not None and utcnow() >= facts.deadline:
        return None  # the route closes it first
    slot = facts.slots.get(position)
    if slot is None:
        return None
    return _Owner(known_token[0], facts, slot, headers)


def _language(scope: Scope, headers: dict[bytes, bytes]) -> str:
    query = scope.get("query_string", b"")
    asked = parse_qs(query.decode("latin-1")).get("lang", [None])[0] if query else None
    accept = headers.get(b"accept-language")
    return negotiate(asked, accept.decode("latin-1") if accept else None)


def _answer(body: bytes) -> tuple[Any, int] | None:
    """(response, revision) of a well-formed body, else None (the route explains why)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or set(data) != {"response", "revision"}:
        return None
    revision = data["revision"]
    if type(revision) is not int or not 1 <= revision <= MAX_REVISION:
        return None
    return data["response"], revision


def _write(
    request: Request, attempt_id: int, student_id: int, position: int, response: Any, revision: int
) -> datetime | None:
    with lane_session(request) as session:
        return try_fast_save(
            session,
            attempt_id=attempt_id,
            student_id=student_id,
            position=position,
            response=response,
            revision=revision,
        )


def _saved_body(position: int, revision: int, saved_at: datetime, *, changed: bool) -> bytes:
    """The JSON of `AnswerSaved`."""
    when = saved_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return b'{"position":%d,"revision":%d,"saved_at":"%s","changed":%s}' % (
        position,
        revision,
        when.encode(),
        b"true" if changed else b"false",
    )


async def _send_json(send: Send, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _InlineWriter:
    """On SQLite, one connection of the lane's own, in autocommit, for saves made right on
    the event loop (a local write takes microseconds): `SAVE` is a single statement, so it is
    its own transaction, and the connection never waits for a lock (`busy_timeout = 0`), so
    the loop never stalls behind a transaction held elsewhere. Busy, broken or not sure: the
    caller takes the off-loop path instead."""

    def __init__(self, engine: Engine, *, own_engine: bool = True) -> None:
        # An engine of its own, without a pool: taking a connection from the app's pool could
        # wait for a request thread to give one back, and the event loop must never wait.
        url = engine.url.render_as_string(hide_password=False)
        self.engine = create_db_engine(url, poolclass=NullPool) if own_engine else engine
        self.connection: Connection | None = None
        self.waiting: _InlineWriter | None = None  # the writer thread's connection
        self.save_statement = _SqliteStatement(SAVE, self.engine)

    def _connect(self) -> Connection:
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql("PRAGMA busy_timeout = 0")
        # A checkpoint (copying the WAL into the database, with an fsync) would run on the
        # event loop after some commit of this connection: leave checkpoints to
        # `checkpoint()`, off the loop.
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
        return connection

    def save(self, parameters: dict[str, object]) -> datetime | bool | None:
        """The time saved; None if the statement changed nothing; False if it could not run."""
        try:
            if self.connection is None:
                self.connection = self._connect()
            rowcount = self.save_statement.run(self.connection, parameters)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                self.close()  # not a lock: a fresh connection next time
            return False
        except (DBAPIError, sqlite3.Error):
            self.close()
            return False
        if rowcount != 1:
            return None
        saved_at = parameters["p_now"]
        assert isinstance(saved_at, datetime)
        return saved_at

    def account(self, user_id: int) -> tuple[Role, bool] | bool | None:
        """The account's (role, active); None if it is gone; False if it could not be read
        here. A plain read: on SQLite's WAL and on PostgreSQL it never waits for a lock."""
        try:
            if self.connection is None:
                self.connection = self._connect()
            row = self.connection.execute(
                select(col(User.role), col(User.is_active)).where(col(User.id) == user_id)
            ).first()
        except DBAPIError as exc:
            if exc.connection_invalidated:
                self.close()
            return False
        return None if row is None else (Role(row[0]), bool(row[1]))

    def state(self, parameters: dict[str, object]) -> State | bool | None:
        """The item's saved revision and answer and its attempt's status (a plain read)."""
        keys = ("p_attempt_id", "p_position", "p_student_id")
        try:
            if self.connection is None:
                self.connection = self._connect()
            row = self.connection.execute(_STATE, {k: parameters[k] for k in keys}).first()
        except DBAPIError as exc:
            if exc.connection_invalidated:
                self.close()
            return False
        return None if row is None else _state(tuple(row))

    def save_waiting(self, parameters: dict[str, object]) -> datetime | bool | None:
        """`save`, for the writer thread: on its own connection, retried every half
        millisecond while the database is locked (SQLite's busy handler would sleep in steps
        of up to 100 ms), for up to `LOCK_WAIT_SECONDS`."""
        if self.waiting is None:
            self.waiting = _InlineWriter(self.engine, own_engine=False)
        give_up = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            saved = self.waiting.save(parameters)
            if saved is not False or time.monotonic() > give_up:
                return saved
            time.sleep(0.0005)

    def checkpoint(self) -> None:
        """Copy SQLite's WAL into the database without blocking writers (off the loop)."""
        # Autocommit: inside a transaction (which takes the write lock here) it would block
        # the very saves it should not disturb.
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        if self.connection is not None:
            with suppress(DBAPIError):
                self.connection.close()
            self.connection = None

    def dispose(self) -> None:
        self.close()
        if self.waiting is not None:
            self.waiting.close()
        self.engine.dispose()


class _SqliteStatement:
    """A statement compiled once for SQLite and run on the DBAPI connection underneath a
    SQLAlchemy one: the same SQL and the same bind processing (JSON, UTC timestamps, enum
    values) as `Connection.execute`, without its per-call machinery, which cost a fifth of
    the event loop's time in the autosave benchmark (bench/api.py)."""

    def __init__(self, statement: ClauseElement, engine: Engine) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=engine.dialect))
        assert compiled.positiontup is not None  # SQLite's paramstyle is positional
        self.sql = str(compiled)
        self.names = list(compiled.positiontup)
        self.processors: dict[str, Callable[[Any], Any] | None] = {}
        self.constants: dict[str, Any] = {}
        for name in dict.fromkeys(self.names):
            self.processors[name] = (
                compiled.binds[name]
                .type.dialect_impl(engine.dialect)
                .bind_processor(engine.dialect)
            )
        # The statement's literals, processed once.
        for name, value in _literals(compiled).items():
            process = self.processors[name]
            self.constants[name] = value if process is None else process(value)

    def run(self, connection: Connection, parameters: dict[str, object]) -> int:
        """Execute with `parameters` (by bind name); the number of rows changed."""
        processed = dict(self.constants)
        for name, value in parameters.items():
            process = self.processors.get(name)
            processed[name] = value if process is None else process(value)
        driver = connection.connection.driver_connection
        assert driver is not None
        cursor = driver.execute(self.sql, [processed[name] for name in self.names])
        return int(cursor.rowcount)


class _AsyncPostgresWriter:
    """On PostgreSQL the lane's statements go through a few asynchronous psycopg connections
    of its own (autocommit, `lock_timeout`): the event loop serves other requests while a
    save travels to the database and back, and a slow database stalls saves, not the
    server. Same statements as `_InlineWriter`, compiled once for PostgreSQL."""

    def __init__(self, engine: Engine, size: int = POSTGRES_CONNECTIONS) -> None:
        self.conninfo = engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        self.size = size
        self.open = 0
        self._idle: asyncio.Queue[psycopg.AsyncConnection[Any]] | None = None
        save = SAVE.compile(dialect=engine.dialect)
        self.save_sql = str(save)
        self.save_constants = _constants(save)
        state = _STATE.compile(dialect=engine.dialect)
        self.state_sql = str(state)
        account = _ACCOUNT.compile(dialect=engine.dialect)
        self.account_sql = str(account)
        self.account_key = next(iter(account.params))

    async def _take(self) -> psycopg.AsyncConnection[Any] | None:
        if self._idle is None:
            self._idle = asyncio.Queue()
        if self._idle.empty() and self.open < self.size:
            self.open += 1
            try:
                connection = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
                await connection.execute("SET lock_timeout = '10ms'")
                # An autosave acknowledged just before a PostgreSQL crash may be lost (never
                # corrupted); the client still holds it and saves again.
                await connection.execute("SET synchronous_commit = off")
            except psycopg.Error:
                self.open -= 1
                return None
            return connection
        return await self._idle.get()

    async def _run(self, sql: str, parameters: dict[str, Any]) -> psycopg.AsyncCursor[Any] | None:
        connection = await self._take()
        if connection is None:
            return None
        try:
            cursor = await connection.execute(sql.encode(), parameters)
        except psycopg.Error:
            self.open -= 1
            await connection.close()
            return None
        assert self._idle is not None
        self._idle.put_nowait(connection)
        return cursor

    async def save(self, parameters: dict[str, object]) -> datetime | bool | None:
        """The time saved; None if the statement changed nothing; False if it could not run."""
        values = {**self.save_constants, **parameters, "p_response": Json(parameters["p_response"])}
        cursor = await self._run(self.save_sql, values)
        if cursor is None:
            return False
        if cursor.rowcount != 1:
            return None
        saved_at = parameters["p_now"]
        assert isinstance(saved_at, datetime)
        return saved_at

    async def state(self, parameters: dict[str, object]) -> State | bool | None:
        keys = ("p_attempt_id", "p_position", "p_student_id")
        cursor = await self._run(self.state_sql, {k: parameters[k] for k in keys})
        if cursor is None:
            return False
        row = await cursor.fetchone()
        return None if row is None else _state(tuple(row))

    async def account(self, user_id: int) -> tuple[Role, bool] | bool | None:
        cursor = await self._run(self.account_sql, {self.account_key: user_id})
        if cursor is None:
            return False
        row = await cursor.fetchone()
        return None if row is None else (Role(row[0]), bool(row[1]))

    async def aclose(self) -> None:
        while self._idle is not None and not self._idle.empty():
            await self._idle.get_nowait().close()
        self.open = 0


def _literals(compiled: SQLCompiler) -> dict[str, Any]:
    """The values a statement carries itself (an attempt status), as opposed to the
    parameters each call supplies: the binds that were given a value when it was built."""
    return {
        name: value for name, value in compiled.params.items() if not compiled.binds[name].required
    }


def _constants(compiled: SQLCompiler) -> dict[str, Any]:
    # The statement's literals, bound as their stored values (psycopg sees no SQLAlchemy types).
    return {
        name: value.value if isinstance(value, Enum) else value
        for name, value in _literals(compiled).items()
    }


# What a save that changed nothing found: enough to answer the two cases a lane meets (a
# repeated save, one overtaken by a newer revision) the way the route would.
_STATE = (
    select(
        col(AttemptItem.revision),
        col(AttemptItem.response),
        col(AttemptItem.saved_at),
        col(AttemptItem.locked),
        col(Attempt.status),
        col(Attempt.deadline),
    )
    .join(Attempt, col(Attempt.id) == col(AttemptItem.attempt_id))
    .where(
        col(AttemptItem.attempt_id) == bindparam("p_attempt_id"),
        col(AttemptItem.position) == bindparam("p_position"),
        col(Attempt.student_id) == bindparam("p_student_id"),
    )
)
State = tuple[int, Any, datetime | None, bool, str, datetime | None]


def _state(row: tuple[Any, ...]) -> State:
    revision, response, saved_at, locked, status, deadline = row
    return int(revision), response, saved_at, bool(locked), str(status), deadline


_ACCOUNT = select(col(User.role), col(User.is_active)).where(col(User.id) == bindparam("p_user"))


def _remember_account(store: FastCaches, user_id: int, account: tuple[Role, bool] | None) -> None:
    with store.lock:
        if account is None:
            store.users.pop(user_id, None)
        else:
            store.users[user_id] = (account[0], account[1], time.monotonic())


def _overridden(scope: Scope) -> bool:
    """Whether the app's session is overridden (tests): then writes go through it."""
    return get_session in scope["app"].dependency_overrides


def _read_user(request: Request, user_id: int) -> None:
    with lane_session(request) as session:
        row = session.execute(
            select(col(User.role), col(User.is_active)).where(col(User.id) == user_id)
        ).first()
    account = None if row is None else (Role(row[0]), bool(row[1]))
    _remember_account(caches(request), user_id, account)


class AttemptFastLane:
    def __init__(self, app: ASGIApp, *, sqlite: bool = False) -> None:
        self.app = app
        # SQLite has one writer at a time: saves queue on one thread here instead of a
        # crowd of pool threads sleeping in SQLite's busy handler.
        self._writer: _InlineWriter | None = None
        self._postgres: _AsyncPostgresWriter | None = None
        self._saves = 0
        self._sqlite_writer = (
            ThreadPoolExecutor(1, thread_name_prefix="quizloop-saves") if sqlite else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, self._closing_on_shutdown(receive), send)
            return
        if scope["type"] == "http":
            method = scope["method"]
            if method == "GET" and (match := _QUESTION.fullmatch(scope["path"])):
                body = await self._question(scope, int(match[1]), int(match[2]))
                if body is not None:
                    await _send_json(send, body)
                    return
            elif method == "PUT" and (match := _ANSWER.fullmatch(scope["path"])):
                await self._save(scope, receive, send, int(match[1]), int(match[2]))
                return
        await self.app(scope, receive, send)

    def _closing_on_shutdown(self, receive: Receive) -> Receive:
        async def receive_and_close() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                # The app's engine is disposed after this: let go of our connections first.
                if self._writer is not None:
                    self._writer.dispose()
                    self._writer = None
                if self._postgres is not None:
                    await self._postgres.aclose()
                    self._postgres = None
            return message

        return receive_and_close

    def _inline(self, scope: Scope) -> _InlineWriter:
        if self._writer is None:
            self._writer = _InlineWriter(scope["app"].state.engine)
        return self._writer

    async def _save_here(
        self, scope: Scope, parameters: dict[str, object]
    ) -> datetime | bool | None:
        engine: Engine = scope["app"].state.engine
        if engine.dialect.name == "postgresql":
            if self._postgres is None:
                self._postgres = _AsyncPostgresWriter(engine)
            return await self._postgres.save(parameters)
        return self._inline(scope).save(parameters)

    async def _state_here(self, scope: Scope, parameters: dict[str, object]) -> State | bool | None:
        engine: Engine = scope["app"].state.engine
        if engine.dialect.name == "postgresql":
            if self._postgres is None:
                self._postgres = _AsyncPostgresWriter(engine)
            return await self._postgres.state(parameters)
        return self._inline(scope).state(parameters)

    async def _account_here(self, scope: Scope, user_id: int) -> tuple[Role, bool] | bool | None:
        engine: Engine = scope["app"].state.engine
        if engine.dialect.name == "postgresql":
            if self._postgres is None:
                self._postgres = _AsyncPostgresWriter(engine)
            return await self._postgres.account(user_id)
        return self._inline(scope).account(user_id)

    async def _off_loop(self, call: Callable[[], T]) -> T:
        if self._sqlite_writer is not None:
            return await asyncio.get_running_loop().run_in_executor(self._sqlite_writer, call)
        return await run_in_threadpool(call)

    async def _resolve(self, scope: Scope, attempt_id: int, position: int) -> _Owner | None:
        owner = _owner(scope, attempt_id, position)
        if isinstance(owner, int):  # re-read the account, then look again
            account = await self._account_here(scope, owner)
            if isinstance(account, bool):  # not readable here: through a session, off the loop
                await self._off_loop(partial(_read_user, Request(scope), owner))
            else:
                _remember_account(scope["app"].state.fast_caches, owner, account)
            owner = _owner(scope, attempt_id, position)
        return owner if isinstance(owner, _Owner) else None

    async def _question(self, scope: Scope, attempt_id: int, position: int) -> bytes | None:
        owner = await self._resolve(scope, attempt_id, position)
        if owner is None:
            return None
        slot = owner.slot
        question = cached_student_variant_json(
            slot.bank_version_id,
            slot.question_id,
            slot.seed,
            _language(scope, owner.headers),
            shuffle=owner.facts.shuffle_options,
        )
        if question is None:
            return None
        return question_body(position, slot.points, question)

    async def _save(
        self, scope: Scope, receive: Receive, send: Send, attempt_id: int, position: int
    ) -> None:
        owner = await self._resolve(scope, attempt_id, position)
        chunks: list[bytes] = []
        more = True
        size = 0
        while owner is not None and more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > MAX_LANE_BODY:
                break
        body = b"".join(chunks)
        if owner is not None and not more:
            saved = await self._try_save(scope, owner, attempt_id, position, body)
            if isinstance(saved, QuizloopError):
                await problem_response(saved, Request(scope))(scope, receive, send)
                return
            if saved is not None:
                await _send_json(send, saved)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": more}
            return await receive()

        await self.app(scope, replay if chunks else receive, send)

    async def _try_save(
        self, scope: Scope, owner: _Owner, attempt_id: int, position: int, body: bytes
    ) -> bytes | QuizloopError | None:
        answer = _answer(body)
        slot = owner.slot
        variant = cached_variant(
            slot.bank_version_id, slot.question_id, slot.seed, shuffle=owner.facts.shuffle_options
        )
        if answer is None or variant is None:
            return None
        response, revision = answer
        try:
            validate_answer(variant, response, "en")
        except InvalidAnswer:
            return None
        parameters = save_parameters(
            attempt_id=attempt_id,
            student_id=owner.user_id,
            position=position,
            response=response,
            revision=revision,
        )
        saved = await self._save_here(scope, parameters)
        saved_at = saved if isinstance(saved, datetime) else None
        if saved_at is not None and self._sqlite_writer is not None:
            self._saves += 1
            if self._saves % CHECKPOINT_EVERY == 0:
                self._sqlite_writer.submit(self._inline(scope).checkpoint)
        if saved is False and self._sqlite_writer is not None and not _overridden(scope):
            # Locked for the moment: wait off the loop, in short steps.
            saved = await self._off_loop(partial(self._inline(scope).save_waiting, parameters))
            saved_at = saved if isinstance(saved, datetime) else None
        if saved is False:  # not run here (a lock, a broken connection): through a session
            saved_at = await self._off_loop(
                partial(
                    _write, Request(scope), attempt_id, owner.user_id, position, response, revision
                )
            )
        if saved is None and not _overridden(scope):
            return await self._unchanged(scope, parameters)
        if saved_at is None:
            return None
        return _saved_body(position, revision, saved_at, changed=True)

    async def _unchanged(
        self, scope: Scope, parameters: dict[str, object]
    ) -> bytes | QuizloopError | None:
        """A save that changed nothing, in the two cases the lane can answer like the route:
        the same revision and answer again (200, unchanged), or an older revision (409)."""
        state = await self._state_here(scope, parameters)
        if not isinstance(state, tuple):
            return None
        saved_revision, saved_response, saved_at, locked, status, deadline = state
        revision = parameters["p_revision"]
        assert isinstance(revision, int)
        still_open = (
            status == AttemptStatus.in_progress
            and not locked
            and (deadline is None or utcnow() < deadline)
        )
        if not still_open:
            return None  # closing, a deadline, a lock: the route says which
        response = parameters["p_response"]
        if saved_revision > revision or (saved_revision == revision and saved_response != response):
            return StaleAnswer(saved_revision)
        if saved_revision == revision and saved_at is not None:
            position = parameters["p_position"]
            assert isinstance(position, int)
            return _saved_body(position, revision, saved_at, changed=False)
        return None
