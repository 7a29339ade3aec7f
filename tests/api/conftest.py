"""Fixtures of the quiz-taking features (banks, courses, quizzes, attempts).

client          the root `client`, with the hot attempt routes' session (api/attempts/
                fast.py) also bound to the test's `session`, and every per-process cache
                (parsed banks, variants, tokens, attempts) emptied: ids are reused after
                each test's rollback, so a cache must not outlive its test.
shipped_bank    the shipped bank, loaded and validated once per run.
bank_version    the shipped bank imported into this test's database: its version id.
classroom       a course (taught by prof@example.org) with two enrolled students, plus an
                instructor of another course and a student of no course: see `Classroom`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.banks import service as banks
from api.banks.store import clear_caches
from api.users.models import Role, User
from questions import Bank as QuestionBank
from questions import load_bank
from tests.api.classroom import Classroom


@pytest.fixture
def client(client: TestClient, app: FastAPI, session: Session) -> Iterator[TestClient]:
    clear_caches()
    if hasattr(app.state, "fast_caches"):
        app.state.fast_caches.clear()
    try:
        yield client
    finally:
        clear_caches()
        if hasattr(app.state, "fast_caches"):
            app.state.fast_caches.clear()


@pytest.fixture(scope="session")
def shipped_bank() -> QuestionBank:
    return load_bank(banks.SHIPPED_BANK)


@pytest.fixture
def bank_version(session: Session, shipped_bank: QuestionBank) -> int:
    version, _ = banks.import_bank(session=session, bank=shipped_bank, source="shipped")
    session.commit()
    assert version.id is not None
    return version.id


@pytest.fixture
def classroom(
    client: TestClient,
    session: Session,
    bank_version: int,
    make_user: Callable[..., User],
    auth_headers: Callable[[User], dict[str, str]],
) -> Classroom:
    return Classroom.build(
        client=client,
        session=session,
        bank_version=bank_version,
        make_user=make_user,
        auth_headers=auth_headers,
        instructor_role=Role.instructor,
    )
