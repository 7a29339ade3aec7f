"""A real service killed with SIGKILL while its local pool grades, then started again: every
submission it had queued or running is graded by the new one, each result counted once.
(A clean stop and a worker killed mid-job: test_local_pool.py.)"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.grading.models import GradingJob, JobKind, JobStatus
from api.submissions.models import Submission, SubmissionStatus
from tests.grading.running import QUIZLOOP, SECRET, until
from tests.grading.school import GATHER_ALL, School
from tests.grading.solutions import full_marks, reference
from tests.services import require_bwrap

pytestmark = pytest.mark.sandbox
SLOW = "import time\ntime.sleep(1.2)\n" + reference("gather-all")


@pytest.fixture(scope="module", params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """The embedded deployment: one `quizloop serve` on a SQLite file."""
    return str(request.param)


class Service:
    """`quizloop serve` on a free port, in a session of its own."""

    def __init__(self, url: str, data_dir: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {
            **os.environ,
            "QUIZLOOP_DATABASE_URL": url,
            "QUIZLOOP_DATA_DIR": str(data_dir),
            "QUIZLOOP_SECRET_KEY": SECRET,
            "QUIZLOOP_GRADING_WORKERS": "1",
            "QUIZLOOP_GRADING_LEASE_SECONDS": "1",
            "QUIZLOOP_LOG_LEVEL": "WARNING",
        }
        self.log = data_dir / f"serve-{self.port}.log"
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [str(QUIZLOOP), "serve", "--port", str(self.port)],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, self.log.read_text(errors="replace")
            assert time.monotonic() < deadline, self.log.read_text(errors="replace")
            time.sleep(0.1)

    def submit(self, school: School, attempt: int, source: str) -> int:
        response = httpx.post(
            f"http://127.0.0.1:{self.port}/api/v1/attempts/{attempt}/items/1/submissions",
            json={"source": source},
            headers=school.headers["ana"],
            timeout=10,
        )
        assert response.status_code == 202, response.text
        submission: int = response.json()["id"]
        return submission

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: only its processes
        self.process.wait(10)


@pytest.fixture
def services(grading_db: tuple[Engine, str], tmp_path: Path) -> Iterator[list[Service]]:
    require_bwrap()
    started: list[Service] = []
    yield started
    for service in started:
        service.kill()


def _statuses(engine: Engine, ids: list[int]) -> list[SubmissionStatus]:
    with Session(engine) as session:
        rows = {
            row.id: row.status
            for row in session.exec(select(Submission).where(Submission.id.in_(ids)))  # type: ignore[union-attr]
        }
    return [rows[i] for i in ids]


def test_a_killed_service_leaves_nothing_behind_for_the_next_one(
    school: School, services: list[Service], grading_db: tuple[Engine, str], tmp_path: Path
) -> None:
    engine, url = grading_db
    attempt = school.start(school.quiz(GATHER_ALL))
    first = Service(url, tmp_path)
    services.append(first)
    ids = [first.submit(school, attempt, SLOW) for _ in range(4)]
    until(lambda: SubmissionStatus.running in _statuses(engine, ids))
    first.kill()
    left = _statuses(engine, ids)
    assert SubmissionStatus.running in left  # the dead service's jobs, never given back
    assert SubmissionStatus.queued in left
    services.append(Service(url, tmp_path))
    until(lambda: set(_statuses(engine, ids)) == {SubmissionStatus.graded}, timeout=90)
    scores = [school.submission(i)["score"] for i in ids]
    assert scores == [full_marks("gather-all")] * 4
    with Session(engine) as session:
        jobs = session.exec(
            select(GradingJob).where(
                GradingJob.submission_id.in_(ids),  # type: ignore[attr-defined]
                GradingJob.kind == JobKind.grade,
            )
        ).all()
    assert all(job.status == JobStatus.done for job in jobs)
    assert any(job.reason == "worker-lost" for job in jobs)  # taken over after the lease
