"""What a bank holds: counts per notes section, type, language, topic, difficulty."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from questions.models import QUESTION_TYPES, Bank

__all__ = ["BankStats", "bank_stats"]


@dataclass
class BankStats:
    questions: int = 0
    drafts: int = 0
    parameterised: int = 0
    by_section: dict[tuple[str, ...], int] = field(default_factory=dict)
    """Questions whose `source` is exactly this heading path; every heading of the notes is in."""
    by_type: dict[str, int] = field(default_factory=dict)
    by_language: dict[str, int] = field(default_factory=dict)
    """Questions fully written in the language (drafts awaiting its translation excluded)."""
    by_topic: dict[str, int] = field(default_factory=dict)
    by_difficulty: dict[int, int] = field(default_factory=dict)

    def with_subsections(self, path: tuple[str, ...]) -> int:
        """Questions on this heading or any heading below it."""
        return sum(n for p, n in self.by_section.items() if p[: len(path)] == path)

    @property
    def uncovered(self) -> list[tuple[str, ...]]:
        """Headings of the notes that no question names as its source."""
        return [p for p, n in self.by_section.items() if n == 0]


def bank_stats(bank: Bank) -> BankStats:
    """Count a bank's questions. Usage: `bank_stats(load_bank(path)).uncovered`"""
    questions = list(bank.questions.values())
    sections: Counter[tuple[str, ...]] = Counter(dict.fromkeys(bank.notes_headings, 0))
    sections.update(tuple(q.source) for q in questions)
    languages = Counter(
        language
        for q in questions
        for language in bank.manifest.languages
        if language not in q.needs_translation
    )
    types: Counter[str] = Counter(dict.fromkeys(QUESTION_TYPES, 0))
    types.update(q.type for q in questions)
    return BankStats(
        questions=len(questions),
        drafts=sum(1 for q in questions if q.status == "draft"),
        parameterised=sum(1 for q in questions if q.parameterised),
        by_section=dict(sections),
        by_type=dict(types),
        by_language={lang: languages[lang] for lang in bank.manifest.languages},
        by_topic=dict(sorted(Counter(q.topic for q in questions).items())),
        by_difficulty=dict(sorted(Counter(q.difficulty for q in questions).items())),
    )
