"""The grading queue's throughput, each backend next to `quizloop grade --jobs 2` on the same
files, measured in the same run.

    python bench/queue.py                              # 1,000 submissions on SQLite
    python bench/queue.py --database postgresql        # on the local PostgreSQL
    python bench/queue.py --count 200                  # a quicker look

The files: every assignment's reference and known-wrong solutions (graders/assignments/*/
reference.py and wrong/*.py), repeated in order up to `--count`; each must get the score its
`# fails:` line implies.

baseline  `quizloop grade ASSIGNMENT FILE... --jobs 2 --format json`, one call per assignment
          (the CLI grades one assignment per call), wall time summed: what an instructor's
          offline script gets from 2 cores.
local     the default backend: the submissions are committed at once (service layer, one
          transaction, into a fresh database: a course, a quiz with a code question per
          assignment, one attempt per student), then a LocalPool of 2 sandboxed processes
          (started cold, like the CLI's) grades them from the database and writes every
          result, item score and attempt total. Timed from the commit to the last result.
celery    the same with the celery backend: the commit publishes 1,000 messages to Redis, and
          two `quizloop worker --concurrency 1` processes (started before, as deployed) take
          them. Issue 7: each backend at least 80% of the baseline's throughput, all graded,
          none lost.
"""

# ruff: noqa: E402  (the imports follow the fix of sys.path below)
from __future__ import annotations

import sys
from pathlib import Path

# This file shares its name with the standard library's `queue`: take its folder off the path
# before anything imports that module, and put the repository on it.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse
import json
import math
import os
import secrets
import signal
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
import redis
from psycopg import sql
from sqlalchemy import Engine, func, make_url
from sqlmodel import Session, col, select

from api.attempts.models import Attempt, AttemptItem
from api.attempts.service import start_attempt
from api.auth.passwords import hash_password
from api.banks import service as banks
from api.core import migrations
from api.core.config import SettingsForTests
from api.core.db import create_db_engine
from api.courses.models import Course, CourseMember, CourseRole
from api.grading.local import LocalPool
from api.grading.publish import add_publisher, remove_publisher
from api.grading.queue import Timing
from api.grading.tasks import CeleryPublisher, make_celery
from api.quizzes.models import Quiz, QuizItem, QuizStatus
from api.submissions.models import TERMINAL, Submission, SubmissionStatus
from api.submissions.service import create_submission
from api.users.models import Role, User
from graders import Catalogue
from questions import load_bank

