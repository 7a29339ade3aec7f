"""Fixtures of the browser tests: a real server (tests/e2e/server.py), headless Debian
Chromium driven by Playwright, and screenshots under test-artifacts/screenshots/.

Chromium is Debian's (`executable_path`), never a browser Playwright downloads. Without it the
tests skip with the reason, or fail when QUIZLOOP_REQUIRE_SERVICES=1. Every page a test opens
is watched: a script error or a message key missing from the catalogue fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server import PASSWORD, Classroom, LiveServer
from tests.services import require_bwrap, require_chromium

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
# Screenshot names written in this session: a name taken twice would silently replace one
# test's picture with another's.
SHOT_NAMES: set[str] = set()
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return require_chromium()


@pytest.fixture(scope="session")
def server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    require_bwrap()  # code questions are graded in the sandbox, as in production
    with LiveServer.start(tmp_path_factory.mktemp("e2e-server")) as live:
        yield live


@pytest.fixture(scope="session")
def room(server: LiveServer) -> Iterator[Classroom]:
    classroom = Classroom.build(server)
    yield classroom
    classroom.client.close()


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # One browser for the session; every page gets a fresh context of its own (new_page),
        # so no cookie or storage carries over from one test to another.
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


class PageErrors:
    """Script errors and console errors seen on a page: a test ends with none."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page: Any) -> None:
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"console: {message.text}") if message.type == "error" else None
            ),
        )


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()


@pytest.fixture
def new_page(browser: Any, page_errors: PageErrors) -> Iterator[Any]:
    """new_page(viewport=DESKTOP, locale="en-US") -> a page in a fresh context (its own
    sessionStorage and cookies: a separate device, as far as the server can tell)."""
    contexts: list[Any] = []

    def make(viewport: dict[str, int] = DESKTOP, locale: str = "en-US") -> Any:
        context = browser.new_context(viewport=viewport, locale=locale, accept_downloads=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page_errors.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()
    # Errors the server answered on purpose (a 409 the page handles) are not script errors.
    unexpected = [e for e in page_errors.errors if "Failed to load resource" not in e]
    assert not unexpected, "\n".join(unexpected)


def sign_in(page: Any, room: Classroom, who: str) -> None:
    page.goto(room.url("/login"))
    page.get_by_label("Email").or_(page.get_by_label("邮箱")).fill(f"{who}@example.org")
    page.locator("#login-password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_url(room.url("/"))
    ready(page)


def ready(page: Any) -> None:
    """Wait until the page's script has loaded what it shows."""
    page.wait_for_selector("body[data-ready=true]")


def shoot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """A PNG of the page under test-artifacts/screenshots/, under a name no other shot of the
    session has."""
    assert name not in SHOT_NAMES, f"screenshot {name!r} is taken twice in this session"
    SHOT_NAMES.add(name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if full_page:
        # The code editor measures its lines once it has been in view, as a reader scrolling
        # down would have it: scroll through the page so a full-page picture shows that.
        page.evaluate(
            """async () => {
              for (let y = 0; y < document.body.scrollHeight; y += innerHeight / 2) {
                scrollTo(0, y);
                await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 30)));
              }
              scrollTo(0, 0);
            }"""
        )
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 0
    return path
