"""Code through the grading queue with the client and `quizloop remote`, on the real server
(its local pool of sandboxed workers grading for real): submit, watch it live, list, regrade
with progress, and an override that outlasts the regrade."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.client import Conflict
from tests.client.conftest import Classroom
from tests.client.remote import run
from tests.grading.solutions import full_marks, reference, wrong
from tests.services import require_bwrap

ASSIGNMENT = "offload-blocking"  # the shipped bank's code question grades with it


@pytest.fixture(autouse=True)
def _sandbox() -> None:
    require_bwrap()


def test_a_student_submits_and_watches_and_the_instructor_regrades(classroom: Classroom) -> None:
    room = classroom
    quiz_id = room.quiz("true_false", "code", feedback="after_each")  # scores shown at once
    ana = room.students["ana"]
    attempt = ana.start_attempt(quiz_id)
    submitted = ana.submit(attempt.id, 2, reference(ASSIGNMENT))
    assert submitted.status in ("queued", "running", "graded")

    states = list(ana.watch_submission(submitted.id, timeout=120))
    assert states[-1].status == "graded"
    assert states[-1].finished
    assert len({s.status for s in states}) == len(states)  # no state twice
    assert ana.submission(submitted.id).score == full_marks(ASSIGNMENT)

    prof = room.teacher.client
    listed = prof.submissions(room.course_id, status="graded", quiz_id=quiz_id)
    assert [s.id for s in listed.data] == [submitted.id]
    seen = prof.submission(submitted.id)
    assert seen.tests
    assert all(t.status == "passed" for t in seen.tests)
    assert [s.id for s in prof.item_submissions(attempt.id, 2).data] == [submitted.id]

    ana.submit_attempt(attempt.id)
    code_points = prof.scores(attempt.id).items[1]
    assert code_points.automatic_points == code_points.max_points
    # An override holds through a regrade; the dry run reports it as overridden.
    prof.override(attempt.id, 2, points=1, reason="late-day penalty")
    job = prof.regrade(submission_id=submitted.id, dry_run=True)
    progress = list(prof.watch_regrade(job.id, timeout=120))
    assert progress[-1].status == "done"
    assert (progress[-1].total, progress[-1].done) == (1, 1)
    assert prof.scores(attempt.id).items[1].score == 1.0
    with pytest.raises(Conflict) as refused:
        prof.requeue(submitted.id)  # graded: nothing to re-queue
    assert refused.value.status == 409


def test_the_remote_commands_for_code(classroom: Classroom, tmp_path: Path) -> None:
    room = classroom
    quiz_id = room.quiz("code", feedback="after_each")
    ana = room.students["ana"]
    attempt = ana.start_attempt(quiz_id)
    source, score = wrong(ASSIGNMENT, "on_loop")
    solution = tmp_path / "solution.py"
    solution.write_text(source, encoding="utf-8")
    token = ana.profile.token
    done = run(
        tmp_path,
        "--lang",
        "zh-CN",
        "submit",
        str(attempt.id),
        "1",
        str(solution),
        "--timeout",
        "120",
        url=room.live.url,
        token=token,
    )
    assert done.exit_code == 0, done.output
    assert "已评分" in done.output
    assert f"得分：{score:g} / {full_marks(ASSIGNMENT):g}" in done.stdout
    submission_id = int(done.stdout.split(":", 1)[0])

    watched = run(tmp_path, "--json", "watch", str(submission_id), url=room.live.url, token=token)
    assert watched.exit_code == 0, watched.output
    assert json.loads(watched.stdout)["status"] == "graded"

    prof_token = room.teacher.token
    listed = run(
        tmp_path,
        "--json",
        "submissions",
        str(room.course_id),
        "--assignment",
        ASSIGNMENT,
        url=room.live.url,
        token=prof_token,
    )
    assert [s["id"] for s in json.loads(listed.stdout)] == [submission_id]
    regraded = run(
        tmp_path,
        "regrade",
        "--quiz",
        str(quiz_id),
        "--question",
        "ioloop-offload-blocking-code",
        "--dry-run",
        url=room.live.url,
        token=prof_token,
    )
    assert regraded.exit_code == 0, regraded.output
    assert "dry run" in regraded.stdout
    assert "1/1 done" in regraded.stdout
    nothing = run(tmp_path, "regrade", "--dry-run", url=room.live.url, token=prof_token)
    assert nothing.exit_code == 2
    assert "needs submission_id" in nothing.stderr
