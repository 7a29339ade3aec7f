"""A student in a real browser: every question type, autosave, resume after a reload and on
another device, code graded live, submit with confirmation; the pages in Chinese at phone
width."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, ready, shoot, sign_in
from tests.e2e.server import EVERY_TYPE, Classroom

pytestmark = pytest.mark.browser

REFERENCE = (
    Path(__file__).resolve().parents[2] / "graders/assignments/offload-blocking/reference.py"
).read_text(encoding="utf-8")


def question(page: Any, position: int) -> Any:
    return page.locator(f"#question-{position}")


def by_type(page: Any) -> dict[str, Any]:
    """The attempt's questions by type (each student's order is the quiz's order here)."""
    found = {}
    for element in page.locator(".question").all():
        found[element.get_attribute("data-type")] = element
    assert set(found) == set(EVERY_TYPE), found.keys()
    return found


def order_of(item: Any) -> list[str]:
    ids: list[str] = item.locator(".ordering li").evaluate_all(
        "(rows) => rows.map((row) => row.dataset.id)"
    )
    return ids


def answer_in_seconds(item: Any) -> str:
    """Answer the numeric question (three calls awaited in turn or gathered: how many ms
    does gather save?) rightly, in seconds where it asks for ms: the server converts."""
    unit = item.locator(".numeric-answer .unit")
    expect(unit).to_have_text("ms")
    field = item.get_by_label("Your answer")
    expect(field).to_have_accessible_description(re.compile(r"Answer in ms"))
    # The unit sits just after the input, on its line.
    box, unit_box = field.bounding_box(), unit.bounding_box()
    assert unit_box["x"] >= box["x"] + box["width"], (box, unit_box)
    assert box["y"] <= unit_box["y"] + unit_box["height"] / 2 <= box["y"] + box["height"]
    calls = re.search(r"taking (\d+) ms, (\d+) ms and (\d+) ms", item.inner_text())
    assert calls, item.inner_text()
    times = [int(t) for t in calls.groups()]
    answer = f"{(sum(times) - max(times)) / 1000:g} s"
    field.fill(answer)
    return answer


def answer_everything(page: Any) -> dict[str, Any]:
    """Answer each question through its own kind of input; returns what was chosen."""
    q = by_type(page)
    chosen: dict[str, Any] = {}
    q["single_choice"].locator(".option").first.click()
    chosen["single"] = q["single_choice"].locator("input").first.get_attribute("value")
    q["multiple_choice"].locator(".option").nth(0).click()
    q["multiple_choice"].locator(".option").nth(2).click()
    q["true_false"].get_by_text("True", exact=True).click()
    q["fill_in"].get_by_label("Blank 1").fill("8080:8888")
    chosen["numeric"] = answer_in_seconds(q["numeric"])
    selects = q["matching"].locator("select")
    for index in range(selects.count()):
        selects.nth(index).select_option(index=index + 1)
    chosen["matching"] = [selects.nth(i).input_value() for i in range(selects.count())]

    # Ordering by drag: the third row's handle dropped on the top edge of the first row.
    ordering = q["ordering"]
    before = order_of(ordering)
    handles = ordering.locator(".drag-handle")
    handles.nth(2).drag_to(ordering.locator("li").nth(0), target_position={"x": 20, "y": 3})
    dragged = order_of(ordering)
    assert dragged[0] == before[2], (before, dragged)
    assert sorted(dragged) == sorted(before)
    # ... and by keyboard: the move-down button of the (new) first row, then Alt+ArrowUp on
    # the last row, each announced to screen readers.
    ordering.locator("li").nth(0).get_by_role("button", name=re.compile("down")).press("Enter")
    keyed = order_of(ordering)
    assert keyed[1] == dragged[0]
    assert keyed[0] == dragged[1]
    ordering.locator("li").last.locator(".move").first.press("Alt+ArrowUp")
    final = order_of(ordering)
    assert final[-2] == keyed[-1]
    expect(page.locator("#ql-announce")).to_contain_text("position")
    chosen["ordering"] = final

    # Code in the editor: replace the starter with a solution.
    editor = q["code"].locator(".cm-content")
    expect(editor).to_contain_text("NotImplementedError")  # the starter code is shown
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(REFERENCE)
    expect(q["code"].locator(".cm-content")).to_contain_text("asyncio.gather")
    return chosen


def expect_answers(page: Any, chosen: dict[str, Any]) -> None:
    """The page shows the answers saved earlier (after a reload, or on another device)."""
    q = by_type(page)
    expect(q["single_choice"].locator(f"input[value='{chosen['single']}']")).to_be_checked()
    expect(q["multiple_choice"].locator("input:checked")).to_have_count(2)
    expect(q["true_false"].locator("input[value='true']")).to_be_checked()
    expect(q["fill_in"].get_by_label("Blank 1")).to_have_value("8080:8888")
    expect(q["numeric"].get_by_label("Your answer")).to_have_value(chosen["numeric"])
    selects = q["matching"].locator("select")
    assert [selects.nth(i).input_value() for i in range(selects.count())] == chosen["matching"]
    assert order_of(q["ordering"]) == chosen["ordering"]
    expect(q["code"].locator(".cm-content")).to_contain_text("asyncio.gather")


