"""The frontend's message catalogue: both languages for every key, and every key the pages
use exists (a string in one language only, or a key shown instead of text, fails here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.web.messages import Messages, MessagesError, get_messages

WEB = Path(__file__).resolve().parents[2] / "api" / "web"
SCRIPTS = sorted((WEB / "static" / "js").rglob("*.js"))
TEMPLATES = sorted((WEB / "templates").glob("*.html"))
# Keys built at run time from a prefix and a value the API sends: every value it can send.
DYNAMIC = {
    "attempt.status": ["in_progress", "submitted"],
    "check": [
        "passed",
        "failed",
        "error",
        "skipped",
        "queued",
        "running",
        "not_run",
        "waiting",
        "other",
    ],
    "check.visibility": ["visible", "hidden"],
    "counted": ["highest", "last"],
    "feedback": ["after_each", "after_submit", "after_close"],
    "manage.tab": ["overview", "submissions", "gradebook", "statistics", "regrade"],
    "quiz.state": ["open", "upcoming", "closed", "in_progress", "submitted", "done"],
    "quiz.status": ["draft", "published"],
    "regrade.status": ["queued", "running", "done"],
    "review": ["good", "partial", "bad"],
    "role": ["student", "instructor"],
    "submission": ["queued", "running", "graded", "not_gradable", "rejected"],
    "submission.short": ["queued", "running", "graded", "not_gradable", "rejected"],
    "type": [
        "single_choice",
        "multiple_choice",
        "true_false",
        "fill_in",
        "numeric",
        "matching",
        "ordering",
        "code",
    ],
}


def _used_keys() -> set[str]:
    namespaces = {key.split(".")[0] for key in get_messages().all_keys()}
    found = set()
    for path in [*SCRIPTS, *TEMPLATES]:
        if "vendor" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        # t("a.b") calls, and keys listed in arrays that are passed to t() one by one.
        for key in re.findall(r"""["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""", text):
            if key.split(".")[0] in namespaces and not key.endswith((".js", ".css", ".svg")):
                found.add(key)
    return found


def test_every_key_has_both_languages_with_the_same_placeholders() -> None:
    messages = get_messages()
    assert len(messages.all_keys()) > 250
    for key in messages.all_keys():
        en, zh = messages.text("en", key), messages.text("zh-CN", key)
        assert en.strip()
        assert zh.strip()
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", zh)), key


def test_every_key_the_pages_use_exists() -> None:
    used = _used_keys()
    assert "attempt.submit" in used  # the scan finds keys at all
    missing = used - get_messages().all_keys()
    # Prefixes of dynamic keys are not keys themselves.
    missing -= set(DYNAMIC)
    assert not missing, sorted(missing)


@pytest.mark.parametrize("prefix", sorted(DYNAMIC))
def test_every_dynamic_key_exists(prefix: str) -> None:
    keys = get_messages().all_keys()
    assert {f"{prefix}.{value}" for value in DYNAMIC[prefix]} <= keys


def test_the_catalogue_reaches_the_page_in_its_language() -> None:
    messages = get_messages()
    assert messages.catalogue("zh-CN")["nav.courses"] == "课程"
    assert messages.catalogue("en")["nav.courses"] == "Courses"
    assert messages.text("en", "quiz.due", when="today") == "Due today"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        pytest.param('[a]\nb = { en = "x" }\n', "a.b: missing text in zh-CN", id="missing-zh"),
        pytest.param(
            '[a]\nb = { en = "x", zh-CN = "" }\n', "a.b: missing text in zh-CN", id="empty-zh"
        ),
        pytest.param(
            '[a]\nb = { en = "{n} x", zh-CN = "y" }\n',
            "a.b: placeholders differ",
            id="placeholders",
        ),
        pytest.param(
            '[a]\nb = { en = "x", zh-CN = "y", fr = "z" }\n',
            "a.b: unknown languages",
            id="extra-language",
        ),
        pytest.param('[a]\nb = "x"\n', "a.b: expected a table", id="not-a-table"),
        pytest.param("[a\n", "messages.toml:", id="not-toml"),
    ],
)
def test_a_broken_catalogue_names_the_key_at_fault(source: str, problem: str) -> None:
    with pytest.raises(MessagesError) as raised:
        Messages.parse(source)
    assert problem in str(raised.value)


def test_an_unknown_key_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(KeyError):
        get_messages().text("en", "no.such.key")
