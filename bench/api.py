"""The API under load: serving a student's question and autosaving answers, against a minimal
FastAPI app returning a constant, all measured in one run with the same server settings.

    .venv/bin/python bench/api.py [--seconds 10] [--connections 64]

Every server is `uvicorn` with quizloop's settings (`quizloop serve`: one worker process,
uvicorn's default loop and HTTP implementation, quizloop's log configuration, no access log).
The load generator is wrk (Debian package `wrk`) with a Lua script; without it the benchmark
says so and exits 0. Targets (issue 6): serving a question >= 50% of the constant app's
requests/s; saving an answer >= 1,000 requests/s with p99 < 50 ms at 64 connections, on
SQLite and on PostgreSQL (skipped with a message when PostgreSQL is unreachable). Exits 1
when a target is missed.
"""

# ruff: noqa: E402 (sys.path must be fixed before `api` is imported, see below)
from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/api.py`, this file's folder comes first on sys.path, and this file
# would shadow the `api` package: put the repository root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import tempfile
import textwrap
import time
from dataclasses import dataclass

import httpx
import psycopg
from psycopg import sql
from sqlalchemy import make_url
from sqlmodel import Session

from api.attempts import service as attempts
from api.auth.tokens import issue_access_token
from api.banks import service as banks
from api.core import migrations
from api.core.config import SettingsForTests
from api.core.db import create_db_engine, transaction
from api.courses import service as courses
from api.courses.models import CourseCreate, CourseRole
from api.quizzes import service as quizzes
from api.quizzes.models import QuizCreate
from api.users.models import Role, User

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN = os.environ.get(
    "QUIZLOOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
WARMUP_MS = 300  # before each connection's first request (see LUA)
STUDENTS = 256  # a large class; 64 of them saving at any moment
TRUE_FALSE = ["docker-host-kernel", "docker-expose", "docker-latest-tag"]
SHOWN = ["docker-client-daemon", "docker-five-parts", "docker-cache-rebuild-count"]

MINIMAL_APP = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/constant")
async def constant() -> dict[str, str]:
    return {"status": "ok"}
"""

SERVER = """
import gc
import os
import sys

if os.environ.get("BENCH_NOGC"):
    gc.disable()

import uvicorn

from api.core.logging import log_config

# The same call as `quizloop serve` (api/cli.py): one worker, default loop and http.
uvicorn.run(
    sys.argv[1],
    host="127.0.0.1",
    port=int(sys.argv[2]),
    workers=1,
    log_config=log_config("INFO"),
    access_log=False,
)
"""

LUA = """
local targets = {TARGETS}
local method = "METHOD"
local counter = 0
local base = REVBASE  -- each run saves above the revisions of the runs before it
-- Every connection's first request waits WARMUP ms, so that the server has accepted the
-- whole class before the load begins: the figures are those of 64 clients already
-- connected. (Without it, a connection accepted while the others already saturate the
-- server waits for its first answer behind them, up to half a second, and wrk's correction
-- for coordinated omission spreads those few answers over its p99.)
local first_requests = CONNECTIONS
delay = function()
  if first_requests > 0 then
    first_requests = first_requests - 1
    return WARMUP
  end
  return 0
end
request = function()
  counter = counter + 1
  local t = targets[(counter % #targets) + 1]
  local headers = {["Authorization"] = "Bearer " .. t[2], ["Content-Type"] = "application/json"}
  local body = nil
  if method == "PUT" then
    local answer = counter % 2 == 0 and "true" or "false"
    body = '{"response": ' .. answer .. ', "revision": ' .. (base + counter) .. '}'
  end
  return wrk.format(method, t[1], headers, body)
end
-- A save overtaken by a later save of the same answer (a latency tail longer than a full
-- round of the class) is refused with 409 stale-answer: the server's correct answer, counted
-- apart from failures. Counts live in each thread's state; done() collects them.
local threads = {}
stale = 0
setup = function(thread) table.insert(threads, thread) end
response = function(status, headers, body)
  if status == 409 then stale = stale + 1 end
end
done = function(summary, latency, requests)
  local refused = 0
  for _, thread in ipairs(threads) do refused = refused + thread:get("stale") end
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.status - refused,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    refused))
end
"""


@dataclass
class Run:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failed: int
    stale: int = 0  # saves overtaken by a newer save, refused with 409 (correct behaviour)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, app: str, env: dict[str, str], workdir: Path, name: str) -> None:
        self.port = free_port()
        # The servers log as configured (quizloop: a line per request). Written to a file,
        # the benchmark would also time this machine's disk (a write() stalled by writeback
        # stalls the event loop); unless asked to keep them, the lines go to /dev/null.
        keep = os.environ.get("QUIZLOOP_BENCH_LOGS")
        self.log = (Path(keep) / f"{name}.log").open("w") if keep else open(os.devnull, "w")  # noqa: SIM115
        script = workdir / "serve.py"
        script.write_text(SERVER)
        self.process = subprocess.Popen(
            [sys.executable, str(script), app, str(self.port)],
            cwd=workdir,
            env={**os.environ, "PYTHONPATH": f"{ROOT}:{workdir}", **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/docs", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"{name} did not start (QUIZLOOP_BENCH_LOGS=DIR keeps its log)")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


_runs = 0


def repeated(
    name: str,
    url: str,
    targets: list[tuple[str, str]],
    method: str,
    args: argparse.Namespace,
    workdir: Path,
) -> Run:
    """`args.repeat` runs; each figure is the median of its runs (this machine is shared, and
    one run can catch another process's burst)."""
    runs = [wrk(name, url, targets, method, args, workdir) for _ in range(args.repeat)]
    return Run(
        name,
        int(statistics.median(r.requests for r in runs)),
        statistics.median(r.seconds for r in runs),
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
        sum(r.failed for r in runs),
        sum(r.stale for r in runs),
    )


def wrk(
    name: str,
    url: str,
    targets: list[tuple[str, str]],
    method: str,
    args: argparse.Namespace,
    workdir: Path,
) -> Run:
    global _runs
    _runs += 1
    lua = (
        LUA.replace("METHOD", method)
        .replace("CONNECTIONS", str(args.connections))
        .replace("WARMUP", str(WARMUP_MS))
        .replace("REVBASE", str(_runs * 10_000_000))
        .replace("{TARGETS}", "{" + ",".join(f'{{"{p}", "{t}"}}' for p, t in targets) + "}")
    )
    script = workdir / f"{name.replace(' ', '-')}.lua"
    script.write_text(lua)
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{args.connections}",
            f"-d{args.seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT"))
    requests, micros, p50, p99, bad_status, socket_errors, stale = map(int, line.split()[1:])
    return Run(
        name, requests, micros / 1e6, p50 / 1000, p99 / 1000, bad_status + socket_errors, stale
    )


def make_class(url: str, secret: str, data_dir: Path) -> list[tuple[int, str]]:
    """A course, a published quiz and one attempt in progress per student: [(attempt, token)]."""
    engine = create_db_engine(url)
    migrations.upgrade(engine)
    version, _ = banks.import_shipped_bank(engine)
    settings = SettingsForTests(database_url=url, data_dir=data_dir, secret_key=secret)
    out = []
    with Session(engine, expire_on_commit=False) as session, transaction(session):
        prof = User(email="prof@example.org", role=Role.instructor, hashed_password="x")
        session.add(prof)
        session.flush()
        course = courses.create_course(
            session=session,
            course_in=CourseCreate(title={"zh-CN": "课程", "en": "Course"}),
            instructor=prof,
        )
        items = [
            {"kind": "question", "bank_version_id": version.id, "question_id": q}
            for q in TRUE_FALSE + SHOWN
        ]
        quiz = quizzes.create_quiz(
            session=session,
            course=course,
            quiz_in=QuizCreate.model_validate(
                {"title": {"zh-CN": "测验", "en": "Quiz"}, "items": items, "attempts_allowed": None}
            ),
        )
        quizzes.publish_quiz(session=session, quiz=quiz)
        for n in range(STUDENTS):
            student = User(email=f"s{n}@example.org", role=Role.student, hashed_password="x")
            session.add(student)
            session.flush()
            courses.add_member(
                session=session, course=course, email=student.email, role=CourseRole.student
            )
            attempt, _ = attempts.start_attempt(session=session, quiz=quiz, student=student)
            assert attempt.id is not None
            assert student.id is not None
            token, _ = issue_access_token(user_id=student.id, settings=settings)
            out.append((attempt.id, token))
    engine.dispose()
    return out


def postgres_database() -> tuple[str, str] | None:
    """(url of a fresh database, admin conninfo), or None when PostgreSQL is unreachable."""
    admin = make_url(POSTGRES_ADMIN)
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"quizloop_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL unreachable ({exc.__class__.__name__}): its runs are skipped")
        return None
    return admin.set(database=name).render_as_string(hide_password=False), conninfo


def drop_database(url: str, conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        name = make_url(url).database or ""
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def quizloop_runs(
    backend: str, url: str, args: argparse.Namespace, workdir: Path
) -> tuple[Run, Run]:
    secret = secrets.token_urlsafe(48)
    data_dir = workdir / f"data-{backend}"
    data_dir.mkdir()
    class_ = make_class(url, secret, data_dir)
    env = {
        "QUIZLOOP_DATABASE_URL": url,
        "QUIZLOOP_DATA_DIR": str(data_dir),
        "QUIZLOOP_SECRET_KEY": secret,
    }
    server = Server("api.main:app", env, workdir, f"quizloop-{backend}")
    try:
        shown = [
            (f"/api/v1/attempts/{attempt}/items/{len(TRUE_FALSE) + 1 + n % len(SHOWN)}", token)
            for n, (attempt, token) in enumerate(class_)
        ]
        saves = [
            (f"/api/v1/attempts/{attempt}/items/{position}/answer", token)
            for position in range(1, len(TRUE_FALSE) + 1)
            for attempt, token in class_
        ]
        # Every student opens each question once and saves a first answer before the measured
        # runs (as a class does: a question is read before it is answered). These first
        # requests take the ordinary routes, which render the variants and fill the caches
        # the fast lane answers from.
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for attempt, token in class_:
                for position in range(1, len(TRUE_FALSE) + len(SHOWN) + 1):
                    opened = client.get(
                        f"/api/v1/attempts/{attempt}/items/{position}",
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    opened.raise_for_status()
                saved = client.put(
                    f"/api/v1/attempts/{attempt}/items/1/answer",
                    json={"response": True, "revision": 1},
                    headers={"Authorization": f"Bearer {token}"},
                )
                saved.raise_for_status()
        read = repeated(f"question ({backend})", server.url, shown, "GET", args, workdir)
        save = repeated(f"save answer ({backend})", server.url, saves, "PUT", args, workdir)
    finally:
        server.stop()
    return read, save


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument(
        "--backend",
        choices=["sqlite", "postgresql"],
        action="append",
        help="measure only this database (repeatable; default: both)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench/api.py skipped: wrk is not installed (Debian: apt-get install wrk)")
        return 0
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="quizloop-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "minimal_app.py").write_text(textwrap.dedent(MINIMAL_APP))
        minimal = Server("minimal_app:app", {}, workdir, "minimal")
        try:
            baseline = repeated(
                "constant (minimal app)", minimal.url, [("/constant", "-")], "GET", args, workdir
            )
        finally:
            minimal.stop()
        runs.append(baseline)
        wanted = set(args.backend or ["sqlite", "postgresql"])
        backends = [("sqlite", f"sqlite:///{workdir / 'bench.db'}", None)]
        if "sqlite" not in wanted:
            backends = []
        pg = postgres_database() if "postgresql" in wanted else None
        if pg is not None:
            backends.append(("postgresql", pg[0], pg[1]))
        try:
            for backend, url, _ in backends:
                runs.extend(quizloop_runs(backend, url, args, workdir))
        finally:
            if pg is not None:
                drop_database(*pg)

    print(
        f"\nAPI benchmark: {args.connections} connections, median of {args.repeat} runs of "
        f"{args.seconds} s, "
        f"{os.cpu_count()} cores, wrk, uvicorn with quizloop's settings (1 worker)"
    )
    print(
        f"{'run':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7} {'failed':>7} "
        f"{'stale':>6}"
    )
    for run in runs:
        print(
            f"{run.name:34} {run.rate:9.0f} {run.p50_ms:8.2f} {run.p99_ms:8.2f} "
            f"{run.rate / baseline.rate:7.2f} {run.failed:7d} {run.stale:6d}"
        )
    print(
        "(stale: saves overtaken by a newer save of the same answer: refused with 409, correctly)"
    )
    missed = []
    for run in runs:
        if run.failed:
            missed.append(f"{run.name}: {run.failed} failed requests")
        if run.name.startswith("question") and run.rate < 0.5 * baseline.rate:
            missed.append(f"{run.name}: {run.rate:.0f} req/s is under 50% of the baseline")
        if run.name.startswith("save") and (run.rate < 1000 or run.p99_ms >= 50):
            missed.append(f"{run.name}: needs >= 1000 req/s and p99 < 50 ms")
    for line in missed:
        print("MISSED", line)
    if not missed:
        print("all targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
