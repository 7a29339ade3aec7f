"""`quizloop remote ...` through typer's CliRunner against the real server (uvicorn on a free
port): URL and token from the environment or a saved profile, JSON for scripts, files for
LMS imports, problems as messages and exit statuses."""

from __future__ import annotations

import csv
import io
import json
import socket
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from api.banks.service import SHIPPED_BANK
from tests.client.conftest import PASSWORD, Classroom, LiveServer, Teacher, unique_email
from tests.client.remote import run


def as_prof(room: Classroom, home: Path, *args: str) -> Result:
    return run(home, *args, url=room.live.url, token=room.teacher.token)


def data(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_reading_grades_as_json(classroom: Classroom, tmp_path: Path) -> None:
    room = classroom
    quiz_id = room.quiz("true_false", "single_choice")
    ana = room.take(quiz_id, "ana", [True, False])
    assert data(as_prof(room, tmp_path, "--json", "whoami"))["email"] == room.teacher.email
    courses = data(as_prof(room, tmp_path, "--json", "courses"))
    assert [c["id"] for c in courses] == [room.course_id]
    quizzes = data(as_prof(room, tmp_path, "--json", "quizzes", str(room.course_id)))
    assert [q["id"] for q in quizzes] == [quiz_id]
    attempts = data(
        as_prof(room, tmp_path, "--json", "attempts", str(quiz_id), "--status", "submitted")
    )
    assert [a["id"] for a in attempts] == [ana]
    results = data(as_prof(room, tmp_path, "--json", "results", str(quiz_id)))
    assert {r["email"]: r["score"] for r in results} == {
        room.emails["ana"]: 1.0,
        room.emails["ben"]: None,
    }
    stats = data(as_prof(room, tmp_path, "--json", "stats", str(quiz_id)))
    assert (stats["n"], stats["questions"][0]["facility"]) == (1, 1.0)
    shown = as_prof(room, tmp_path, "stats", str(quiz_id))
    assert shown.exit_code == 0, shown.output
    assert "facility" in shown.stdout


def test_overriding_and_the_audit_trail(classroom: Classroom, tmp_path: Path) -> None:
    room = classroom
    quiz_id = room.quiz("true_false", "single_choice")
    ana = room.take(quiz_id, "ana", [True, False])
    done = as_prof(room, tmp_path, "override", str(ana), "2", "0.5", "--reason", "partly right")
    assert done.exit_code == 0, done.output
    assert "0.5" in done.stdout
    scores = data(as_prof(room, tmp_path, "--json", "scores", str(ana)))
    assert (scores["score"], scores["items"][1]["overridden"]) == (1.5, True)
    cleared = as_prof(
        room, tmp_path, "clear-override", str(ana), "2", "--reason", "appeal withdrawn"
    )
    assert cleared.exit_code == 0, cleared.output
    entries = data(as_prof(room, tmp_path, "--json", "audit", str(quiz_id)))
    assert [(e["action"], e["reason"]) for e in entries] == [
        ("clear", "appeal withdrawn"),
        ("override", "partly right"),
    ]
    table = as_prof(room, tmp_path, "audit", str(quiz_id))
    assert room.teacher.email in table.stdout
    missing_reason = as_prof(room, tmp_path, "override", str(ana), "2", "1")
    assert missing_reason.exit_code == 2  # typer: a required option
    refused = as_prof(room, tmp_path, "override", str(ana), "2", "3", "--reason", "too many")
    assert refused.exit_code == 1
    assert "422 validation-failed" in refused.stderr
    assert "body.points: at most the item's 1 points" in refused.stderr


def test_exporting_gradebooks(classroom: Classroom, tmp_path: Path) -> None:
    room = classroom
    quiz_id = room.quiz("true_false")
    room.take(quiz_id, "ben", [True])
    target = tmp_path / "grades.csv"
    written = as_prof(room, tmp_path, "export", str(quiz_id), "-o", str(target))
    assert written.exit_code == 0, written.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert {row[3]: row[-1] for row in rows[2:]} == {
        room.emails["ana"]: "",
        room.emails["ben"]: "1",
    }
    moodle = as_prof(room, tmp_path, "export", str(quiz_id), "--layout", "moodle", "--no-items")
    assert moodle.exit_code == 0, moodle.output
    assert moodle.stdout.splitlines()[0] == "Full name,Email address,Quiz"
    course = data(
        as_prof(room, tmp_path, "export", "--course", str(room.course_id), "--format", "json")
    )
    assert [c["quiz_id"] for c in course["columns"]] == [quiz_id]
    both = as_prof(room, tmp_path, "export", str(quiz_id), "--course", str(room.course_id))
    assert both.exit_code == 2
    assert "one of them" in both.output


def test_setting_up_a_course_from_files(classroom: Classroom, tmp_path: Path) -> None:
    room = classroom
    new = unique_email("new")
    roster = tmp_path / "roster.csv"
    roster.write_text(f"email,full_name\n{new},New Student\n", encoding="utf-8")
    imported = data(
        as_prof(room, tmp_path, "--json", "students", "import", str(room.course_id), str(roster))
    )
    assert [u["email"] for u in imported["accounts_created"]] == [new]
    assert imported["accounts_created"][0]["initial_password"]
    listed = data(as_prof(room, tmp_path, "--json", "students", "list", str(room.course_id)))
    assert new in {m["email"] for m in listed}
    roster.write_text("email,full_name\nnot-an-email,X\n", encoding="utf-8")
    bad = as_prof(room, tmp_path, "students", "import", str(room.course_id), str(roster))
    assert bad.exit_code == 1
    assert "invalid-csv" in bad.stderr
    assert "(line 2)" in bad.stderr
    bank = as_prof(room, tmp_path, "bank", "import", str(SHIPPED_BANK))
    assert bank.exit_code == 0, bank.output
    assert "already imported" in bank.stderr


def test_login_saves_a_private_profile_that_later_commands_use(
    live: LiveServer, teacher: Teacher, tmp_path: Path
) -> None:
    signed_in = run(
        tmp_path,
        "--url",
        live.url,
        "login",
        "--email",
        teacher.email,
        "--save-as",
        "course",
        stdin=PASSWORD + "\n",
    )
    assert signed_in.exit_code == 0, signed_in.output
    assert "instructor" in signed_in.stderr
    config = tmp_path / "quizloop" / "config.toml"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert 'default_profile = "course"' in config.read_text(encoding="utf-8")
    me = data(run(tmp_path, "--json", "whoami"))  # no URL, no token: the profile
    assert me["email"] == teacher.email
    wrong = run(tmp_path, "--url", live.url, "login", "--email", teacher.email, stdin="nope nope\n")
    assert wrong.exit_code == 1
    assert "invalid-credentials" in wrong.stderr


def test_a_student_signs_in_for_a_while_in_their_language(
    classroom: Classroom, tmp_path: Path
) -> None:
    room = classroom
    signed_in = run(
        tmp_path,
        "--url",
        room.live.url,
        "--lang",
        "zh-CN",
        "login",
        "--email",
        room.emails["ana"],
        stdin=PASSWORD + "\n",
    )
    assert signed_in.exit_code == 0, signed_in.output
    assert "学生没有个人 API 令牌" in signed_in.stderr
    assert "学生" in signed_in.stderr
    quiz_id = room.quiz("true_false")
    mine = data(run(tmp_path, "--json", "attempts", str(quiz_id)))
    assert mine == []
    refused = run(tmp_path, "--lang", "zh-CN", "export", str(quiz_id))
    assert refused.exit_code == 1
    assert "403 course-instructor-only: 只有本课程的教师可以执行此操作。" in refused.stderr


@pytest.mark.parametrize(
    ("args", "url", "token", "code", "message"),
    [
        pytest.param(("whoami",), None, None, 2, "no server URL", id="no server"),
        pytest.param(("whoami",), "live", "qlp_wrong", 1, "invalid-token", id="bad token"),
        pytest.param(("whoami",), "closed", "qlp_x", 3, "/api/v1/users/me", id="unreachable"),
        pytest.param(("--profile", "nope", "whoami"), None, None, 2, "no profile", id="profile"),
        pytest.param(
            ("submit", "1", "1", "/no/such/file.py"), "live", "qlp_x", 2, "cannot read", id="file"
        ),
    ],
)
def test_problems_become_messages_and_exit_statuses(
    live: LiveServer,
    tmp_path: Path,
    args: tuple[str, ...],
    url: str | None,
    token: str | None,
    code: int,
    message: str,
) -> None:
    if url == "live":
        url = live.url
    elif url == "closed":
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    result = run(tmp_path, *args, url=url, token=token)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
