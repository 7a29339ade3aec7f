"""Moodle GIFT: export a bank, import a GIFT file.

GIFT holds single and multiple choice, true/false, short answer (one blank), numeric and
matching. Ordering and code questions, and fill-ins with several blanks or only regexes, have
no GIFT form: export leaves them out and says which. `~ = # { } : \\` are escaped with a
backslash and newlines written `\\n`, so a question stays on its lines and a text can hold any
character. See interchange.py for languages, metadata and parameterised questions.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from questions.interchange import (
    ExportReport,
    ImportReport,
    concrete_question,
    join_languages,
    metadata,
    plain,
    read_metadata,
    split_languages,
)
from questions.models import (
    QUESTION_ADAPTER,
    Bank,
    FillInQuestion,
    LocalizedText,
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    Question,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)

__all__ = ["escape", "export_gift", "import_gift", "unescape"]

_SPECIAL = "~=#{}:"
BLANK = "_____"


def escape(text: str) -> str:
    """GIFT-escape a text. Usage: `escape("a=b") == "a\\\\=b"`"""
    out = text.replace("\\", "\\\\")
    for char in _SPECIAL:
        out = out.replace(char, "\\" + char)
    return out.replace("\r\n", "\n").replace("\n", "\\n")


def unescape(text: str) -> str:
    """Undo `escape`, left to right, so `\\\\n` stays a backslash and an n."""
    return re.sub(r"\\([\\~=#{}:n])", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def _number(value: float) -> str:
    # gift-pegjs (like Moodle's docs) knows no exponent notation.
    text = format(Decimal(repr(float(value))), "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return text if text not in ("", "-0") else "0"


def _weight(fraction: float) -> str:
    return f"%{_number(round(fraction * 100, 5))}%"


def _answers(question: Question, languages: tuple[str, ...]) -> tuple[str | None, str]:
    """(answer block, "") or (None, the reason the question has no GIFT form)."""

    def t(text: LocalizedText) -> str:
        return escape(join_languages(text, languages))

    general = f"\n####{t(question.explanation)}"
    if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        share = 1 / max(1, sum(1 for o in question.options if o.correct is True))
        lines = []
        for option in question.options:
            feedback = f"#{t(option.feedback)}" if option.feedback else ""
            if isinstance(question, SingleChoiceQuestion):
                mark = "=" if option.correct is True else "~"
            else:  # right minus wrong, as quizloop scores it; Moodle floors the sum at 0 too
                mark = "~" + _weight(share if option.correct is True else -share)
            lines.append(f"{mark}{t(option.text)}{feedback}")
        return "\n".join(lines) + general, ""
    if isinstance(question, TrueFalseQuestion):
        return ("T" if question.answer is True else "F") + general, ""
    if isinstance(question, FillInQuestion):
        if len(question.blanks) != 1:
            return None, "GIFT holds one blank per question; this one has several"
        if not question.blanks[0].accept:
            return None, "GIFT short answers cannot hold regexes and this blank accepts no strings"
        return "\n".join(f"={escape(a)}" for a in question.blanks[0].accept) + general, ""
    if isinstance(question, NumericQuestion):
        answer = float(question.answer)  # parameterised ones were made concrete
        tolerance = question.tolerance.absolute or 0.0
        if question.tolerance.relative is not None:
            tolerance = question.tolerance.relative * abs(answer)
        return f"#{_number(answer)}:{_number(tolerance)}" + general, ""
    if isinstance(question, MatchingQuestion):
        texts = [p.left for p in question.pairs] + [p.right for p in question.pairs]
        if any("->" in v for text in [*texts, *question.distractors] for v in text.values()):
            return None, "a matching text contains '->', which GIFT reads as the pair separator"

        def right(text: LocalizedText) -> str:
            return escape(plain(join_languages(text, languages)))

        lines = [f"={t(p.left)} -> {right(p.right)}" for p in question.pairs]
        lines += [f"= -> {right(d)}" for d in question.distractors]
        return "\n".join(lines) + general, ""
    return None, f"GIFT has no {question.type} questions"


def export_gift(bank: Bank, *, seed: int = 0) -> ExportReport:
    """The bank as GIFT text; parameterised questions as their variant for `seed`.

    Usage: `Path("bank.gift").write_text(export_gift(bank).text)`
    """
    languages = bank.manifest.languages
    report = ExportReport()
    lines = [f"// quizloop bank {bank.manifest.id} {bank.manifest.version}", ""]
    category = None
    for question in bank.questions.values():
        fixed = concrete_question(bank, question, seed)
        block, reason = _answers(fixed, languages)
        if block is None:
            report.skipped.append((question.id, reason))
            continue
        if fixed.topic != category:
            category = fixed.topic
            lines += [f"$CATEGORY: $course$/{bank.manifest.id}/{category}", ""]
        tags = "".join(f" [tag:{tag}]" for tag in question.tags)
        lines.append(f"// [id:{question.id}]{tags}")
        lines.append("// " + metadata(question, **_extra(fixed, question, seed)))
        stem = fixed.text
        if isinstance(fixed, FillInQuestion):  # Moodle shows the blank as a line, not [[b1]]
            stem = {k: v.replace(f"[[{fixed.blanks[0].id}]]", BLANK) for k, v in stem.items()}
        lines.append(f"::{question.id}::[markdown]{escape(join_languages(stem, languages))}{{")
        lines.append(block)
        lines += ["}", ""]
        report.exported += 1
    report.text = "\n".join(lines)
    return report


def _extra(fixed: Question, question: Question, seed: int) -> dict[str, Any]:
    extra: dict[str, Any] = {"variant_of_seed": seed if question.parameterised else None}
    if isinstance(fixed, SingleChoiceQuestion | MultipleChoiceQuestion):
        extra["options"] = [o.id for o in fixed.options]
        extra["shuffle"] = None if fixed.shuffle else False
    elif isinstance(fixed, FillInQuestion):
        blank = fixed.blanks[0]
        extra |= {
            "blank": blank.id,
            "regex": list(blank.regex),
            "case_sensitive": blank.case_sensitive or None,
        }
    elif isinstance(fixed, NumericQuestion):
        extra |= {"unit": fixed.unit, "relative": fixed.tolerance.relative}
    return extra


# --- import -----------------------------------------------------------------------------------


def _split_unescaped(text: str, separators: str) -> list[str]:
    """Split at unescaped separator characters, keeping each separator at its part's start."""
    parts, current, i = [], "", 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current += text[i : i + 2]
            i += 2
            continue
        if char in separators:
            parts.append(current)
            current = char
        else:
            current += char
        i += 1
    parts.append(current)
    return [p for p in parts if p.strip()]


