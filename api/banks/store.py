"""Parsed bank versions and rendered variants, cached per process.

A bank version never changes once imported, so its parsed `questions.Bank` and every variant
rendered from it can be kept for the life of the process without any invalidation: a cache
entry can be evicted (the caches are bounded) but never be wrong. This is what makes serving a
student's question cheap: no JSON parsing of the bank, no rendering, no serialisation on a hit.

Usage:
    bank = parsed_bank(session, version_id)
    variant = rendered_variant(version_id, bank, "ioloop-add-callback", seed, "en", shuffle=True)
    body = student_variant_json(version_id, bank, "ioloop-add-callback", seed, "en", shuffle=True)
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Generic, TypeVar

from sqlmodel import Session

from api.banks.models import BankVersion
from api.errors import NotFound
from api.i18n import Text
from questions import Bank as QuestionBank
from questions import Variant, render_variant
from questions.models import MultipleChoiceQuestion, SingleChoiceQuestion

__all__ = [
    "HIDDEN_FROM_STUDENTS",
    "bank_content_hash",
    "bank_language",
    "cached_student_variant_json",
    "cached_variant",
    "clear_caches",
    "parsed_bank",
    "remember_bank",
    "rendered_variant",
    "student_variant_json",
]

K = TypeVar("K")
V = TypeVar("V")

MAX_BANKS = 32
HIDDEN_FROM_STUDENTS: set[str] = {"seed", "question_id", "points"}  # never mutated
MAX_VARIANTS = 50_000


class _Lru(Generic[K, V]):
    """A small thread-safe LRU map (requests run in a thread pool)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> V:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_banks: _Lru[int, QuestionBank] = _Lru(MAX_BANKS)
_variants: _Lru[tuple[int, str, int, str | None, bool], Variant] = _Lru(MAX_VARIANTS)
_student_json: _Lru[tuple[int, str, int, str, bool], bytes] = _Lru(MAX_VARIANTS)


def clear_caches() -> None:
    """Forget every cached bank and variant (tests; nothing else ever needs to)."""
    _banks.clear()
    _variants.clear()
    _student_json.clear()


def bank_content_hash(bank: QuestionBank) -> str:
    """SHA-256 of the validated bank's canonical JSON: what the bank says, not how its files
    are laid out, so a re-packed archive or an edited YAML comment is the same content."""
    return hashlib.sha256(bank.model_dump_json().encode()).hexdigest()


def remember_bank(version_id: int, bank: QuestionBank) -> None:
    """Cache a bank just imported (it was parsed anyway)."""
    _banks.put(version_id, bank)


def parsed_bank(session: Session, version_id: int) -> QuestionBank:
    """The parsed bank of a stored version; NotFound if there is none."""
    bank = _banks.get(version_id)
    if bank is not None:
        return bank
    version = session.get(BankVersion, version_id)
    if version is None:
        raise NotFound(Text(en="No such bank version.", zh="没有这个题库版本。"))
    return _banks.put(version_id, QuestionBank.model_validate_json(version.content))


def cached_student_variant_json(
    version_id: int, question_id: str, seed: int, language: str, *, shuffle: bool
) -> bytes | None:
    """`student_variant_json(...)` if it is cached, else None (never parses or renders)."""
    bank = _banks.get(version_id)
    if bank is None:
        return None
    cache_key = (version_id, question_id, seed, bank_language(bank, language) or "", shuffle)
    return _student_json.get(cache_key)


def cached_variant(
    version_id: int, question_id: str, seed: int, *, shuffle: bool
) -> Variant | None:
    """`rendered_variant(..., language=None, ...)` if it is cached, else None."""
    return _variants.get((version_id, question_id, seed, None, shuffle))


def bank_language(bank: QuestionBank, language: str | None) -> str | None:
    """`language` if the bank is written in it, else the bank's first language (None: all)."""
    if language is None:
        return None
    languages = bank.manifest.languages
    return language if language in languages else languages[0]


def rendered_variant(
    version_id: int,
    bank: QuestionBank,
    question_id: str,
    seed: int,
    language: str | None,
    *,
    shuffle: bool,
) -> Variant:
    """The variant of `question_id` for `seed` in one language (None: all the bank's; the
    options, ids and key are the same in every language). With `shuffle=False`, choice
    options keep the order the author wrote (the quiz turned option shuffling off)."""
    language = bank_language(bank, language)
    cache_key = (version_id, question_id, seed, language, shuffle)
    variant = _variants.get(cache_key)
    if variant is not None:
        return variant
    variant = render_variant(bank, question_id, seed, language=language)
    question = bank.question(question_id)
    if not shuffle and isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        written = [option.id for option in question.options]
        authored = variant.key.authored
        options = sorted(variant.student.options, key=lambda c: written.index(authored[c.id]))
        student = variant.student.model_copy(update={"options": tuple(options)})
        variant = variant.model_copy(update={"student": student})
    return _variants.put(cache_key, variant)


def student_variant_json(
    version_id: int,
    bank: QuestionBank,
    question_id: str,
    seed: int,
    language: str,
    *,
    shuffle: bool,
) -> bytes:
    """`rendered_variant(...).student` serialised once: the bytes a student's browser gets.

    Without the seed (with a public bank it would let a student render the key) and without
    the question's id and bank points (the quiz shows its own position and points)."""
    cache_key = (version_id, question_id, seed, bank_language(bank, language) or "", shuffle)
    body = _student_json.get(cache_key)
    if body is not None:
        return body
    variant = rendered_variant(version_id, bank, question_id, seed, language, shuffle=shuffle)
    body = variant.student.model_dump_json(exclude=HIDDEN_FROM_STUDENTS).encode()
    return _student_json.put(cache_key, body)
