"""A real quizloop server for the client and `quizloop remote` tests: uvicorn serving the app
on a free port of 127.0.0.1, in a thread, on its own migrated database (SQLite, and
PostgreSQL when reachable) with the shipped bank imported, like `quizloop serve`.

Nothing is rolled back: each test makes its own instructor, students and course, with unique
emails, so tests never see each other's data.

live            the server: `live.url`, `live.engine`
teacher         a fresh instructor with a personal API token: `teacher.client`, `.token`
Classroom       `classroom` fixture: teacher, a course, two students (signed in by password)
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.auth import service as auth
from api.auth.models import ApiTokenCreate
from api.banks.cli import import_shipped
from api.banks.models import BankVersion
from api.client import Client
from api.core import migrations
from api.core.config import SettingsForTests
from api.core.db import create_db_engine, transaction
from api.main import create_app
from api.users import service as users
from api.users.models import Role, UserCreate
from tests.api.answers import right_answer, variant_of, wrong_answer
from tests.conftest import TEST_SECRET_KEY, PostgresDatabases

PASSWORD = "correct horse battery"
SHIPPED_QUESTIONS = {
    "single_choice": "docker-client-daemon",
    "true_false": "docker-host-kernel",
    "code": "ioloop-offload-blocking-code",
}


@dataclass
class LiveServer:
    url: str
    engine: Engine
    bank_version: int


def _serve(engine: Engine, url: str, data_dir: Path) -> Iterator[str]:
    settings = SettingsForTests(database_url=url, data_dir=data_dir, secret_key=TEST_SECRET_KEY)
    app = create_app(settings, engine=engine)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


@pytest.fixture(scope="session")
def live(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[LiveServer]:
    directory = tmp_path_factory.mktemp(f"live-{backend}")
    databases: PostgresDatabases | None = None
    if backend == "sqlite":
        url = f"sqlite:///{directory / 'quizloop.db'}"
    else:
        databases = request.getfixturevalue("postgres")
        url = databases.create()
    engine = create_db_engine(url)
    try:
        migrations.upgrade(engine)
        import_shipped(engine)
        with Session(engine) as session:
            version_id = session.exec(select(BankVersion.id)).one()
            assert version_id is not None
        for base in _serve(engine, url, directory):
            yield LiveServer(url=base, engine=engine, bank_version=version_id)
    finally:
        engine.dispose()
        if databases is not None:
            databases.drop(url)


def unique_email(who: str) -> str:
    return f"{who}-{secrets.token_hex(4)}@example.org"


@dataclass
class Teacher:
    email: str
    token: str
    client: Client


@pytest.fixture
def teacher(live: LiveServer) -> Iterator[Teacher]:
    email = unique_email("prof")
    with Session(live.engine) as session, transaction(session):
        user, _ = users.create_user(
            session=session,
            user_in=UserCreate(email=email, role=Role.instructor, password=PASSWORD),
        )
        _, secret = auth.create_api_token(
            session=session, user=user, token_in=ApiTokenCreate(name="tests")
        )
    with Client(live.url, secret, retries=0) as client:
        yield Teacher(email=email, token=secret, client=client)


@dataclass
class Classroom:
    live: LiveServer
    teacher: Teacher
    course_id: int
    students: dict[str, Client] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def quiz(self, *types: str, **settings: object) -> int:
        items = [
            {"kind": "question", "bank_version_id": self.live.bank_version, "question_id": q}
            for q in (SHIPPED_QUESTIONS[t] for t in types)
        ]
        body = {"title": {"en": "Quiz", "zh-CN": "测验"}, "items": items, **settings}
        quiz = self.teacher.client.create_quiz(self.course_id, body)
        self.teacher.client.publish_quiz(quiz.id)
        return quiz.id

    def answer(self, attempt_id: int, position: int, right: bool = True) -> Any:
        """The right (or a wrong) answer to an item, from the server's own variant."""
        with Session(self.live.engine) as session:
            variant = variant_of(session, attempt_id, position)
        return right_answer(variant) if right else wrong_answer(variant)

    def take(self, quiz_id: int, who: str, rights: list[bool], submit: bool = True) -> int:
        """`who` answers each question right or wrong (and submits): the attempt's id."""
        student = self.students[who]
        attempt = student.start_attempt(quiz_id)
        for position, right in enumerate(rights, start=1):
            student.save_answer(
                attempt.id, position, self.answer(attempt.id, position, right), revision=1
            )
        if submit:
            student.submit_attempt(attempt.id)
        return attempt.id


@pytest.fixture
def classroom(live: LiveServer, teacher: Teacher) -> Iterator[Classroom]:
    client = teacher.client
    course = client.create_course({"en": "Async backends", "zh-CN": "异步后端"})
    room = Classroom(live=live, teacher=teacher, course_id=course.id)
    for name in ("ana", "ben"):
        email = unique_email(name)
        user = client.create_user(email, full_name=name.title(), password=PASSWORD)
        client.enrol(course.id, email)
        room.emails[name], room.ids[name] = email, user.id
        room.students[name] = Client.login(live.url, email, PASSWORD, retries=0)
    try:
        yield room
    finally:
        for student in room.students.values():
            student.close()
