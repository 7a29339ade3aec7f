"""The HTML pages: server-rendered shells (Jinja2) in the visitor's language, filled in by the
page's script from the REST API.

Every page carries the whole message catalogue of its language and its parameters (ids from
the path) as JSON in a non-executable script element; the scripts are same-origin files only,
so the Content-Security-Policy forbids inline script altogether. Styles come from the
same-origin stylesheet, with two exceptions the policy names: the code editor's own <style>
element, which carries the response's nonce, and style attributes (which cannot run script).

A page's language: `?lang=` (remembered in the `quizloop_lang` cookie), else the cookie, else
Accept-Language, else English. The cookie is a preference, not a credential: pages hold no
user data when served, so nothing here needs CSRF protection (see README, "Web frontend").

Usage:
    app.include_router(pages.router)
"""

from __future__ import annotations

import hashlib
import json
import secrets
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.i18n import LANGUAGES, Language, negotiate
from api.web.messages import get_messages

__all__ = ["LANG_COOKIE", "STATIC_DIR", "page_language", "router"]

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
LANG_COOKIE = "quizloop_lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600

# Scripts and styles come from this origin only; API calls go to this origin only. The code
# editor writes its own <style> element: it carries the page's nonce, nothing else inline does.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'nonce-{nonce}'",
        # Style attributes (the editor sizes its gutters with them) cannot run script.
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

router = APIRouter(include_in_schema=False)


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a typo in a template fails its test instead of rendering ""
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def asset_version() -> str:
    """A short hash of every static file: stylesheet and entry-script URLs carry it, so a new
    release is fetched at once even by a browser holding the old files."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def page_language(request: Request) -> tuple[Language, bool]:
    """The page's language, and whether `?lang=` chose it (then it is remembered)."""
    asked = request.query_params.get("lang")
    if asked:
        return negotiate(asked, None), True
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return negotiate(cookie, None), False
    return negotiate(None, request.headers.get("accept-language")), False


def _script_json(value: Any) -> str:
    # Inside <script type="application/json">: "</" and "<!--" must not appear literally.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(
    request: Request, page: str, *, title_key: str, status_code: int = 200, **params: Any
) -> HTMLResponse:
    """The page `page` (templates/<page>.html, static/js/pages/<page>.js) with `params`."""
    lang, chosen = page_language(request)
    messages = get_messages()
    nonce = secrets.token_urlsafe(16)

    def t(key: str, **values: object) -> str:
        return messages.text(lang, key, **values)

    boot = {
        "page": page,
        "lang": lang,
        "params": params,
        "messages": messages.catalogue(lang),
        "style_nonce": nonce,
    }
    html = (
        _environment()
        .get_template(f"{page}.html")
        .render(
            t=t,
            lang=lang,
            page=page,
            params=params,
            title=t(title_key, **params),
            version=asset_version(),
            boot_json=_script_json(boot),
            path=request.url.path,
        )
    )
    headers = {
        **PAGE_HEADERS,
        "Content-Security-Policy": CONTENT_SECURITY_POLICY.format(nonce=nonce),
    }
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    if chosen:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=LANG_COOKIE_MAX_AGE, samesite="lax", httponly=False
        )
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return render_page(request, "home", title_key="page.home")


@router.get("/login", response_class=HTMLResponse)
def login(request: Request) -> HTMLResponse:
    return render_page(request, "login", title_key="page.login")


@router.get("/courses/{course_id}", response_class=HTMLResponse)
def course(request: Request, course_id: int) -> HTMLResponse:
    return render_page(request, "course", title_key="page.course", course_id=course_id)


@router.get("/courses/{course_id}/quizzes/new", response_class=HTMLResponse)
def new_quiz(request: Request, course_id: int) -> HTMLResponse:
    return render_page(
        request, "quiz_edit", title_key="page.quiz_new", course_id=course_id, quiz_id=None
    )


@router.get("/quizzes/{quiz_id}", response_class=HTMLResponse)
def quiz(request: Request, quiz_id: int) -> HTMLResponse:
    return render_page(request, "quiz", title_key="page.quiz", quiz_id=quiz_id)


@router.get("/quizzes/{quiz_id}/edit", response_class=HTMLResponse)
def edit_quiz(request: Request, quiz_id: int) -> HTMLResponse:
    return render_page(
        request, "quiz_edit", title_key="page.quiz_edit", quiz_id=quiz_id, course_id=None
    )


@router.get("/attempts/{attempt_id}", response_class=HTMLResponse)
def attempt(request: Request, attempt_id: int) -> HTMLResponse:
    return render_page(request, "attempt", title_key="page.attempt", attempt_id=attempt_id)


@router.get("/banks", response_class=HTMLResponse)
def banks(request: Request) -> HTMLResponse:
    return render_page(request, "banks", title_key="page.banks")


@router.get("/bank-versions/{version_id}", response_class=HTMLResponse)
def bank_version(request: Request, version_id: int) -> HTMLResponse:
    return render_page(
        request, "bank_version", title_key="page.bank_version", version_id=version_id
    )


@router.get("/logout", response_class=HTMLResponse)
def logout(request: Request) -> HTMLResponse:
    # The token lives in the tab's sessionStorage: only the page's script can forget it.
    return render_page(request, "logout", title_key="page.logout")


@router.get("/index.html", include_in_schema=False)
def index_html() -> RedirectResponse:
    return RedirectResponse("/", status_code=308)
