"""Running the service in tests: its settings, a local pool for a block, `quizloop worker`
processes, the app served over real HTTP, reading event streams, waiting for a condition."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
import uvicorn
from sqlalchemy import Engine

from api.core.config import Settings, SettingsForTests
from api.grading.local import LocalPool
from api.grading.queue import Timing
from api.main import create_app

QUIZLOOP = Path(sys.executable).with_name("quizloop")
LEASE = 1.0  # the workers renew every third of it; a dead one's job is free a second later
SECRET = secrets.token_urlsafe(48)
Event = dict[str, Any]


def settings_for(url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"grading_workers": 0, "submissions_per_minute": 1000, **overrides}
    return SettingsForTests(database_url=url, data_dir=data_dir, secret_key=SECRET, **values)


@contextmanager
def pool(engine: Engine, workers: int = 1, **kwargs: Any) -> Iterator[LocalPool]:
    """A started LocalPool that looks for work every 0.1 s."""
    running = LocalPool(
        engine, workers=workers, timing=Timing(lease=30, deadline=120), poll=0.1, **kwargs
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()


def until(condition: Callable[[], bool], timeout: float = 60) -> None:
    """Wait for `condition` (polling), failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


class Workers:
    """`quizloop worker` processes, each in a session of its own (so the test ends exactly
    the processes it started)."""

    def __init__(self, url: str, broker: str, data_dir: Path) -> None:
        self.env = {
            **os.environ,
            "QUIZLOOP_DATABASE_URL": url,
            "QUIZLOOP_DATA_DIR": str(data_dir),
            "QUIZLOOP_BROKER_URL": broker,
            "QUIZLOOP_GRADING_BACKEND": "celery",
            "QUIZLOOP_GRADING_LEASE_SECONDS": str(LEASE),
        }
        self.data_dir = data_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        log = self.data_dir / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [str(QUIZLOOP), "worker", "--concurrency", "1", "--name", f"{name}@%h"],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes():
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.1)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: only its processes
            process.wait(10)


class LiveServer:
    """The app served by uvicorn on a free local port, in a thread."""

    def __init__(self, engine: Engine, url: str, data_dir: Path, **settings: Any) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.app = create_app(settings_for(url, data_dir, **settings), engine=engine)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(20)


def read_events(url: str, headers: dict[str, str], timeout: float = 60) -> list[Event]:
    """Every `status` event of a stream, until the server ends it."""
    events: list[Event] = []
    current: dict[str, str] = {}
    with httpx.stream("GET", url, headers=headers, timeout=timeout) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line == "":
                if current.get("event") == "status":
                    events.append({**json.loads(current["data"]), "event_id": int(current["id"])})
                current = {}
            elif not line.startswith(":"):
                field, _, value = line.partition(": ")
                current[field] = value
    return events