def test_student_takes_a_quiz_of_every_type(room: Classroom, new_page: Any) -> None:
    quiz_id = room.quiz(
        "Every type", list(EVERY_TYPE), time_limit_minutes=30, feedback="after_each"
    )
    page = new_page()
    sign_in(page, room, "ana")
    shoot(page, "student-home-every-type-en")
    row = page.locator(f".quiz-row[data-quiz='{quiz_id}']")
    expect(row).to_contain_text("Open")
    expect(row).to_contain_text("30 min")
    row.get_by_role("link", name="Start the quiz").click()
    ready(page)
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    ready(page)
    attempt_url = page.url

    # The countdown runs from the server's deadline.
    timer = page.locator("#timer-value")
    expect(timer).to_have_text(re.compile(r"^(29|30):\d\d$"))

    chosen = answer_everything(page)
    # Autosave: the indicator says saving, then saved (announced through a live region).
    expect(page.locator("#save-state")).to_have_attribute("role", "status")
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=20_000)
    shoot(page, "student-attempt-every-type-en")

    # A reload mid-quiz resumes with every answer.
    page.reload()
    ready(page)
    expect_answers(page, chosen)
    expect(timer).to_have_text(re.compile(r"^(29|30):\d\d$"))

    # Another device (a fresh browser context) resumes the same attempt.
    other = new_page()
    sign_in(other, room, "ana")
    expect(other.locator(f".quiz-row[data-quiz='{quiz_id}']")).to_contain_text("In progress")
    other.get_by_role("link", name="Resume").click()
    other.wait_for_url(attempt_url)
    ready(other)
    expect_answers(other, chosen)

    # The code is graded through the queue; its checks turn to passed while the page watches.
    code = by_type(page)["code"]
    expect(code.locator(".check")).to_have_count(3)
    expect(code.locator(".check[data-status='not_run']")).to_have_count(3)
    code.get_by_role("button", name="Submit code for grading").click()
    expect(code.locator(".grading-status")).to_contain_text("Graded", timeout=60_000)
    expect(code.locator(".check[data-status='passed']")).to_have_count(3)
    expect(code.locator(".check").first.locator(".check-message")).not_to_be_empty()
    shoot(page, "student-code-graded-en")

    # Submitting asks for confirmation first; cancelling changes nothing.
    page.get_by_role("button", name="Submit the quiz").click()
    dialog = page.locator("#submit-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.locator("body")).to_have_attribute("data-attempt-status", "in_progress")
    page.get_by_role("button", name="Submit the quiz").click()
    dialog.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator("body")).to_have_attribute("data-attempt-status", "submitted")
    summary = page.locator("#attempt-summary")
    expect(summary).to_contain_text("Score")
    expect(summary.locator(".score-big")).to_have_text(re.compile(r"^\d+(\.\d+)? / 16$"))
    # Feedback after each answer: every question shows its verdict, key and explanation.
    expect(page.locator(".review")).to_have_count(len(EVERY_TYPE))
    expect(by_type(page)["code"].locator(".check[data-status='passed']")).to_have_count(3)
    # The answer in seconds to a question in ms is scored right, on the page and the server.
    numeric = by_type(page)["numeric"].locator(".review")
    expect(numeric.locator(".verdict.good")).to_have_text("Correct")
    expect(numeric).to_contain_text("1 / 1 points")
    attempt_id = int(attempt_url.rsplit("/", 1)[1])
    items = room.call("GET", f"/attempts/{attempt_id}", "ana").json()["items"]
    scored = next(i for i in items if i["question"]["type"] == "numeric")
    assert scored["response"] == chosen["numeric"]
    assert (scored["result"], scored["score"]) == ("scored", scored["points"]), scored
    expect(page.locator("#timer")).to_be_hidden()
    shoot(page, "student-results-en")


def test_student_pages_in_chinese_at_phone_width(room: Classroom, new_page: Any) -> None:
    quiz_id = room.quiz("Phone", ["single_choice", "ordering", "numeric"], time_limit_minutes=20)
    page = new_page(viewport=PHONE)
    page.goto(room.url("/login"))
    ready(page)
    # The language switch is remembered (cookie) on every page after it.
    page.get_by_role("button", name="中文").click()
    ready(page)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("登录 quizloop")
    shoot(page, "login-zh-CN-phone")
    sign_in(page, room, "ben")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("我的课程")
    shoot(page, "student-home-zh-CN-phone")
    page.goto(room.url(f"/quizzes/{quiz_id}"))
    ready(page)
    page.get_by_role("button", name="开始测验").click()
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    ready(page)
    expect(page.locator("#timer-value")).to_have_text(re.compile(r"^(19|20):\d\d$"))
    # Nothing is wider than the phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    # Ordering by keyboard alone: Tab to a move button and press it.
    ordering = page.locator(".question-ordering")
    before = order_of(ordering)
    ordering.locator("li").nth(1).get_by_role("button", name=re.compile("上移")).focus()
    page.keyboard.press("Enter")
    after = order_of(ordering)
    assert after[0] == before[1]
    assert after[1] == before[0]
    # Offline: the indicator says the answer is not saved and offers a retry; back online,
    # the retry saves it.
    page.context.set_offline(True)
    page.locator(".question-numeric input").fill("1.5")
    expect(page.locator("#save-state")).to_have_attribute("data-state", "error", timeout=10_000)
    expect(page.locator("#save-state")).to_contain_text("未保存")
    page.context.set_offline(False)
    page.get_by_role("button", name="重试保存").click()
    expect(page.locator("#save-state")).to_have_text(
        re.compile("已于|答案均已保存"), timeout=20_000
    )
    shoot(page, "student-attempt-zh-CN-phone")
    # The countdown and save state stay in view (sticky) as the student scrolls.
    page.mouse.wheel(0, 2000)
    expect(page.locator("#timer")).to_be_in_viewport()
