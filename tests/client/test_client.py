"""The Python client against a real quizloop server (uvicorn on a free port, SQLite and
PostgreSQL): an instructor's script end to end, sync and async, typed answers, pagination and
the server's problems as typed exceptions."""

from __future__ import annotations

import asyncio
import csv
import inspect
import io
import shutil
from pathlib import Path

import pytest

from api.banks.service import SHIPPED_BANK
from api.client import (
    AsyncClient,
    Client,
    ConfigError,
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationError,
)
from api.client.models import AttemptSummary, QuizGradebook, QuizStatistics
from tests.client.conftest import PASSWORD, SHIPPED_QUESTIONS, Classroom, LiveServer, Teacher


def test_an_instructors_script_end_to_end(classroom: Classroom) -> None:
    room = classroom
    prof = room.teacher.client
    assert prof.me().role == "instructor"
    quiz_id = room.quiz("true_false", "single_choice")
    ana = room.take(quiz_id, "ana", [True, False])
    ben = room.take(quiz_id, "ben", [False, False])

    pages: list[tuple[int, int]] = []
    attempts = list(
        prof.paginate(
            prof.attempts,
            quiz_id,
            status="submitted",
            page_size=1,
            on_page=lambda done, count: pages.append((done, count)),
        )
    )
    assert all(isinstance(a, AttemptSummary) for a in attempts)
    assert {a.id for a in attempts} == {ana, ben}
    assert pages == [(1, 2), (2, 2)]
    assert prof.attempts(quiz_id, student_id=room.ids["ana"]).count == 1

    changed = prof.override(ben, 1, points=0.5, reason="half right, well argued")
    assert (changed.score, changed.automatic_points, changed.overridden) == (0.5, 0.0, True)
    assert prof.scores(ben).score == 0.5
    entry = next(iter(prof.paginate(prof.audit, quiz_id)))
    assert (entry.actor_email, entry.reason, entry.new_points) == (
        room.teacher.email,
        "half right, well argued",
        0.5,
    )

    book = prof.gradebook(quiz_id)
    assert isinstance(book, QuizGradebook)
    totals = {row.email: row.total for row in book.rows}
    assert totals == {room.emails["ana"]: 1.0, room.emails["ben"]: 0.5}
    sheet = list(csv.reader(io.StringIO(prof.gradebook_csv(quiz_id, layout="moodle"))))
    assert sheet[0][:2] == ["Full name", "Email address"]
    assert {row[1]: row[-1] for row in sheet[1:]} == {
        room.emails["ana"]: "1",
        room.emails["ben"]: "0.5",
    }
    course_sheet = prof.course_gradebook_csv(room.course_id)
    assert course_sheet.startswith("Student,ID,SIS User ID,SIS Login ID,Section,")
    assert prof.course_gradebook(room.course_id).rows[0].total is not None

    stats = prof.statistics(quiz_id)
    assert isinstance(stats, QuizStatistics)
    assert stats.n == 2
    assert [q.question_id for q in stats.questions] == [
        SHIPPED_QUESTIONS["true_false"],
        SHIPPED_QUESTIONS["single_choice"],
    ]
    assert stats.questions[0].facility == 0.75  # ana 1, ben 0.5 by the override

    cleared = prof.clear_override(ben, 1, reason="appeal withdrawn")
    assert cleared.score == 0.0
    results = {r.email: r.score for r in prof.paginate(prof.results, quiz_id)}
    assert results[room.emails["ben"]] == 0.0


