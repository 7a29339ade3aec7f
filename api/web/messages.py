"""The web pages' message catalogue: every visible string of the frontend in zh-CN and en.

The catalogue is `messages.toml` beside this module, one table per message with an `en` and a
`zh-CN` entry (placeholders `{name}` identical in both). Templates read it through `t`; the
pages' scripts get the whole catalogue of their language in the page (`catalogue(lang)`), so a
string never exists in one language only. A malformed file stops start-up with the message key
at fault.

Usage:
    messages = Messages.load()
    messages.text("en", "nav.courses")              # "Courses"
    messages.text("zh-CN", "quiz.due", when="...")  # placeholders filled
    messages.catalogue("zh-CN")                     # {key: text}, for the page's script
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from api.i18n import LANGUAGES, Language

__all__ = ["MESSAGES_FILE", "Messages", "MessagesError", "get_messages"]

MESSAGES_FILE = Path(__file__).resolve().parent / "messages.toml"


class MessagesError(ValueError):
    """The catalogue is malformed: the message names the key and what is wrong."""


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    """Nested TOML tables -> {"dotted.key": {"en": ..., "zh-CN": ...}}."""
    out: dict[str, dict[str, Any]] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if not isinstance(value, dict):
            raise MessagesError(f"{key}: expected a table with keys {', '.join(LANGUAGES)}")
        if any(lang in value for lang in LANGUAGES):
            out[key] = value
        else:
            out.update(_flatten(value, f"{key}."))
    return out


class Messages:
    """Both languages' texts, checked to be complete and consistent."""

    def __init__(self, entries: dict[str, dict[Language, str]]) -> None:
        self._entries = entries
        self._by_language: dict[Language, dict[str, str]] = {
            lang: {key: texts[lang] for key, texts in entries.items()} for lang in LANGUAGES
        }

    @classmethod
    def parse(cls, source: str) -> Messages:
        """A catalogue from TOML text; `MessagesError` names every problem's key."""
        try:
            raw = tomllib.loads(source)
        except tomllib.TOMLDecodeError as exc:
            raise MessagesError(f"messages.toml: {exc}") from None
        entries: dict[str, dict[Language, str]] = {}
        problems: list[str] = []
        for key, texts in _flatten(raw).items():
            missing = [lang for lang in LANGUAGES if not str(texts.get(lang, "")).strip()]
            extra = sorted(set(texts) - set(LANGUAGES))
            if missing:
                problems.append(f"{key}: missing text in {', '.join(missing)}")
            if extra:
                problems.append(f"{key}: unknown languages {extra}")
            if missing or extra:
                continue
            if any(not isinstance(texts[lang], str) for lang in LANGUAGES):
                problems.append(f"{key}: texts must be strings")
                continue
            en, zh = _placeholders(texts["en"]), _placeholders(texts["zh-CN"])
            if en != zh:
                problems.append(f"{key}: placeholders differ: en {sorted(en)}, zh-CN {sorted(zh)}")
                continue
            entries[key] = {"en": texts["en"], "zh-CN": texts["zh-CN"]}
        if problems:
            raise MessagesError("messages.toml:\n  " + "\n  ".join(problems))
        return cls(entries)

    @classmethod
    def load(cls, path: Path = MESSAGES_FILE) -> Messages:
        return cls.parse(path.read_text(encoding="utf-8"))

    def all_keys(self) -> set[str]:
        return set(self._entries)

    def text(self, lang: Language, key: str, **values: object) -> str:
        """The message `key` in `lang`, placeholders filled; `KeyError` for an unknown key
        (a template naming a missing message fails its test, not silently)."""
        template = self._entries[key][lang]
        return template.format(**values) if values else template

    def catalogue(self, lang: Language) -> dict[str, str]:
        """Every message in `lang`, for the page's script."""
        return self._by_language[lang]


@cache
def get_messages() -> Messages:
    """The shipped catalogue, loaded once per process."""
    return Messages.load()
