"""A real quizloop server for the browser tests: `quizloop serve` in a subprocess on a free
port, against a fresh SQLite database in its own data directory, grading with the local
backend (bubblewrap sandbox), and a class set up through the HTTP API as an instructor would.

Usage:
    with LiveServer.start(tmp_path) as server:
        room = Classroom.build(server)
        room.url("/login")
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx

PASSWORD = "correct horse battery"
STARTUP_SECONDS = 60
BANK = "async-backends"
# One fixed question of every type (the shipped bank), the code one with a known assignment and
# the numeric one with a unit (ms).
EVERY_TYPE = {
    "single_choice": "docker-client-daemon",
    "multiple_choice": "docker-image-class-analogy",
    "true_false": "docker-host-kernel",
    "fill_in": "docker-port-publish",
    "numeric": "sync-async-three-calls-saving",
    "matching": "docker-five-parts",
    "ordering": "docker-dockerfile-order",
    "code": "ioloop-offload-blocking-code",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    base_url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path

    @classmethod
    @contextmanager
    def start(cls, data_dir: Path, **env: str) -> Iterator[LiveServer]:
        port = free_port()
        log = data_dir / "server.log"
        environment = {
            **os.environ,
            "QUIZLOOP_DATA_DIR": str(data_dir),
            "QUIZLOOP_DATABASE_URL": f"sqlite:///{data_dir / 'quizloop.db'}",
            "QUIZLOOP_GRADING_BACKEND": "local",
            "QUIZLOOP_LOG_LEVEL": "WARNING",
            **env,
        }
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from api.cli import main; main()",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = cls(f"http://127.0.0.1:{port}", data_dir, process, log)
        try:
            server._wait_until_healthy()
            yield server
        finally:
            server.stop()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"quizloop serve exited:\n{self.log.read_text()[-4000:]}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"quizloop serve did not answer:\n{self.log.read_text()[-4000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def create_user(self, email: str, *, role: str = "student", name: str = "") -> None:
        """An account made the way an administrator makes one: `quizloop user create`."""
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from api.cli import main; main()",
                "user",
                "create",
                email,
                "--role",
                role,
                "--name",
                name,
            ],
            input=f"{PASSWORD}\n".encode(),
            env={
                **os.environ,
                "QUIZLOOP_DATA_DIR": str(self.data_dir),
                "QUIZLOOP_DATABASE_URL": f"sqlite:///{self.data_dir / 'quizloop.db'}",
            },
            capture_output=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode()


@dataclass
class Classroom:
    """prof teaches the course; ana and ben are enrolled students."""

    server: LiveServer
    client: httpx.Client
    course_id: int
    bank_version: int
    tokens: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, server: LiveServer) -> Classroom:
        server.create_user("prof@example.org", role="instructor", name="Prof. Wang")
        server.create_user("ana@example.org", name="Ana Li")
        server.create_user("ben@example.org", name="Ben Zhou")
        client = httpx.Client(base_url=server.base_url, timeout=30)
        tokens = {
            name: client.post(
                "/api/v1/auth/token",
                data={"username": f"{name}@example.org", "password": PASSWORD},
            ).json()["access_token"]
            for name in ("prof", "ana", "ben")
        }
        prof = {"Authorization": f"Bearer {tokens['prof']}"}
        banks = client.get("/api/v1/banks", headers=prof).json()["data"]
        version = next(b for b in banks if b["slug"] == BANK)["latest_version"]["id"]
        course = client.post(
            "/api/v1/courses",
            json={"title": {"zh-CN": "Python 异步后端", "en": "Python async backends"}},
            headers=prof,
        )
        assert course.status_code == 201, course.text
        room = cls(server, client, course.json()["id"], version, tokens)
        for name in ("ana", "ben"):
            added = room.call(
                "POST",
                f"/courses/{room.course_id}/members",
                "prof",
                json={"email": f"{name}@example.org"},
            )
            assert added.status_code == 201, added.text
        return room

    def call(self, method: str, path: str, who: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)

    def quiz(self, title: str, types: list[str], *, publish: bool = True, **settings: Any) -> int:
        """A quiz of fixed questions, one per type in `types`: its id."""
        items = [
            {"kind": "question", "bank_version_id": self.bank_version, "question_id": EVERY_TYPE[t]}
            for t in types
        ]
        body = {"title": {"zh-CN": f"{title}（中文）", "en": title}, "items": items, **settings}
        created = self.call("POST", f"/courses/{self.course_id}/quizzes", "prof", json=body)
        assert created.status_code == 201, created.text
        quiz_id: int = created.json()["id"]
        if publish:
            published = self.call("POST", f"/quizzes/{quiz_id}/publish", "prof")
            assert published.status_code == 200, published.text
        return quiz_id

    def url(self, path: str) -> str:
        return f"{self.server.base_url}{path}"

    def take(self, quiz_id: int, who: str, answers: dict[int, Any]) -> int:
        """`who` starts an attempt, saves `answers` by position and submits: the attempt id."""
        started = self.call("POST", f"/quizzes/{quiz_id}/attempts", who)
        assert started.status_code in (200, 201), started.text
        attempt_id: int = started.json()["id"]
        for position, response in answers.items():
            saved = self.call(
                "PUT",
                f"/attempts/{attempt_id}/items/{position}/answer",
                who,
                json={"response": response, "revision": 1},
            )
            assert saved.status_code == 200, saved.text
        submitted = self.call("POST", f"/attempts/{attempt_id}/submit", who)
        assert submitted.status_code == 200, submitted.text
        return attempt_id

    def wait_graded(self, quiz_id: int, count: int, timeout: float = 60) -> None:
        """Until `count` code submissions of the quiz are graded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            listed = self.call(
                "GET", f"/courses/{self.course_id}/submissions", "prof", params={"quiz_id": quiz_id}
            ).json()["data"]
            if sum(s["status"] == "graded" for s in listed) >= count:
                return
            time.sleep(0.5)
        raise AssertionError(f"code of quiz {quiz_id} not graded in {timeout} s: {listed}")
