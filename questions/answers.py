"""Reading what a student typed: normalised text, regexes with a deadline, numbers with units."""

from __future__ import annotations

import math
import re
import unicodedata

import regex

from questions.variants import BlankKey

__all__ = ["UnreadableAnswer", "blank_matches", "normalize_answer", "read_number"]

MAX_NUMBER_TEXT = 64
REGEX_SECONDS = 0.05


class UnreadableAnswer(ValueError):
    """A response that is not an answer at all; `zh` and `en` say what was expected."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


def normalize_answer(text: str, *, case_sensitive: bool = False) -> str:
    """NFKC (full-width to half-width), whitespace collapsed, case-folded unless case_sensitive.

    Usage: `normalize_answer("  ＥＰＯＬＬ ") == "epoll"`
    """
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    return text if case_sensitive else text.casefold()


def blank_matches(answer: str, blank: BlankKey) -> bool:
    """Whether `answer` is one of the blank's accepted strings or fully matches one of its regexes.

    Usage: `blank_matches("  ＥＰＯＬＬ", BlankKey(id="b1", accept=("epoll",), ...))`
    """
    accept, patterns, case_sensitive = blank.accept, blank.regex, blank.case_sensitive
    given = normalize_answer(answer, case_sensitive=case_sensitive)
    if any(given == normalize_answer(a, case_sensitive=case_sensitive) for a in accept):
        return True
    flags = 0 if case_sensitive else regex.IGNORECASE
    plain = normalize_answer(answer, case_sensitive=True)
    for pattern in patterns:
        try:
            if regex.fullmatch(pattern, plain, flags=flags, timeout=REGEX_SECONDS):
                return True
        except (TimeoutError, regex.error):
            continue  # a pathological pattern must not stall grading: it simply does not match
    return False


_NUMBER = re.compile(
    r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d{1,3})?|[+-]?\.\d+(?:[eE][+-]?\d{1,3})?)\s*(.*)$"
)


def read_number(response: object) -> tuple[float, str | None]:
    """A numeric response as (value, unit or None). Raises UnreadableAnswer.

    Usage: `read_number("1,200 ms") == (1200.0, "ms")`; `read_number(12.5) == (12.5, None)`
    """
    if isinstance(response, bool):
        raise UnreadableAnswer("应为数字。", "Expected a number.")
    if isinstance(response, int):
        if abs(response) > 10**300:
            raise UnreadableAnswer("数字太大。", "The number is too large.")
        return float(response), None
    if isinstance(response, float):
        if not math.isfinite(response):
            raise UnreadableAnswer("应为有限的数字。", "Expected a finite number.")
        return response, None
    if not isinstance(response, str):
        raise UnreadableAnswer(
            '应为数字，或带单位的数字文本，如 "1.2 s"。',
            'Expected a number, or text like "1.2 s".',
        )
    if len(response) > MAX_NUMBER_TEXT:
        raise UnreadableAnswer("答案文本太长。", "The answer text is too long.")
    match = _NUMBER.match(unicodedata.normalize("NFKC", response).strip())
    if not match:
        raise UnreadableAnswer(f"无法读出数字：{response}", f"Cannot read a number in: {response}")
    value = float(match.group(1).replace(",", ""))
    if not math.isfinite(value):
        raise UnreadableAnswer("应为有限的数字。", "Expected a finite number.")
    return value, match.group(2).strip() or None