def _place_blank(text: str, blank: str) -> str:
    if f"[[{blank}]]" in text:
        return text
    if BLANK in text:
        return text.replace(BLANK, f"[[{blank}]]", 1)
    return f"{text} [[{blank}]]"


def _find_unescaped(text: str, target: str, start: int = 0) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(target, i):
            return i
        i += 1
    return -1


class _Importer:
    def __init__(self, languages: tuple[str, ...], default: str) -> None:
        self.languages = languages
        self.default = default
        self.report = ImportReport()
        self.incomplete = False

    def text(self, raw: str) -> LocalizedText:
        value, complete = split_languages(unescape(raw).strip(), self.languages, self.default)
        self.incomplete |= not complete
        return value

    def record(self, line: int, body: str, comments: list[str], category: str | None) -> None:
        self.incomplete = False
        meta: dict[str, Any] = {}
        qid = None
        tags: list[str] = []
        for comment in comments:
            meta = read_metadata(comment) or meta
            found = re.search(r"\[id:([^\]]+)\]", comment)
            qid = found.group(1).strip() if found else qid
            tags += re.findall(r"\[tag:([^\]]+)\]", comment)
        title = None
        if body.startswith("::"):
            end = _find_unescaped(body, "::", 2)
            if end < 0:
                self.report.problems.append((line, "the title starts with :: but never ends"))
                return
            title, body = unescape(body[2:end]).strip(), body[end + 2 :].lstrip()
        body = re.sub(r"^\[(markdown|html|plain|moodle)\]", "", body)
        opening = _find_unescaped(body, "{")
        if opening < 0:
            self.report.skipped.append((line, "a description (no answer block) is not a question"))
            return
        closing = _find_unescaped(body, "}", opening)
        if closing < 0:
            self.report.problems.append(
                (line, "the answer block opened with { is never closed with }")
            )
            return
        stem = body[:opening].strip()
        after = body[closing + 1 :].strip()
        if after:
            stem = f"{stem} {BLANK} {after}"  # "missing word": the blank sits in the text
        answers = body[opening + 1 : closing].strip()
        qid = qid or re.sub(r"[^a-z0-9-]+", "-", (title or f"imported-{line}").lower()).strip("-")
        data: dict[str, Any] = {
            "id": qid or f"imported-{line}",
            "topic": meta.get("topic") or category or "imported",
            "tags": meta.get("tags", tags),
            "difficulty": meta.get("difficulty", 2),
            "source": meta.get("source") or [category or "Imported"],
            "text": self.text(stem),
        }
        for name in ("points", "status", "needs_translation"):
            if name in meta:
                data[name] = meta[name]
        general = _find_unescaped(answers, "####")
        explanation = ""
        if general >= 0:
            answers, explanation = answers[:general].strip(), answers[general + 4 :]
        data["explanation"] = (
            self.text(explanation) if explanation.strip() else dict.fromkeys(self.languages, "-")
        )
        kind = self.answers(line, answers, data, meta)
        if kind is None:
            return
        if self.incomplete and not meta:
            # A foreign file in one language: keep it, as a draft awaiting translation.
            data["status"] = "draft"
            data["needs_translation"] = [lang for lang in self.languages if lang != self.default]
        try:
            self.report.questions.append(QUESTION_ADAPTER.validate_python(data))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"][1:])
            self.report.problems.append((line, f"{qid}: {where}: {first['msg']}"))

    def answers(
        self, line: int, block: str, data: dict[str, Any], meta: dict[str, Any]
    ) -> str | None:
        if re.fullmatch(r"(T|TRUE|F|FALSE)(\s*#.*)?", block, re.DOTALL):
            data |= {"type": "true_false", "answer": block.startswith("T")}
            return "true_false"
        if block.startswith("#"):
            return self.numeric(line, block[1:].strip(), data, meta)
        entries = _split_unescaped(block, "=~")
        if not entries:
            self.report.skipped.append(
                (line, "an essay question (empty answer block) has no quizloop type")
            )
            return None
        if all(e.startswith("=") and _find_unescaped(e, "->") >= 0 for e in entries):
            return self.matching(entries, data)
        weighted = any(_find_unescaped(e, "%") == 1 for e in entries)
        if (
            all(e.startswith("=") for e in entries)
            and not weighted
            and (len(entries) == 1 or "options" not in meta)
        ):
            accept = [unescape(e[1:].split("#")[0]).strip() for e in entries]
            blank = meta.get("blank", "b1")
            data["text"] = {k: _place_blank(v, blank) for k, v in data["text"].items()}
            blank_data: dict[str, Any] = {
                "id": blank,
                "accept": accept,
                "regex": meta.get("regex", []),
            }
            if meta.get("case_sensitive"):
                blank_data["case_sensitive"] = True
            data |= {"type": "fill_in", "blanks": [blank_data]}
            return "fill_in"
        return self.choice(entries, data, meta)

    def numeric(
        self, line: int, block: str, data: dict[str, Any], meta: dict[str, Any]
    ) -> str | None:
        first = _split_unescaped(block, "=")[0].lstrip("=").split("#")[0]
        first = re.sub(r"^%[^%]*%", "", first).strip()
        match = re.fullmatch(
            r"([+-]?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?)|\.\.([+-]?\d+(?:\.\d+)?))?", first
        )
        if not match:
            self.report.problems.append((line, f"cannot read the numeric answer {first!r}"))
            return None
        value = float(match.group(1))
        if match.group(3):  # low..high
            high = float(match.group(3))
            value, tolerance = (value + high) / 2, abs(high - value) / 2
        else:
            tolerance = float(match.group(2) or 0)
        data |= {"type": "numeric", "answer": value}
        if meta.get("relative") is not None:
            data["tolerance"] = {"relative": meta["relative"]}
        elif tolerance:
            data["tolerance"] = {"absolute": tolerance}
        if meta.get("unit"):
            data["unit"] = meta["unit"]
        return "numeric"

    def matching(self, entries: list[str], data: dict[str, Any]) -> str:
        pairs, distractors = [], []
        for entry in entries:
            arrow = _find_unescaped(entry, "->")
            left, right = entry[1:arrow].strip(), entry[arrow + 2 :].strip()
            if left:
                pairs.append({"left": self.text(left), "right": self.text(right)})
            else:
                distractors.append(self.text(right))
        data |= {"type": "matching", "pairs": pairs, "distractors": distractors}
        return "matching"

    def choice(self, entries: list[str], data: dict[str, Any], meta: dict[str, Any]) -> str:
        ids = meta.get("options") or [f"o{i + 1}" for i in range(len(entries))]
        options, weights = [], []
        for i, entry in enumerate(entries):
            body = entry[1:].strip()
            weight = 1.0 if entry.startswith("=") else 0.0
            found = re.match(r"^%(-?\d+(?:\.\d+)?)%", body)
            if found:
                weight, body = float(found.group(1)) / 100, body[found.end() :]
            cut = _find_unescaped(body, "#")
            feedback = body[cut + 1 :] if cut >= 0 else ""
            body = body[:cut] if cut >= 0 else body
            option: dict[str, Any] = {
                "id": ids[i] if i < len(ids) else f"o{i + 1}",
                "text": self.text(body),
            }
            if feedback.strip():
                option["feedback"] = self.text(feedback)
            options.append(option)
            weights.append(weight)
        right = [w > 0 for w in weights]
        single = (
            sum(right) == 1 and max(weights) >= 0.999 and not any(0 < w < 0.999 for w in weights)
        )
        for option, correct in zip(options, right, strict=True):
            option["correct"] = correct
        data |= {"type": "single_choice" if single else "multiple_choice", "options": options}
        if meta.get("shuffle") is False:
            data["shuffle"] = False
        return data["type"]  # type: ignore[no-any-return]


def import_gift(
    text: str, *, languages: tuple[str, ...] = ("zh-CN", "en"), default_language: str = "en"
) -> ImportReport:
    """Read GIFT text into questions; problems carry the line of the question they are about.

    Usage: `report = import_gift(Path("quiz.gift").read_text()); report.questions`
    """
    importer = _Importer(languages, default_language)
    category: str | None = None
    comments: list[str] = []
    body: list[str] = []
    start = 0

    def flush() -> None:
        nonlocal body, comments
        if body:
            importer.record(start, "\n".join(body).strip(), comments, category)
        body, comments = [], []

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("//") and not body:
            comments.append(line[2:])
        elif line.startswith("//"):
            continue
        elif line.startswith("$CATEGORY:") and not body:
            category = line.split(":", 1)[1].strip().rstrip("/").split("/")[-1] or None
            comments = []
        else:
            if not body:
                start = number
            body.append(raw)
    flush()
    return importer.report
