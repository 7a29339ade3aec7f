"""What the GIFT and Moodle XML formats share: languages, metadata, fixed variants, reports.

- Both languages travel in one question as Moodle's multi-language spans
  (`<span lang="zh_cn" class="multilang">…</span><span lang="en" class="multilang">…</span>`),
  which Moodle's multilang filter shows one at a time; import splits them back.
- What the formats cannot hold (topic, source, difficulty, option ids, units in GIFT, regexes)
  travels in a `quizloop: {json}` comment that Moodle ignores and import reads.
- A parameterised question is exported as one rendered variant (`--seed`, default 0): the
  formats would only take numeric formulas (Moodle "calculated"), not options or texts.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from questions.models import (
    QUESTION_ADAPTER,
    Bank,
    FillInQuestion,
    LocalizedText,
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    OrderingQuestion,
    Question,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from questions.variants import (
    ChoiceKey,
    FillInKey,
    MatchingKey,
    NumericKey,
    OrderingKey,
    render_variant,
)

__all__ = [
    "ExportReport",
    "ImportReport",
    "concrete_question",
    "join_languages",
    "metadata",
    "split_languages",
]

_SPAN = re.compile(
    r'<span\s+(?:lang="([^"]+)"\s+class="multilang"|class="multilang"\s+lang="([^"]+)")\s*>(.*?)</span>',
    re.DOTALL,
)


@dataclass
class ExportReport:
    text: str = ""
    exported: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(question id, why it was left out)."""


@dataclass
class ImportReport:
    questions: list[Question] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    """(line, message): input that could not be read; nothing is written when there are any."""
    skipped: list[tuple[int, str]] = field(default_factory=list)
    """(line, why): questions of types quizloop has no counterpart for."""


def moodle_language(language: str) -> str:
    return language.lower().replace("-", "_")


def join_languages(text: LocalizedText, languages: tuple[str, ...]) -> str:
    """One text holding every language as multilang spans (a single language stays plain)."""
    if len(languages) == 1:
        return text[languages[0]]
    return "".join(
        f'<span lang="{moodle_language(lang)}" class="multilang">{text.get(lang, "")}</span>'
        for lang in languages
    )


def split_languages(
    value: str, languages: tuple[str, ...], default: str
) -> tuple[LocalizedText, bool]:
    """Undo `join_languages`; text without spans goes to `default`. Returns (text, complete)."""
    by_code = {moodle_language(lang): lang for lang in languages}
    found: LocalizedText = {}
    for match in _SPAN.finditer(value):
        language = by_code.get((match.group(1) or match.group(2)).lower().replace("-", "_"))
        if language is not None:
            found[language] = match.group(3)
    if not found:
        return {default: value.strip()}, len(languages) == 1
    return found, set(found) == set(languages)


def metadata(question: Question, **extra: Any) -> str:
    """The `quizloop: {...}` comment body for a question."""
    data: dict[str, Any] = {
        "topic": question.topic,
        "difficulty": question.difficulty,
        "source": list(question.source),
    }
    if question.tags:
        data["tags"] = list(question.tags)
    if question.points != 1:
        data["points"] = question.points
    if question.status != "ready":
        data["status"] = question.status
    if question.needs_translation:
        data["needs_translation"] = list(question.needs_translation)
    data.update({k: v for k, v in extra.items() if v not in (None, [], {}, ())})
    return "quizloop: " + json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def read_metadata(comment: str) -> dict[str, Any] | None:
    """The metadata of a `quizloop: {...}` comment, or None (not ours, or not valid JSON)."""
    comment = comment.strip()
    if not comment.startswith("quizloop:"):
        return None
    try:
        data = json.loads(comment[len("quizloop:") :])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def concrete_question(bank: Bank, question: Question, seed: int) -> Question:
    """A parameterised question as the fixed question its variant for `seed` shows.

    Usage: `concrete_question(bank, bank.question("loops-requests"), seed=0)`
    """
    if not question.parameterised:
        return question
    variant = render_variant(bank, question.id, seed)
    student, key = variant.student, variant.key
    data = question.model_dump(exclude={"params", "derived", "generator"})
    data |= {"text": student.text, "explanation": key.explanation}
    if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        assert isinstance(key, ChoiceKey)
        shown = {c.id: c.text for c in student.options}
        by_author = {authored: shown_id for shown_id, authored in key.authored.items()}
        data["options"] = [
            {
                "id": o.id,
                "text": shown[by_author[o.id]],
                "correct": by_author[o.id] in key.correct,
                "feedback": key.feedback.get(by_author[o.id]),
            }
            for o in question.options
        ]
    elif isinstance(question, TrueFalseQuestion):
        data["answer"] = variant.key.answer  # type: ignore[union-attr]
    elif isinstance(question, FillInQuestion):
        assert isinstance(key, FillInKey)
        data["blanks"] = [b.model_dump() for b in key.blanks]
    elif isinstance(question, NumericQuestion):
        assert isinstance(key, NumericKey)
        data["answer"] = key.answer
    elif isinstance(question, MatchingQuestion):
        assert isinstance(key, MatchingKey)
        rights = {key.authored[c.id]: c.text for c in student.right}
        data["pairs"] = [
            {"left": c.text, "right": rights[f"right-{i + 1}"]} for i, c in enumerate(student.left)
        ]
        data["distractors"] = [
            rights[f"right-{i + 1}"] for i in range(len(student.left), len(student.right))
        ]
    elif isinstance(question, OrderingQuestion):
        assert isinstance(key, OrderingKey)
        shown = {c.id: c.text for c in student.items}
        data["items"] = [shown[i] for i in key.order]
    return QUESTION_ADAPTER.validate_python(data)


def plain(text: str) -> str:
    """Markup-free text for places a format keeps as plain text (matching answers in GIFT)."""
    return html.unescape(re.sub(r"\s+", " ", text)).strip()
