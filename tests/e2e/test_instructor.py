"""An instructor in a real browser: previews a bank question's variants, builds, schedules and
publishes a quiz, watches submissions graded, regrades (a dry run, then for real, with
progress), downloads the gradebook CSV and reads the item statistics."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ready, shoot, sign_in
from tests.e2e.server import Classroom

pytestmark = pytest.mark.browser

ASSIGNMENTS = Path(__file__).resolve().parents[2] / "graders/assignments/offload-blocking"
STALE = 4.0  # what "the old checks" gave ana's code: a score the current checks do not give


def give_stale_score(room: Classroom, submission_id: int) -> None:
    """Write STALE as the submission's score straight into the server's database, as if its
    assignment's checks had changed since it was graded: a regrade has something to change."""
    with closing(sqlite3.connect(room.server.data_dir / "quizloop.db", timeout=30)) as db, db:
        updated = db.execute(
            "UPDATE submissions SET score = ? WHERE id = ?", (STALE, submission_id)
        ).rowcount
    assert updated == 1


def test_instructor_builds_and_publishes_a_quiz(room: Classroom, new_page: Any) -> None:
    page = new_page()
    sign_in(page, room, "prof")
    page.get_by_role("link", name="Python async backends").first.click()
    ready(page)
    page.get_by_role("link", name="New quiz").click()
    ready(page)
    page.get_by_label("Title (Chinese)").fill("第三周小测")
    page.get_by_label("Title (English)").fill("Week 3 quiz")
    page.get_by_label("Closes at").fill("2031-06-30T18:00")
    page.get_by_label("Time limit (minutes)").fill("25")
    page.get_by_label("Show scores and feedback").select_option("after_close")
    page.locator("#add-question").select_option("docker-host-kernel")
    page.get_by_role("button", name="Add").first.click()
    page.get_by_label("Topic").select_option("ioloop")
    page.get_by_label("How many").fill("2")
    page.get_by_role("button", name="Add").nth(1).click()
    expect(page.locator("#item-list li")).to_have_count(2)
    expect(page.locator("#item-list")).to_contain_text("2 random question(s): ioloop")
    shoot(page, "instructor-quiz-builder-en")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/quizzes/\d+$"))
    ready(page)
    expect(page.locator("h1")).to_have_text("Week 3 quiz")
    panel = page.locator("#panel-overview")
    expect(panel).to_contain_text("Published")
    expect(panel).to_contain_text("25 minutes")
    expect(panel).to_contain_text("After the quiz closes")
    quiz_id = int(re.search(r"/quizzes/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    published = room.call("GET", f"/quizzes/{quiz_id}", "prof").json()
    assert published["status"] == "published"
    assert published["time_limit_minutes"] == 25
    assert published["questions"] == 3
    # The student sees it, with its due date.
    assert any(
        q["id"] == quiz_id and q["closes_at"].startswith("2031-06-30")
        for q in room.call("GET", f"/courses/{room.course_id}/quizzes", "ana").json()["data"]
    )


def test_instructor_publishes_a_draft_from_its_page(room: Classroom, new_page: Any) -> None:
    draft = room.quiz("Draft", ["single_choice", "numeric"], publish=False)
    page = new_page()
    sign_in(page, room, "prof")
    page.goto(room.url(f"/quizzes/{draft}"))
    ready(page)
    expect(page.locator("#panel-overview")).to_contain_text("Draft")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#panel-overview")).to_contain_text("Published")
    assert room.call("GET", f"/quizzes/{draft}", "prof").json()["status"] == "published"


def test_instructor_previews_variants_of_a_bank_question(room: Classroom, new_page: Any) -> None:
    page = new_page()
    sign_in(page, room, "prof")
    page.get_by_role("link", name="Question banks").click()
    ready(page)
    shoot(page, "instructor-banks-to-preview-en")
    page.get_by_role("link", name=re.compile("Version")).first.click()
    ready(page)
    page.get_by_label("Type").select_option("numeric")
    page.locator("[data-question='docker-cache-rebuild-count']").click()
    preview = page.locator("#preview-body")
    expect(preview.locator(".key")).to_be_visible()  # the key is shown to instructors
    first = preview.inner_text()
    page.get_by_role("button", name="Next seed").click()
    expect(page.get_by_label("Variant seed")).to_have_value("1")
    expect(preview).not_to_have_text(first)  # another seed, another variant
    shoot(page, "instructor-bank-preview-en")


def test_instructor_watches_grading_regrades_and_downloads_the_gradebook(
    room: Classroom, new_page: Any, tmp_path: Path
) -> None:
    quiz_id = room.quiz("Graded code", ["single_choice", "code"], feedback="after_submit")
    reference = (ASSIGNMENTS / "reference.py").read_text(encoding="utf-8")
    starter = (ASSIGNMENTS / "starter.py").read_text(encoding="utf-8")
    ana_attempt = room.take(quiz_id, "ana", {2: reference})
    room.take(quiz_id, "ben", {2: starter})
    page = new_page()
    sign_in(page, room, "prof")
    page.goto(room.url(f"/quizzes/{quiz_id}"))
    ready(page)

    # The sections are tabs: arrow keys move between them.
    page.get_by_role("tab", name="Overview").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Submissions")).to_be_focused()
    expect(page.get_by_role("tab", name="Submissions")).to_have_attribute("aria-selected", "true")

    # Submissions arrive and their grading progress shows, refreshed live.
    table = page.locator("#submissions-table")
    expect(table.locator("tbody tr")).to_have_count(2, timeout=30_000)
    expect(table.locator("tr[data-status='graded']")).to_have_count(2, timeout=60_000)
    expect(page.locator("#panel-submissions [role=progressbar]")).to_have_attribute(
        "aria-valuenow", "2"
    )
    expect(page.locator("#attempts-table")).to_contain_text("ana@example.org")
    shoot(page, "instructor-submissions-en")
    # An attempt opens read-only for the instructor: every check of the code, no inputs.
    page.locator("#attempts-table").get_by_role("link", name="ana@example.org").click()
    ready(page)
    expect(page.locator("#ql-notices")).to_contain_text("ana@example.org")
    expect(page.locator(".question input:enabled")).to_have_count(0)
    expect(page.locator("#submit-button")).to_be_hidden()
    expect(page.locator(".check[data-status='passed']")).to_have_count(3)
    page.go_back()
    ready(page)

    # Since grading, the checks "changed" for ana's code: her saved score is stale.
    listed = room.call(
        "GET", f"/courses/{room.course_id}/submissions", "prof", params={"quiz_id": quiz_id}
    ).json()["data"]
    ana_code = next(s for s in listed if s["attempt_id"] == ana_attempt)
    full_marks = ana_code["score"]
    assert full_marks == ana_code["max_score"] != STALE
    give_stale_score(room, ana_code["id"])

    # A dry run grades again, changes nothing, and says what would change; progress shows.
    page.get_by_role("tab", name="Regrade").click()
    page.get_by_label("Code question").select_option("ioloop-offload-blocking-code")
    expect(page.get_by_label("Dry run (change nothing)")).to_be_checked()
    page.get_by_role("button", name="Start regrading").click()
    summary = page.locator("#regrade-summary")
    expect(summary).to_have_text("Dry run finished: 1 of 2 score(s) would change.", timeout=60_000)
    progress = page.locator("#regrade-progress [role=progressbar]")
    expect(progress).to_have_attribute("aria-valuenow", "2")
    expect(page.locator("#regrade-result tbody tr")).to_have_count(1)
    assert room.call("GET", f"/submissions/{ana_code['id']}", "prof").json()["score"] == STALE
    shoot(page, "instructor-regrade-en")

    # Then for real: the progress bar fills, and what the page reports is the server's state.
    page.get_by_label("Dry run (change nothing)").uncheck()
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/regrades") and r.request.method == "POST"
    ) as started:
        page.get_by_role("button", name="Start regrading").click()
    regrade_id = started.value.json()["id"]
    expect(summary).to_have_text("Regrade finished: 1 of 2 score(s) changed.", timeout=60_000)
    regrade = room.call("GET", f"/regrades/{regrade_id}", "prof").json()
    assert regrade["dry_run"] is False
    progress_of = {key: regrade[key] for key in ("status", "total", "done", "failed")}
    assert progress_of == {"status": "done", "total": 2, "done": 2, "failed": 0}
    expect(progress).to_have_attribute("aria-valuemax", str(regrade["total"]))
    expect(progress).to_have_attribute("aria-valuenow", str(regrade["done"]))
    expect(progress.locator("div")).to_have_attribute("style", re.compile(r"width: 100%"))
    expect(page.locator("#regrade-status")).to_have_text(
        f"Done: {regrade['done']} of {regrade['total']} graded"
        f" ({regrade['failed']} could not be graded)."
    )
    [change] = regrade["changed"]
    assert (change["submission_id"], change["old_score"], change["new_score"]) == (
        ana_code["id"],
        STALE,
        full_marks,
    )
    expect(page.locator("#regrade-result tbody tr")).to_have_text(
        [
            re.compile(
                rf"#{change['submission_id']}\s*#{change['student_id']}"
                rf"\s*{change['old_score']:g}\s*{change['new_score']:g}$"
            )
        ]
    )
    # ... and written: ana's submission has its score again.
    assert room.call("GET", f"/submissions/{ana_code['id']}", "prof").json()["score"] == full_marks
    shoot(page, "instructor-regrade-done-en")

    # The gradebook, and its CSV download.
    page.get_by_role("tab", name="Gradebook").click()
    book = page.locator("#gradebook-table")
    expect(book.locator("tbody tr")).to_have_count(2)
    expect(book).to_contain_text("Ana Li")
    shoot(page, "instructor-gradebook-en")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV (Canvas)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Student"
    students = [r for r in rows[1:] if r and r[0] not in ("", "Points Possible")]
    names = {r[0] for r in students}
    assert {"Li, Ana", "Zhou, Ben"} <= names or {"Ana Li", "Ben Zhou"} <= names, rows

    # Statistics with charts.
    page.get_by_role("tab", name="Statistics").click()
    stats = page.locator("#panel-statistics")
    expect(stats.locator("article")).to_have_count(2)
    expect(stats.locator("svg.chart").first).to_be_visible()
    expect(stats.locator("[data-question='docker-client-daemon'] svg.chart")).to_have_count(3)
    shoot(page, "instructor-statistics-en")
