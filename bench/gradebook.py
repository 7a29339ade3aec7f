"""Instructors' reports on a large class: the gradebook (JSON and Canvas CSV) and item
statistics, against the baseline of issue 6's results list (each student's counted score),
measured in the same run on the same data.

    .venv/bin/python bench/gradebook.py [students] [postgresql-url]

A class of `students` (default 1,000), each with a submitted attempt at a 10-question quiz
(every scored type; about half the answers right), one override per ten students. Each report
is built by the service layer, as the route does, median of 5 runs.
"""

# ruff: noqa: E402 (sys.path must be fixed before `api` is imported)
from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/gradebook.py`, bench/ comes first on sys.path, where bench/api.py would
# shadow the `api` package: put the repository root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import random
import statistics as pystats
import tempfile
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from api.attempts import service as attempts
from api.attempts.models import AttemptItem
from api.banks import service as banks
from api.core import migrations
from api.core.db import create_db_engine, transaction
from api.courses import service as courses
from api.courses.models import CourseCreate, CourseRole
from api.gradebook import service as gradebook
from api.gradebook import sheets
from api.gradebook.models import SheetLayout
from api.overrides import service as overrides
from api.pagination import Page
from api.quizzes import service as quizzes
from api.quizzes.models import Quiz, QuizCreate
from api.statistics import service as statistics
from api.statistics.models import AttemptsCounted
from api.users.models import Role, User
from questions import load_bank
from tests.api.answers import right_answer, wrong_answer

TITLE = {"en": "Async backends", "zh-CN": "异步后端"}
QUESTIONS = [
    "docker-client-daemon",
    "docker-image-class-analogy",
    "docker-host-kernel",
    "docker-port-publish",
    "docker-cache-rebuild-count",
    "docker-five-parts",
    "docker-dockerfile-order",
]
RIGHT_ONLY = {
    "docker-image-class-analogy",
    "docker-port-publish",
    "docker-five-parts",
    "docker-dockerfile-order",
}  # wrong_answer() has no recipe for these types


def _class(engine: Engine, students: int) -> int:
    rng = random.Random(7)
    with Session(engine, expire_on_commit=False) as session, transaction(session):
        version, _ = banks.import_bank(
            session=session, bank=load_bank(banks.SHIPPED_BANK), source="shipped"
        )
        prof = User(email="prof@example.org", role=Role.instructor, hashed_password="x")
        session.add(prof)
        session.flush()
        course = courses.create_course(
            session=session, course_in=CourseCreate(title=TITLE), instructor=prof
        )
        items = [
            {"kind": "question", "bank_version_id": version.id, "question_id": q} for q in QUESTIONS
        ] + [{"kind": "draw", "bank_version_id": version.id, "count": 3, "types": ["true_false"]}]
        quiz = quizzes.create_quiz(
            session=session,
            course=course,
            quiz_in=QuizCreate.model_validate({"title": TITLE, "items": items}),
        )
        quizzes.publish_quiz(session=session, quiz=quiz)
        people = [
            User(email=f"s{n:05d}@example.org", role=Role.student, hashed_password="x")
            for n in range(students)
        ]
        session.add_all(people)
        session.flush()
    for start in range(0, students, 200):
        with Session(engine, expire_on_commit=False) as session, transaction(session):
            quiz_row = session.get(Quiz, quiz.id)
            course_row = courses.course_for_member(session=session, course_id=course.id, user=prof)
            for student in people[start : start + 200]:
                courses.add_member(
                    session=session,
                    course=course_row[0],
                    email=student.email,
                    role=CourseRole.student,
                )
                assert quiz_row is not None
                attempt, _ = attempts.start_attempt(session=session, quiz=quiz_row, student=student)
                for item in attempts.get_items_of(session, attempt):
                    variant = attempts.variant_of(session, attempt, item, None)
                    right = item.question_id in RIGHT_ONLY or rng.random() < 0.5
                    item.response = right_answer(variant) if right else wrong_answer(variant)
                    item.revision = 1
                    session.add(item)
                session.flush()
                attempts.close_attempt(session=session, attempt=attempt, closed_by="student")
                if rng.random() < 0.1:
                    overrides.set_override(
                        session=session,
                        attempt=attempt,
                        position=1,
                        points=0.5,
                        reason="bench",
                        actor=prof,
                    )
    assert quiz.id is not None
    return quiz.id


def _median(run: Callable[[], Any], times: int = 5) -> float:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        spent.append(time.perf_counter() - started)
    return pystats.median(spent)


def measure(engine: Engine, students: int, label: str) -> None:
    quiz_id = _class(engine, students)
    with Session(engine) as session:
        quiz = session.get(Quiz, quiz_id)
        assert quiz is not None
        items = len(session.exec(select(AttemptItem.id)).all())

        def results() -> None:
            attempts.quiz_results(session=session, quiz=quiz, page=Page(0, students))

        def book() -> str:
            return gradebook.quiz_gradebook(session=session, quiz=quiz, lang="en").model_dump_json()

        def csv() -> str:
            found = gradebook.quiz_gradebook(session=session, quiz=quiz, lang="en")
            return sheets.quiz_sheet(found, layout=SheetLayout.canvas)

        def stats() -> str:
            found = statistics.quiz_statistics(
                session=session, quiz=quiz, attempts=AttemptsCounted.counted, lang="en"
            )
            return found.model_dump_json()

        baseline = _median(results)
        print(f"{label}: {students} students, {items} answered items")
        print(f"  baseline: results list (issue 6)   {baseline * 1000:8.1f} ms")
        for name, run in (
            ("gradebook JSON", book),
            ("gradebook CSV (Canvas)", csv),
            ("item statistics", stats),
        ):
            spent = _median(run)
            print(
                f"  {name:<32} {spent * 1000:8.1f} ms   {students / spent:8.0f} students/s"
                f"   ratio to baseline {spent / baseline:5.2f}x"
            )


def main() -> None:
    students = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_db_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrations.upgrade(engine)
        measure(engine, students, "SQLite")
        engine.dispose()
    if len(sys.argv) > 2:
        engine = create_db_engine(sys.argv[2])
        migrations.upgrade(engine)
        measure(engine, students, "PostgreSQL")
        engine.dispose()


if __name__ == "__main__":
    main()
