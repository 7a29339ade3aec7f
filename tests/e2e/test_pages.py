"""Every main page in both languages: the language chosen once is kept from page to page,
nothing shows untranslated, and each page is saved as a screenshot for people to judge."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from api.web.messages import get_messages
from tests.e2e.conftest import ready, shoot, sign_in
from tests.e2e.server import Classroom

pytestmark = pytest.mark.browser

MESSAGE_KEYS = sorted(get_messages().all_keys())
UNNAMED_CONTROLS = """() => [...document.querySelectorAll(
    "main input:not([type=hidden]), main select, main textarea, main button,"
    + " [contenteditable=true]")]
  .filter((el) => el.offsetParent !== null)
  .filter((el) => !(el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")
    || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.closest("label")
    || (el.tagName === "BUTTON" && el.textContent.trim())))
  .map((el) => el.outerHTML.slice(0, 120))"""
CJK = re.compile(r"[\u4e00-\u9fff]")
# What each language's pages must say somewhere (the main navigation).
COURSES = {"en": "Courses", "zh-CN": "课程"}


@pytest.fixture(scope="module")
def tour(room: Classroom) -> dict[str, int]:
    """A quiz ana has submitted and ben is taking, and one still a draft."""
    quiz = room.quiz("Tour", ["single_choice", "matching", "code"], time_limit_minutes=45)
    submitted = room.take(quiz, "ana", {1: None})
    started = room.call("POST", f"/quizzes/{quiz}/attempts", "ben").json()["id"]
    version = room.bank_version
    return {"quiz": quiz, "submitted": submitted, "in_progress": started, "version": version}


def visit(page: Any, room: Classroom, path: str, lang: str, name: str) -> None:
    page.goto(room.url(path))
    ready(page)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    body = page.locator("main").inner_text()
    if lang == "zh-CN":
        assert CJK.search(body), f"{path}: no Chinese text in {body[:200]!r}"
    # A message key shown instead of its text ("manage.tab.overview") would be a gap.
    shown_keys = [
        key for key in MESSAGE_KEYS if re.search(rf"(?<![\w.]){re.escape(key)}(?![\w.])", body)
    ]
    assert not shown_keys, f"{path}: {shown_keys}"
    # Every form control has a name a screen reader can say.
    unnamed = page.evaluate(UNNAMED_CONTROLS)
    assert not unnamed, f"{path}: controls without a label: {unnamed}"
    shoot(page, f"{name}-{lang}")


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_main_page_in_both_languages(
    room: Classroom, tour: dict[str, int], new_page: Any, lang: str
) -> None:
    student = new_page()
    student.goto(room.url(f"/login?lang={lang}"))  # remembered from here on
    ready(student)
    shoot(student, f"login-{lang}")
    sign_in(student, room, "ana")
    expect(student.locator("#ql-nav")).to_contain_text(COURSES[lang])
    visit(student, room, "/", lang, "student-home")
    visit(student, room, f"/courses/{room.course_id}", lang, "student-course")
    visit(student, room, f"/quizzes/{tour['quiz']}", lang, "student-quiz")
    visit(student, room, f"/attempts/{tour['submitted']}", lang, "student-attempt-review")

    taker = new_page()
    taker.goto(room.url(f"/login?lang={lang}"))
    sign_in(taker, room, "ben")
    visit(taker, room, f"/attempts/{tour['in_progress']}", lang, "student-attempt")
    expect(taker.locator("#timer")).to_be_visible()

    prof = new_page()
    prof.goto(room.url(f"/login?lang={lang}"))
    sign_in(prof, room, "prof")
    visit(prof, room, "/", lang, "instructor-home")
    visit(prof, room, f"/courses/{room.course_id}", lang, "instructor-course")
    visit(prof, room, "/banks", lang, "instructor-banks")
    prof.goto(room.url(f"/bank-versions/{tour['version']}"))
    ready(prof)
    prof.locator("[data-question]").first.click()
    expect(prof.locator("#preview-body")).not_to_be_empty()
    shoot(prof, f"instructor-bank-version-{lang}")
    visit(prof, room, f"/courses/{room.course_id}/quizzes/new", lang, "instructor-quiz-new")
    for tab in ("overview", "submissions", "gradebook", "statistics", "regrade"):
        prof.goto(room.url(f"/quizzes/{tour['quiz']}#{tab}"))
        expect(prof.locator(f"#tab-{tab}")).to_have_attribute("aria-selected", "true")
        expect(prof.locator(f"#panel-{tab}")).to_have_attribute("aria-busy", "false")
        visit(prof, room, f"/quizzes/{tour['quiz']}#{tab}", lang, f"instructor-quiz-{tab}")