ROOT = Path(__file__).resolve().parent.parent
QUIZLOOP = Path(sys.executable).with_name("quizloop")
POSTGRES = os.environ.get(
    "QUIZLOOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BROKER = "redis://127.0.0.1:6379/14"
REQUIRED = 0.8


@dataclass(frozen=True)
class File:
    assignment: str
    path: Path
    expected: float


def the_mix(count: int) -> list[File]:
    """Every reference and known-wrong solution, in a fixed order, repeated up to `count`."""
    catalogue = Catalogue.load()
    files = []
    for assignment in catalogue.values():
        files.append(File(assignment.id, assignment.reference, float(assignment.max_score)))
        for path in sorted((assignment.reference.parent / "wrong").glob("*.py")):
            header = path.read_text(encoding="utf-8").splitlines()[0]
            failing = {c.strip() for c in header.removeprefix("# fails:").split(",")}
            kept = sum(c.points for c in assignment.checks if c.id not in failing)
            files.append(File(assignment.id, path, float(kept)))
    return [files[i % len(files)] for i in range(count)]


# -- the baseline --------------------------------------------------------------------------------


def baseline(mix: list[File]) -> tuple[float, list[str]]:
    """Seconds for `quizloop grade --jobs 2` over the mix, one call per assignment; the files
    that did not get the score expected."""
    by_assignment: dict[str, list[File]] = defaultdict(list)
    for file in mix:
        by_assignment[file.assignment].append(file)
    elapsed, off = 0.0, []
    for assignment, files in by_assignment.items():
        command = [str(QUIZLOOP), "grade", assignment, *(str(f.path) for f in files)]
        started = time.perf_counter()
        done = subprocess.run(
            [*command, "--jobs", "2", "--format", "json"], capture_output=True, check=True
        )
        elapsed += time.perf_counter() - started
        results = [json.loads(line) for line in done.stdout.splitlines()]
        assert len(results) == len(files), done.stderr
        off += [
            f"{f.path.relative_to(ROOT)}: {r['score']} (expected {f.expected:g})"
            for r, f in zip(results, files, strict=True)
            if r["score"] != f.expected
        ]
    return elapsed, off


def startup_seconds() -> float:
    """A CLI call's fixed cost: start, spawn 2 grading processes, grade one trivial file
    (rejected at once), stop. Median of 3."""
    times = []
    with tempfile.NamedTemporaryFile("w", suffix=".py") as trivial:
        trivial.write("x = 1\n")
        trivial.flush()
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(
                [str(QUIZLOOP), "grade", "gather-all", trivial.name, "--jobs", "2"],
                capture_output=True,
                check=True,
            )
            times.append(time.perf_counter() - started)
    return sorted(times)[1]


# -- a database full of submissions --------------------------------------------------------------


@contextmanager
def fresh_database(kind: str, directory: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'bench-{secrets.token_hex(4)}.db'}"
        return
    admin = make_url(POSTGRES)
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"quizloop_bench_{secrets.token_hex(4)}"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def classroom(engine: Engine, mix: list[File]) -> dict[tuple[int, str], AttemptItem]:
    """A course whose quiz has one code question per assignment, and enough students (one
    attempt each) for every submission: (student number, assignment) -> the attempt's item."""
    migrations.upgrade(engine)
    bank = load_bank(banks.SHIPPED_BANK)
    question_of: dict[str, str] = {}
    for question in bank.questions.values():
        assignment = getattr(question, "assignment", None)
        if question.type == "code" and assignment and assignment not in question_of:
            question_of[assignment] = question.id
    per_assignment = Counter(f.assignment for f in mix)
    students = max(math.ceil(n / 10) for n in per_assignment.values())
    password = hash_password("correct horse battery")
    with Session(engine) as session:
        version, _ = banks.import_bank(session=session, bank=bank, source="shipped")
        prof = User(email="prof@bench.org", role=Role.instructor, hashed_password=password)
        session.add(prof)
        session.flush()
        course = Course(title={"en": "Bench", "zh-CN": "基准"}, created_by=prof.id)
        session.add(course)
        session.flush()
        quiz = Quiz(
            course_id=course.id,
            title={"en": "Code", "zh-CN": "代码"},
            status=QuizStatus.published,
            attempts_allowed=None,
            seed_secret=secrets.token_hex(16),
        )
        session.add(quiz)
        session.flush()
        for position, assignment in enumerate(sorted(per_assignment), start=1):
            session.add(
                QuizItem(
                    quiz_id=quiz.id,
                    position=position,
                    kind="question",
                    bank_version_id=version.id,
                    question_id=question_of[assignment],
                )
            )
        items: dict[tuple[int, str], AttemptItem] = {}
        for number in range(students):
            student = User(
                email=f"s{number}@bench.org", role=Role.student, hashed_password=password
            )
            session.add(student)
            session.flush()
            session.add(
                CourseMember(course_id=course.id, user_id=student.id, role=CourseRole.student)
            )
            session.flush()
            attempt, _ = start_attempt(session=session, quiz=quiz, student=student)
            for item in session.exec(
                select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)
            ):
                assignment = bank.question(item.question_id).assignment  # type: ignore[union-attr]
                items[(number, assignment)] = item
        session.commit()
        for item in items.values():
            session.refresh(item)
        return items


def queue_all(engine: Engine, mix: list[File], items: dict[tuple[int, str], AttemptItem]) -> float:
    """Add every submission in one transaction; the commit publishes them. The commit's time."""
    seen: Counter[str] = Counter()
    with Session(engine) as session:
        for file in mix:
            number = seen[file.assignment] // 10
            seen[file.assignment] += 1
            item = session.merge(items[(number, file.assignment)])
            attempt = session.get(Attempt, item.attempt_id)
            assert attempt is not None
            create_submission(
                session=session, attempt=attempt, item=item, source=file.path.read_bytes()
            )
        committed = time.perf_counter()
        session.commit()
    return committed


def wait_all(engine: Engine, count: int, timeout: float = 1800) -> float:
    deadline = time.monotonic() + timeout
    with Session(engine.execution_options(isolation_level="AUTOCOMMIT")) as session:
        while True:
            done = session.exec(
                select(func.count())
                .select_from(Submission)
                .where(col(Submission.status).in_(TERMINAL))
            ).one()
            if done >= count:
                return time.perf_counter()
            if time.monotonic() > deadline:
                raise SystemExit(f"only {done} of {count} graded after {timeout} s")
            time.sleep(0.05)


def verify(engine: Engine, mix: list[File]) -> str:
    """Everything graded once, with the expected scores."""
    expected = {f.path.read_bytes(): f for f in mix}
    with Session(engine) as session:
        rows = session.exec(select(Submission)).all()
    statuses = Counter(r.status for r in rows)
    off = [
        f"{expected[bytes(r.source)].path.relative_to(ROOT)}: {r.score}"
        for r in rows
        if r.status != SubmissionStatus.not_gradable
        and r.score != expected[bytes(r.source)].expected
    ]
    wrong = len(off)
    rerun = sum(1 for r in rows if r.runs != 1)
    lost = len(mix) - sum(statuses[s] for s in TERMINAL)
    return (
        f"{statuses[SubmissionStatus.graded] + statuses[SubmissionStatus.rejected]}/{len(mix)} "
        f"graded, {lost} lost, {statuses[SubmissionStatus.not_gradable]} not gradable, "
        f"{rerun} run twice, {wrong} scores off"
        + (f" ({', '.join(sorted(set(off)))})" if off else "")
    )


