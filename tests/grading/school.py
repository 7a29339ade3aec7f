"""A course ready for code questions, on a database where every write commits."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field, replace
from typing import Any

import httpx2 as httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.auth.passwords import hash_password
from api.auth.tokens import issue_access_token
from api.users.models import Role, User

GATHER_ALL = "sync-async-code-gather-all"  # assignment gather-all, 8 points
OFFLOAD = "ioloop-offload-blocking-code"  # assignment offload-blocking
TRUE_FALSE = "docker-host-kernel"
TERMINAL = {"graded", "rejected", "not_gradable"}

_serial = itertools.count(1)
_hash: list[str] = []


@dataclass
class School:
    """prof teaches the course, where ana and ben study; eve teaches another course."""

    client: TestClient
    engine: Engine
    bank_version: int
    course_id: int = 0
    ids: dict[str, int] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def open(cls, *, client: TestClient, engine: Engine, bank_version: int) -> School:
        school = cls(client=client, engine=engine, bank_version=bank_version)
        serial = next(_serial)
        if not _hash:
            _hash.append(hash_password("correct horse battery"))
        settings = client.app.state.settings  # type: ignore[attr-defined]
        with Session(engine) as session:
            for name, role in (
                ("prof", Role.instructor),
                ("eve", Role.instructor),
                ("ana", Role.student),
                ("ben", Role.student),
            ):
                user = User(
                    email=f"{name}{serial}@example.org",
                    full_name=name,
                    role=role,
                    hashed_password=_hash[0],
                )
                session.add(user)
                session.commit()
                session.refresh(user)
                assert user.id is not None
                school.ids[name] = user.id
                token, _ = issue_access_token(user_id=user.id, settings=settings)
                school.headers[name] = {"Authorization": f"Bearer {token}"}
        title = {"en": "Async", "zh-CN": "异步"}
        school.course_id = school.ok("POST", "/courses", "prof", 201, json={"title": title})["id"]
        school.ok("POST", "/courses", "eve", 201, json={"title": title})
        for name in ("ana", "ben"):
            school.ok(
                "POST",
                f"/courses/{school.course_id}/members",
                "prof",
                201,
                json={"email": f"{name}{serial}@example.org"},
            )
        return school

    def on(self, client: TestClient) -> School:
        """The same people and course, through another app (one that grades, say)."""
        return replace(self, client=client)

    def call(self, method: str, path: str, who: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if who is not None:
            headers.update(self.headers[who])
        return self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)

    def ok(self, method: str, path: str, who: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, who, **kwargs)
        assert response.status_code == status, response.text
        return response.json()

    def quiz(self, *questions: str, feedback: str = "after_submit", **extra: Any) -> int:
        """A published quiz of these bank questions: its id."""
        body = {
            "title": {"en": "Quiz", "zh-CN": "测验"},
            "items": [
                {"kind": "question", "bank_version_id": self.bank_version, "question_id": q}
                for q in questions
            ],
            "feedback": feedback,
            **extra,
        }
        quiz_id: int = self.ok(
            "POST", f"/courses/{self.course_id}/quizzes", "prof", 201, json=body
        )["id"]
        self.ok("POST", f"/quizzes/{quiz_id}/publish", "prof")
        return quiz_id

    def start(self, quiz_id: int, who: str = "ana") -> int:
        response = self.call("POST", f"/quizzes/{quiz_id}/attempts", who)
        assert response.status_code in (200, 201), response.text
        attempt_id: int = response.json()["id"]
        return attempt_id

    def submit(
        self, attempt_id: int, source: str, position: int = 1, who: str = "ana"
    ) -> httpx.Response:
        return self.call(
            "POST",
            f"/attempts/{attempt_id}/items/{position}/submissions",
            who,
            json={"source": source},
        )

    def submitted(self, attempt_id: int, source: str, position: int = 1, who: str = "ana") -> int:
        response = self.submit(attempt_id, source, position, who)
        assert response.status_code == 202, response.text
        submission_id: int = response.json()["id"]
        return submission_id

    def submission(self, submission_id: int, who: str = "prof") -> dict[str, Any]:
        body: dict[str, Any] = self.ok("GET", f"/submissions/{submission_id}", who)
        return body

    def wait(self, submission_id: int, who: str = "prof", timeout: float = 60) -> dict[str, Any]:
        """The submission once it reaches a terminal status (polling)."""
        deadline = time.monotonic() + timeout
        while True:
            body = self.submission(submission_id, who)
            if body["status"] in TERMINAL:
                return body
            assert time.monotonic() < deadline, f"still {body['status']} after {timeout} s"
            time.sleep(0.05)
