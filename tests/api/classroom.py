"""A course ready for quizzes, driven over HTTP like a real class would be."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.users.models import Role, User

TITLE = {"zh-CN": "异步后端", "en": "Async backends"}
# One fixed question of each scored type, and one code question (its assignment exists).
FIXED = {
    "single_choice": "docker-client-daemon",
    "multiple_choice": "docker-image-class-analogy",
    "true_false": "docker-host-kernel",
    "fill_in": "docker-port-publish",
    "numeric": "docker-cache-rebuild-count",
    "matching": "docker-five-parts",
    "ordering": "docker-dockerfile-order",
    "code": "ioloop-offload-blocking-code",
}


@dataclass
class Classroom:
    """prof teaches the course; ana and ben are enrolled; eve teaches another course; zoe is
    a student of no course."""

    client: TestClient
    session: Session
    bank_version: int
    course_id: int
    other_course_id: int
    users: dict[str, User]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        client: TestClient,
        session: Session,
        bank_version: int,
        make_user: Callable[..., User],
        auth_headers: Callable[[User], dict[str, str]],
        instructor_role: Role,
    ) -> Classroom:
        users = {
            "prof": make_user(role=instructor_role, email="prof@example.org"),
            "eve": make_user(role=instructor_role, email="eve@example.org"),
            "ana": make_user(email="ana@example.org", full_name="Ana"),
            "ben": make_user(email="ben@example.org", full_name="Ben"),
            "zoe": make_user(email="zoe@example.org"),
        }
        headers = {name: auth_headers(user) for name, user in users.items()}
        course = client.post("/api/v1/courses", json={"title": TITLE}, headers=headers["prof"])
        assert course.status_code == 201, course.text
        other = client.post("/api/v1/courses", json={"title": TITLE}, headers=headers["eve"])
        assert other.status_code == 201, other.text
        room = cls(
            client=client,
            session=session,
            bank_version=bank_version,
            course_id=course.json()["id"],
            other_course_id=other.json()["id"],
            users=users,
            headers=headers,
        )
        for name in ("ana", "ben"):
            added = client.post(
                f"/api/v1/courses/{room.course_id}/members",
                json={"email": users[name].email},
                headers=headers["prof"],
            )
            assert added.status_code == 201, added.text
        return room

    def fixed(self, *types: str, points: float | None = None) -> list[dict[str, Any]]:
        return [
            {
                "kind": "question",
                "bank_version_id": self.bank_version,
                "question_id": FIXED[t],
                **({"points": points} if points else {}),
            }
            for t in types
        ]

    def quiz(
        self, *, publish: bool = True, items: list[dict[str, Any]] | None = None, **settings: Any
    ) -> int:
        """A quiz in the course (published unless told otherwise): its id."""
        body = {
            "title": {"zh-CN": "测验", "en": "Quiz"},
            "items": items if items is not None else self.fixed("single_choice", "true_false"),
            **settings,
        }
        created = self.client.post(
            f"/api/v1/courses/{self.course_id}/quizzes", json=body, headers=self.headers["prof"]
        )
        assert created.status_code == 201, created.text
        quiz_id: int = created.json()["id"]
        if publish:
            published = self.client.post(
                f"/api/v1/quizzes/{quiz_id}/publish", headers=self.headers["prof"]
            )
            assert published.status_code == 200, published.text
        return quiz_id

    def call(self, method: str, path: str, who: str | None = None, **kwargs: Any) -> httpx.Response:
        """A request as `who` (None: anonymous) to /api/v1 + `path`."""
        headers = dict(kwargs.pop("headers", {}))
        if who is not None:
            headers.update(self.headers[who])
        return self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)

    def save(
        self, attempt_id: int, position: int, response: Any, revision: int, who: str = "ana"
    ) -> httpx.Response:
        return self.call(
            "PUT",
            f"/attempts/{attempt_id}/items/{position}/answer",
            who,
            json={"response": response, "revision": revision},
        )

    def start(self, quiz_id: int, who: str = "ana", **params: str) -> dict[str, Any]:
        started = self.client.post(
            f"/api/v1/quizzes/{quiz_id}/attempts", headers=self.headers[who], params=params
        )
        assert started.status_code in (200, 201), started.text
        body: dict[str, Any] = started.json()
        return body