def test_the_async_client_does_the_same(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz("true_false")
    ana = room.take(quiz_id, "ana", [True])

    async def script() -> None:
        async with AsyncClient(room.live.url, room.teacher.token, retries=0) as prof:
            assert (await prof.me()).email == room.teacher.email
            seen = [a.id async for a in prof.paginate(prof.attempts, quiz_id, page_size=1)]
            assert seen == [ana]
            changed = await prof.override(ana, 1, points=0.25, reason="async script")
            assert changed.score == 0.25
            assert (await prof.gradebook(quiz_id)).rows[0].total == 0.25
            assert (await prof.statistics(quiz_id, attempts="all")).n == 1
            with pytest.raises(NotFound):
                await prof.quiz(10**9)
        student = await AsyncClient.login(room.live.url, room.emails["ben"], PASSWORD, retries=0)
        async with student:
            started = await student.start_attempt(quiz_id)
            saved = await student.save_answer(started.id, 1, True, revision=1)
            assert saved.changed is True
            done = await student.submit_attempt(started.id)
            assert done.status == "submitted"

    asyncio.run(script())


def test_problems_come_back_as_typed_exceptions(classroom: Classroom) -> None:
    room = classroom
    prof = room.teacher.client
    quiz_id = room.quiz("true_false")
    open_attempt = room.take(quiz_id, "ana", [True], submit=False)

    with pytest.raises(NotFound) as missing:
        prof.quiz(10**9)
    assert (missing.value.status, missing.value.kind) == (404, "not-found")
    assert missing.value.request_id

    with pytest.raises(ValidationError) as invalid:
        prof.override(open_attempt, 1, points=1, reason="   ")
    assert [e.loc for e in invalid.value.errors] == [["body", "reason"]]
    assert "body.reason" in str(invalid.value)

    with pytest.raises(Conflict) as conflict:
        prof.override(open_attempt, 1, points=1, reason="too early")
    assert conflict.value.kind == "attempt-in-progress"

    with pytest.raises(Forbidden) as forbidden:
        room.students["ana"].gradebook(quiz_id)
    assert forbidden.value.kind == "course-instructor-only"

    with (
        Client(room.live.url, "qlp_not-a-real-token", retries=0) as stranger,
        pytest.raises(Unauthorized) as unauthorized,
    ):
        stranger.me()
    assert unauthorized.value.kind == "invalid-token"

    with (
        Client(room.live.url, room.teacher.token, lang="zh-CN", retries=0) as chinese,
        pytest.raises(NotFound) as in_chinese,
    ):
        chinese.quiz(10**9)
    assert in_chinese.value.detail == "没有这个测验。"


def test_enrolling_a_roster_from_csv(classroom: Classroom) -> None:
    room = classroom
    prof = room.teacher.client
    roster = (
        f"email,full_name\n{room.emails['ana']},Ana\nnew-one@example.org,New One\n".replace(
            "new-one", f"new-{room.course_id}"
        )
    ).encode()
    enrolled = prof.enrol_roster(room.course_id, roster)
    assert enrolled.already_enrolled == [room.emails["ana"]]
    assert [m.email for m in enrolled.enrolled] == [f"new-{room.course_id}@example.org"]
    assert enrolled.accounts_created[0].initial_password
    members = prof.members(room.course_id, role="student")
    assert members.count == 3

    with pytest.raises(ValidationError) as invalid:
        prof.enrol_roster(room.course_id, b"email,full_name\nnot-an-email,X\n,Y\n")
    assert invalid.value.kind == "invalid-csv"
    assert sorted(e.line for e in invalid.value.errors if e.line) == [2, 3]
    assert prof.members(room.course_id, role="student").count == 3


def test_importing_a_bank_folder(teacher: Teacher, live: LiveServer, tmp_path: Path) -> None:
    prof = teacher.client
    again = prof.import_bank(SHIPPED_BANK)  # the same content: the existing version
    assert (again.created, again.version["id"]) == (False, live.bank_version)
    broken = tmp_path / "broken-bank"
    shutil.copytree(SHIPPED_BANK, broken, ignore=shutil.ignore_patterns("__pycache__"))
    (broken / "bank.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValidationError) as invalid:
        prof.import_bank(broken)
    assert invalid.value.errors
    with pytest.raises(ConfigError, match=r"no bank\.yaml"):
        prof.import_bank(tmp_path)


def test_both_clients_offer_the_same_calls() -> None:
    def surface(cls: type) -> dict[str, list[tuple[str, object]]]:
        members = {name: getattr(cls, name) for name in vars(cls) if not name.startswith("_")}
        return {
            name: [(p.name, p.default) for p in inspect.signature(member).parameters.values()]
            for name, member in members.items()
            if callable(member)
        }

    sync, asynchronous = surface(Client), surface(AsyncClient)
    sync["aclose"] = sync.pop("close")
    assert sync == asynchronous
    assert len(sync) > 40
