"""The page routes: every page renders in both languages, the language is negotiated and
remembered, the pages carry a strict Content-Security-Policy, and the static assets the pages
load are served (no CDN)."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from api.web.pages import LANG_COOKIE

PAGES = [
    "/",
    "/login",
    "/logout",
    "/courses/1",
    "/courses/1/quizzes/new",
    "/quizzes/1",
    "/quizzes/1/edit",
    "/attempts/1",
    "/banks",
    "/bank-versions/1",
]
TITLES = {"en": "Your courses", "zh-CN": "我的课程"}


def boot(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="ql-boot">(.*?)</script>', html, re.S)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_page_renders_in_both_languages(client: TestClient, path: str, lang: str) -> None:
    response = client.get(path, params={"lang": lang})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert f'<html lang="{lang}">' in html
    data = boot(html)
    assert data["lang"] == lang
    messages = data["messages"]
    assert isinstance(messages, dict)
    assert messages["nav.courses"] == ("课程" if lang == "zh-CN" else "Courses")
    # The page's script and stylesheet are same-origin files that exist.
    for asset in re.findall(r'(?:src|href)="(/static/[^"?]+)', html):
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert served.headers["cache-control"] == "no-cache"


def test_a_page_carries_a_strict_content_security_policy(client: TestClient) -> None:
    response = client.get("/attempts/3")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("style-src-attr")[0]  # no inline script or <style>
    assert "frame-ancestors 'none'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    assert boot(response.text)["style_nonce"] == nonce.group(1)
    # A fresh nonce per page.
    assert client.get("/attempts/3").headers["content-security-policy"] != policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert "<script>" not in response.text  # every script is a file


def test_the_language_is_negotiated_then_remembered(client: TestClient) -> None:
    client.cookies.clear()
    chinese = client.get("/", headers={"Accept-Language": "zh-TW,zh;q=0.9,en;q=0.5"})
    assert TITLES["zh-CN"] in chinese.text
    assert LANG_COOKIE not in chinese.cookies  # only an explicit choice is remembered
    chosen = client.get("/", params={"lang": "en"}, headers={"Accept-Language": "zh-CN"})
    assert TITLES["en"] in chosen.text
    assert chosen.cookies[LANG_COOKIE] == "en"
    # The cookie now wins over the browser's preference.
    again = client.get("/banks", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in again.text
    client.cookies.clear()
    client.cookies.set(LANG_COOKIE, "fr")  # not a language of ours: ignored
    assert '<html lang="zh-CN">' in client.get("/", headers={"Accept-Language": "zh"}).text
    client.cookies.clear()


def test_path_parameters_reach_the_page_script_as_numbers(client: TestClient) -> None:
    assert boot(client.get("/quizzes/42").text)["params"] == {"quiz_id": 42}
    assert boot(client.get("/courses/7/quizzes/new").text)["params"] == {
        "course_id": 7,
        "quiz_id": None,
    }
    # Anything else is not a page: the API's problem+json 404/422, never a stack trace.
    bad = client.get("/quizzes/%3Cscript%3E")
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")


def test_the_api_and_its_docs_stay_where_they_were(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert client.get("/health").json()["status"] == "ok"
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_the_vendored_editor_bundle_is_served_as_javascript(client: TestClient) -> None:
    bundle = client.get("/static/vendor/vendor.js")
    assert bundle.status_code == 200
    assert "javascript" in bundle.headers["content-type"]
    assert "renderMarkdown" in bundle.text  # the entry's exports survived minification
    assert client.get("/static/../messages.py").status_code == 404
    assert client.get("/static/nope.js").status_code == 404
