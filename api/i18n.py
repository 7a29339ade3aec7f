"""The two languages of student-facing text, and how a request chooses one.

A request's language is `?lang=` when given, else the best match in Accept-Language, else
English. Any Chinese variant (zh, zh-CN, zh-Hans, zh-TW...) selects zh-CN, the only Chinese
the course is written in.

Usage:
    @router.get("/things")
    def things(lang: Lang) -> ...:
        return NOT_FOUND_TEXT[lang]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Header, Query, Request

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Lang",
    "Language",
    "Text",
    "negotiate",
    "negotiate_language",
]

Language = Literal["en", "zh-CN"]
LANGUAGES: tuple[Language, ...] = ("en", "zh-CN")
DEFAULT_LANGUAGE: Language = "en"


@dataclass(frozen=True, slots=True)
class Text:
    """One message in both languages: `Text(en=..., zh=...)[lang]`."""

    en: str
    zh: str

    def __getitem__(self, lang: Language) -> str:
        return self.zh if lang == "zh-CN" else self.en

    def format(self, **values: object) -> Text:
        return Text(en=self.en.format(**values), zh=self.zh.format(**values))


def _match(tag: str) -> Language | None:
    tag = tag.strip().lower()
    if tag == "zh" or tag.startswith("zh-") or tag.startswith("zh_"):
        return "zh-CN"
    if tag == "en" or tag.startswith("en-") or tag.startswith("en_"):
        return "en"
    return None


def _from_accept_language(header: str) -> Language | None:
    ranked: list[tuple[float, int, Language]] = []
    for position, item in enumerate(header.split(",")[:32]):  # bounded: headers are input
        tag, _, params = item.partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        language = _match(tag)
        if language is not None and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def negotiate(lang: str | None, accept_language: str | None) -> Language:
    """The language chosen by a `?lang=` value and an Accept-Language header."""
    for language in (
        _match(lang) if lang else None,
        _from_accept_language(accept_language) if accept_language else None,
    ):
        if language is not None:
            return language
    return DEFAULT_LANGUAGE


def negotiate_language(request: Request) -> Language:
    """The language for this request's messages (for code outside dependencies)."""
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))


def _language(
    lang: Annotated[
        str | None,
        Query(description="Language of messages: en or zh-CN (default: Accept-Language)."),
    ] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Language:
    return negotiate(lang, accept_language)


Lang = Annotated[Language, Depends(_language)]
