"""The fast lane (api/attempts/lane.py) gives exactly the route's answers, writes through its
own connection on a committed database, stops serving a disabled account, and the request
gate keeps the app from starving itself."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from api.attempts import lane
from api.attempts import routes as attempt_routes
from api.attempts.models import Attempt, AttemptItem
from api.auth.passwords import hash_password
from api.auth.tokens import issue_access_token
from api.banks import service as banks
from api.core import migrations
from api.core.config import SettingsForTests
from api.core.db import create_db_engine, transaction, utcnow
from api.gate import RequestGate
from api.main import create_app
from api.users.models import Role, User
from questions import Bank as QuestionBank
from tests.api.answers import right_answer, variant_of
from tests.api.classroom import FIXED, TITLE, Classroom
from tests.api.problems import assert_problem
from tests.conftest import TEST_SECRET_KEY


def test_the_lane_serves_the_routes_answer_from_its_caches(
    classroom: Classroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = classroom
    rendered: list[int] = []
    original = attempt_routes.student_variant_json

    def counting(*args: object, **kwargs: object) -> bytes:
        rendered.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(attempt_routes, "student_variant_json", counting)
    attempt_id = room.start(room.quiz(items=room.fixed("matching", "numeric")))["id"]
    first = room.call("GET", f"/attempts/{attempt_id}/items/1", "ana", params={"lang": "zh-CN"})
    second = room.call("GET", f"/attempts/{attempt_id}/items/1", "ana", params={"lang": "zh-CN"})
    assert len(rendered) == 1  # the second came from the lane
    assert second.content == first.content
    assert second.headers["content-type"] == "application/json"
    assert second.headers["x-request-id"] != first.headers["x-request-id"]
    # Other students, instructors, anonymous callers, unknown positions: the route decides.
    assert room.call("GET", f"/attempts/{attempt_id}/items/1", "ben").status_code == 404
    assert room.call("GET", f"/attempts/{attempt_id}/items/1", None).status_code == 401
    assert room.call("GET", f"/attempts/{attempt_id}/items/9", "ana").status_code == 404
    assert room.call("GET", f"/attempts/{attempt_id}/items/1", "prof").status_code == 200


@pytest.fixture
def live(
    fresh_database_url: str, tmp_path: Path, shipped_bank: QuestionBank
) -> Iterator[tuple[TestClient, Engine, Callable[[str], dict[str, str]]]]:
    """An app on a committed database of its own (the lane's connection sees its rows)."""
    engine = create_db_engine(fresh_database_url)
    migrations.upgrade(engine)
    users: dict[str, User] = {}
    with Session(engine, expire_on_commit=False) as session, transaction(session):
        banks.import_bank(session=session, bank=shipped_bank, source="shipped")
        for name, role in (("prof", Role.instructor), ("ana", Role.student)):
            users[name] = User(email=f"{name}@example.org", role=role,
                               hashed_password=hash_password("correct horse battery"))  # fmt: skip
            session.add(users[name])
    settings = SettingsForTests(
        database_url=fresh_database_url, data_dir=tmp_path, secret_key=TEST_SECRET_KEY
    )
    app = create_app(settings, engine=engine)

    def headers(name: str) -> dict[str, str]:
        user_id = users[name].id
        assert user_id is not None
        return {
            "Authorization": f"Bearer {issue_access_token(user_id=user_id, settings=settings)[0]}"
        }

    try:
        with TestClient(app) as client:
            yield client, engine, headers
    finally:
        engine.dispose()


def test_saves_through_the_lane_land_in_the_database(
    live: tuple[TestClient, Engine, Callable[[str], dict[str, str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, engine, headers = live
    course = client.post("/api/v1/courses", json={"title": TITLE}, headers=headers("prof")).json()
    client.post(f"/api/v1/courses/{course['id']}/members", json={"email": "ana@example.org"},
                headers=headers("prof"))  # fmt: skip
    with Session(engine) as session:
        version_id = banks.get_version(session=session, version_id=1)[0].id
    quiz = client.post(
        f"/api/v1/courses/{course['id']}/quizzes",
        json={"title": TITLE, "items": [
            {"kind": "question", "bank_version_id": version_id, "question_id": FIXED[t]}
            for t in ("true_false", "single_choice")
        ]},
        headers=headers("prof"),
    ).json()  # fmt: skip
    client.post(f"/api/v1/quizzes/{quiz['id']}/publish", headers=headers("prof"))
    ana = headers("ana")
    attempt = client.post(f"/api/v1/quizzes/{quiz['id']}/attempts", headers=ana).json()
    url = f"/api/v1/attempts/{attempt['id']}/items"
    assert client.get(f"{url}/1", headers=ana).status_code == 200  # warms the lane
    assert client.get(f"{url}/2", headers=ana).status_code == 200
    routed: list[int] = []
    original = attempt_routes.service.save_answer

    def counting(**kwargs: object) -> object:
        routed.append(1)
        return original(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(attempt_routes.service, "save_answer", counting)
    with Session(engine) as session:
        answer = right_answer(variant_of(session, attempt["id"], 2))
    for revision, response in ((1, True), (2, False), (3, answer)):
        position = 2 if response is answer else 1
        saved = client.put(f"{url}/{position}/answer", json={"response": response,
                           "revision": revision}, headers=ana)  # fmt: skip
        assert saved.status_code == 200, saved.text
        assert saved.json()["changed"] is True
    assert routed == []  # all three by the lane
    repeated = client.put(f"{url}/1/answer", json={"response": False, "revision": 2}, headers=ana)
    assert repeated.json()["changed"] is False  # the lane's statement changed nothing: route
    stale = client.put(f"{url}/1/answer", json={"response": True, "revision": 1}, headers=ana)
    assert_problem(stale, 409, "stale-answer")
    malformed = client.put(f"{url}/2/answer", json={"response": "nope", "revision": 9}, headers=ana)
    assert_problem(malformed, 422, "invalid-answer")
    with Session(engine) as session:
        stored = {
            i.position: (i.response, i.revision)
            for i in session.exec(
                select(AttemptItem).where(AttemptItem.attempt_id == attempt["id"])
            )
        }
    assert stored == {1: (False, 2), 2: (answer, 3)}
    if engine.dialect.name == "sqlite":
        # The lane runs its save on SQLite's own connection (lane._SqliteStatement): what it
        # stores must be the very text SQLAlchemy stores, or timestamps would not compare in
        # SQL (they are text there) and answers would not read back alike.
        with engine.connect() as connection:
            saved_at, started_at, response = connection.exec_driver_sql(
                "SELECT i.saved_at, a.started_at, i.response FROM attempt_items i "
                "JOIN attempts a ON a.id = i.attempt_id WHERE i.attempt_id = ? "
                "AND i.position = 2",
                (attempt["id"],),
            ).one()
        timestamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}"
        assert re.fullmatch(timestamp, started_at), started_at  # written by SQLAlchemy
        assert re.fullmatch(timestamp, saved_at), saved_at  # written by the lane
        assert response == json.dumps(answer)
    # A deadline the lane's cache does not know yet (set behind its back): its statement
    # compares it with the time in the database, writes nothing, and the route closes the
    # attempt.
    with engine.begin() as connection:
        connection.execute(
            update(Attempt)
            .where(col(Attempt.id) == attempt["id"])
            .values(deadline=utcnow() - timedelta(seconds=1))
        )
    late = client.put(f"{url}/1/answer", json={"response": True, "revision": 5}, headers=ana)
    assert_problem(late, 409, "deadline-passed")
    with Session(engine) as session:
        item = session.exec(
            select(AttemptItem).where(
                AttemptItem.attempt_id == attempt["id"], AttemptItem.position == 1
            )
        ).one()
    assert (item.response, item.revision) == (False, 2)
    # A disabled account stops being served once its cached state is re-read.
    monkeypatch.setattr(lane, "USER_TTL_SECONDS", 0.0)
    with Session(engine) as session, transaction(session):
        user = session.exec(select(User).where(User.email == "ana@example.org")).one()
        user.is_active = False
        session.add(user)
    assert_problem(client.get(f"{url}/1", headers=ana), 403, "account-disabled")
    assert_problem(
        client.put(f"{url}/1/answer", json={"response": True, "revision": 7}, headers=ana),
        403,
        "account-disabled",
    )


def test_the_gate_lets_in_at_most_its_limit() -> None:
    inside = 0
    most = 0

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.001)
        inside -= 1

    gate = RequestGate(app, limit=3)  # type: ignore[arg-type]

    async def main() -> None:
        await asyncio.gather(*(gate({"type": "http"}, None, None) for _ in range(20)))  # type: ignore[arg-type]

    asyncio.run(main())
    assert most == 3