# -- the backends --------------------------------------------------------------------------------


def run_local(url: str, mix: list[File]) -> tuple[float, str]:
    engine = create_db_engine(url)
    items = classroom(engine, mix)
    pool = LocalPool(engine, workers=2, timing=Timing(), poll=0.5)
    pool.start()
    add_publisher(pool)
    try:
        started = queue_all(engine, mix, items)
        finished = wait_all(engine, len(mix))
    finally:
        remove_publisher(pool)
        pool.stop()
    report = verify(engine, mix)
    engine.dispose()
    return finished - started, report


@contextmanager
def celery_workers(url: str, directory: Path) -> Iterator[None]:
    env = {
        **os.environ,
        "QUIZLOOP_DATABASE_URL": url,
        "QUIZLOOP_DATA_DIR": str(directory),
        "QUIZLOOP_BROKER_URL": BROKER,
        "QUIZLOOP_GRADING_BACKEND": "celery",
        "QUIZLOOP_LOG_LEVEL": "WARNING",
    }
    processes = []
    try:
        for name in ("one", "two"):
            log = directory / f"worker-{name}.log"
            with log.open("wb") as output:
                processes.append(
                    subprocess.Popen(
                        [str(QUIZLOOP), "worker", "--concurrency", "1", "--name", f"{name}@%h"],
                        env={**env, "QUIZLOOP_LOG_LEVEL": "INFO"},
                        stdout=output,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
            deadline = time.monotonic() + 60
            while b" ready." not in log.read_bytes():
                if processes[-1].poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(log.read_text(errors="replace"))
                time.sleep(0.1)
        yield
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def run_celery(url: str, mix: list[File], directory: Path) -> tuple[float, str]:
    engine = create_db_engine(url)
    items = classroom(engine, mix)
    redis.Redis.from_url(BROKER).flushdb()
    settings = SettingsForTests(
        database_url=url,
        data_dir=directory,
        secret_key=secrets.token_urlsafe(48),
        broker_url=BROKER,
        grading_backend="celery",
    )
    publisher = CeleryPublisher(make_celery(settings))
    with celery_workers(url, directory):
        add_publisher(publisher)
        try:
            started = queue_all(engine, mix, items)
            finished = wait_all(engine, len(mix))
        finally:
            remove_publisher(publisher)
    report = verify(engine, mix)
    engine.dispose()
    return finished - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="submissions (default 1000)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--skip-celery", action="store_true", help="no Redis here")
    options = parser.parse_args()
    mix = the_mix(options.count)
    distinct = len({f.path for f in mix})
    print(
        f"queue benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{options.database}, {len(mix)} submissions of {distinct} distinct files "
        f"(every assignment's reference and known-wrong solutions)"
    )
    base_seconds, base_off = baseline(mix)
    calls = len({f.assignment for f in mix})
    startup = startup_seconds()
    grading_seconds = base_seconds - calls * startup
    as_run, alone = len(mix) / base_seconds, len(mix) / grading_seconds
    print(
        f"baseline  quizloop grade --jobs 2, {calls} calls (one per assignment): "
        f"{base_seconds:.1f} s = {as_run:.1f} submissions/s; less {calls} start-ups of "
        f"{startup:.2f} s: {grading_seconds:.1f} s = {alone:.1f}/s; "
        f"{len(mix) - len(base_off)}/{len(mix)} scores as expected"
        + (f" ({', '.join(sorted(set(base_off)))})" if base_off else "")
    )

    def ratios(seconds: float) -> str:
        rate = len(mix) / seconds
        return (
            f"{seconds:.1f} s = {rate:.1f}/s: {rate / alone:.2f}x the CLI's grading time alone, "
            f"{rate / as_run:.2f}x the CLI as run (issue: >= {REQUIRED}x)"
        )

    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        with fresh_database(options.database, directory) as url:
            seconds, report = run_local(url, mix)
        print(f"local     LocalPool, 2 sandboxed processes (cold): {ratios(seconds)}; {report}")
        if options.skip_celery:
            return
        with fresh_database(options.database, directory) as url:
            seconds, report = run_celery(url, mix, directory)
        print(f"celery    2 quizloop workers (warm), Redis: {ratios(seconds)}; {report}")


if __name__ == "__main__":
    main()
