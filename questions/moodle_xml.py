"""Moodle XML: export a bank, import a Moodle XML file.

Moodle XML holds everything GIFT does plus ordering (the `ordering` question type, standard
since Moodle 4.4, graded "longest ordered subset" like quizloop) and case sensitivity. Code
questions and fill-ins with several blanks (Moodle's cloze embeds its answers in the text,
which the two language spans cannot share) are left out and listed. A document with a DTD is
refused: no entity expansion, no external entities.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from pydantic import ValidationError

from questions.interchange import (
    ExportReport,
    ImportReport,
    concrete_question,
    join_languages,
    metadata,
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
    OrderingQuestion,
    Question,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)

__all__ = ["export_moodle_xml", "import_moodle_xml"]

_TYPES = {
    "single_choice": "multichoice",
    "multiple_choice": "multichoice",
    "true_false": "truefalse",
    "fill_in": "shortanswer",
    "numeric": "numerical",
    "matching": "matching",
    "ordering": "ordering",
}


def _text(parent: ET.Element, tag: str, value: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    ET.SubElement(element, "text").text = value
    return element


def _fraction(value: float) -> str:
    return f"{round(value * 100, 5):g}"


class _Writer:
    def __init__(self, languages: tuple[str, ...]) -> None:
        self.languages = languages

    def lang(self, text: LocalizedText) -> str:
        return join_languages(text, self.languages)

    def rich(
        self, parent: ET.Element, tag: str, text: LocalizedText, **attributes: str
    ) -> ET.Element:
        return _text(parent, tag, self.lang(text), format="markdown", **attributes)

    def question(self, fixed: Question, original: Question, seed: int) -> ET.Element | str:
        if fixed.type not in _TYPES:
            return f"Moodle XML has no {fixed.type} questions quizloop can use"
        if isinstance(fixed, FillInQuestion) and len(fixed.blanks) != 1:
            return "several blanks need Moodle's cloze, which cannot share the language spans"
        if isinstance(fixed, FillInQuestion) and not fixed.blanks[0].accept:
            return "Moodle short answers cannot hold regexes and this blank accepts no strings"
        element = ET.Element("question", type=_TYPES[fixed.type])
        extra: dict[str, Any] = {"variant_of_seed": seed if original.parameterised else None}
        _text(element, "name", fixed.id)
        stem = fixed.text
        if isinstance(fixed, FillInQuestion):
            stem = {k: v.replace(f"[[{fixed.blanks[0].id}]]", "_____") for k, v in stem.items()}
        self.rich(element, "questiontext", stem)
        self.rich(element, "generalfeedback", fixed.explanation)
        ET.SubElement(element, "defaultgrade").text = f"{fixed.points:g}"
        ET.SubElement(element, "idnumber").text = fixed.id
        self.body(element, fixed, extra)
        tags = ET.SubElement(element, "tags")
        for tag in fixed.tags:
            _text(tags, "tag", tag)
        # "--" may not appear in an XML comment; JSON reads "-\u002d" back as "--".
        note = metadata(original, **extra).replace("--", "-\\u002d")
        element.insert(0, ET.Comment(f" {note} "))
        return element

    def body(self, element: ET.Element, q: Question, extra: dict[str, Any]) -> None:
        sub = ET.SubElement
        if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
            extra["options"] = [o.id for o in q.options]
            sub(element, "single").text = "true" if q.type == "single_choice" else "false"
            sub(element, "shuffleanswers").text = "true" if q.shuffle else "false"
            sub(element, "answernumbering").text = "abc"
            share = 1 / max(1, sum(1 for o in q.options if o.correct is True))
            for option in q.options:
                correct = option.correct is True
                weight = (
                    (1.0 if correct else 0.0)
                    if q.type == "single_choice"
                    else (share if correct else -share)
                )
                answer = self.rich(element, "answer", option.text, fraction=_fraction(weight))
                if option.feedback:
                    self.rich(answer, "feedback", option.feedback)
        elif isinstance(q, TrueFalseQuestion):
            for value in ("true", "false"):
                percent = "100" if (value == "true") == (q.answer is True) else "0"
                _text(element, "answer", value, fraction=percent)
        elif isinstance(q, FillInQuestion):
            blank = q.blanks[0]
            extra |= {"blank": blank.id, "regex": list(blank.regex)}
            sub(element, "usecase").text = "1" if blank.case_sensitive else "0"
            for accepted in blank.accept:
                _text(element, "answer", accepted, fraction="100")
        elif isinstance(q, NumericQuestion):
            answer = _text(element, "answer", repr(float(q.answer)), fraction="100")
            tolerance = q.tolerance.absolute or 0.0
            if q.tolerance.relative is not None:
                tolerance = q.tolerance.relative * abs(float(q.answer))
                extra["relative"] = q.tolerance.relative
            sub(answer, "tolerance").text = repr(float(tolerance))
            if q.unit:
                unit = sub(sub(element, "units"), "unit")
                sub(unit, "multiplier").text = "1"
                sub(unit, "unit_name").text = q.unit
        elif isinstance(q, MatchingQuestion):
            sub(element, "shuffleanswers").text = "true"
            for pair in q.pairs:
                item = self.rich(element, "subquestion", pair.left)
                _text(item, "answer", self.lang(pair.right))
            for distractor in q.distractors:
                item = _text(element, "subquestion", "", format="markdown")
                _text(item, "answer", self.lang(distractor))
        elif isinstance(q, OrderingQuestion):
            sub(element, "layouttype").text = "VERTICAL"
            sub(element, "selecttype").text = "ALL"
            sub(element, "gradingtype").text = "LONGEST_ORDERED_SUBSET"
            for position, step in enumerate(q.items, start=1):
                self.rich(element, "answer", step, fraction=str(position))


def export_moodle_xml(bank: Bank, *, seed: int = 0) -> ExportReport:
    """The bank as Moodle XML; parameterised questions as their variant for `seed`.

    Usage: `Path("bank.xml").write_text(export_moodle_xml(bank).text)`
    """
    writer = _Writer(bank.manifest.languages)
    quiz = ET.Element("quiz")
    quiz.append(ET.Comment(f" quizloop bank {bank.manifest.id} {bank.manifest.version} "))
    report = ExportReport()
    category = None
    for question in bank.questions.values():
        fixed = concrete_question(bank, question, seed)
        element = writer.question(fixed, question, seed)
        if isinstance(element, str):
            report.skipped.append((question.id, element))
            continue
        if fixed.topic != category:
            category = fixed.topic
            holder = ET.SubElement(quiz, "question", type="category")
            _text(holder, "category", f"$course$/{bank.manifest.id}/{category}")
        quiz.append(element)
        report.exported += 1
    ET.indent(quiz)
    report.text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"
    )
    return report


# --- import -----------------------------------------------------------------------------------


def _find_text(element: ET.Element | None, path: str = "text") -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "") if found is not None else ""


class _Reader:
    def __init__(self, languages: tuple[str, ...], default: str) -> None:
        self.languages = languages
        self.default = default
        self.report = ImportReport()
        self.incomplete = False

    def lang(self, value: str) -> LocalizedText:
        text, complete = split_languages(value.strip(), self.languages, self.default)
        self.incomplete |= not complete
        return text

    def question(self, element: ET.Element, category: str | None, line: int) -> None:
        kind = element.get("type", "")
        meta: dict[str, Any] = {}
        for child in element:
            if child.tag is ET.Comment:  # type: ignore[comparison-overlap]
                meta = read_metadata(child.text or "") or meta
        self.incomplete = False
        name = _find_text(element.find("name")) or f"imported-{line}"
        qid = element.findtext("idnumber") or re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
        explanation = _find_text(element.find("generalfeedback"))
        data: dict[str, Any] = {
            "id": qid or f"imported-{line}",
            "topic": meta.get("topic") or category or "imported",
            "tags": meta.get("tags")
            or [t.text for t in element.iterfind("tags/tag/text") if t.text],
            "difficulty": meta.get("difficulty", 2),
            "source": meta.get("source") or [category or "Imported"],
            "text": self.lang(_find_text(element.find("questiontext"))),
            "explanation": self.lang(explanation)
            if explanation.strip()
            else dict.fromkeys(self.languages, "-"),
            "points": float(element.findtext("defaultgrade") or 1) or 1,
        }
        for field in ("status", "needs_translation"):
            if field in meta:
                data[field] = meta[field]
        answers = element.findall("answer")
        if kind == "multichoice":
            ids = meta.get("options") or [f"o{i + 1}" for i in range(len(answers))]
            single = (element.findtext("single") or "true").strip() == "true"
            options = []
            for i, answer in enumerate(answers):
                option: dict[str, Any] = {
                    "id": ids[i] if i < len(ids) else f"o{i + 1}",
                    "text": self.lang(_find_text(answer)),
                    "correct": float(answer.get("fraction", "0")) > 0,
                }
                feedback = _find_text(answer.find("feedback"))
                if feedback.strip():
                    option["feedback"] = self.lang(feedback)
                options.append(option)
            data |= {"type": "single_choice" if single else "multiple_choice", "options": options}
            if (element.findtext("shuffleanswers") or "true").strip() in ("false", "0"):
                data["shuffle"] = False
        elif kind == "truefalse":
            right = next(
                (_find_text(a) for a in answers if float(a.get("fraction", "0")) > 0), "true"
            )
            data |= {"type": "true_false", "answer": right.strip().lower() == "true"}
        elif kind == "shortanswer":
            blank = meta.get("blank", "b1")
            data["text"] = {
                k: v.replace("_____", f"[[{blank}]]", 1) if "_____" in v else f"{v} [[{blank}]]"
                for k, v in data["text"].items()
            }
            accept = [_find_text(a) for a in answers if float(a.get("fraction", "0")) >= 100]
            blank_data: dict[str, Any] = {
                "id": blank,
                "accept": accept,
                "regex": meta.get("regex", []),
            }
            if (element.findtext("usecase") or "0").strip() == "1":
                blank_data["case_sensitive"] = True
            data |= {"type": "fill_in", "blanks": [blank_data]}
        elif kind == "numerical":
            exact = next((a for a in answers if float(a.get("fraction", "0")) >= 100), None)
            if exact is None:
                self.report.problems.append(
                    (line, f"{qid}: a numerical question without a 100% answer")
                )
                return
            data |= {"type": "numeric", "answer": float(_find_text(exact))}
            tolerance = float(exact.findtext("tolerance") or 0)
            if meta.get("relative") is not None:
                data["tolerance"] = {"relative": meta["relative"]}
            elif tolerance:
                data["tolerance"] = {"absolute": tolerance}
            unit = element.findtext("units/unit/unit_name")
            if unit:
                data["unit"] = unit.strip()
        elif kind == "matching":
            pairs, distractors = [], []
            for item in element.findall("subquestion"):
                left, right = _find_text(item), _find_text(item.find("answer"))
                if left.strip():
                    pairs.append({"left": self.lang(left), "right": self.lang(right)})
                else:
                    distractors.append(self.lang(right))
            data |= {"type": "matching", "pairs": pairs, "distractors": distractors}
        elif kind == "ordering":
            ordered = sorted(answers, key=lambda a: float(a.get("fraction", "0")))
            data |= {"type": "ordering", "items": [self.lang(_find_text(a)) for a in ordered]}
        else:
            self.report.skipped.append(
                (line, f"{qid}: Moodle {kind or 'untyped'} questions have no quizloop type")
            )
            return
        if self.incomplete and not meta:
            data["status"] = "draft"
            data["needs_translation"] = [lang for lang in self.languages if lang != self.default]
        try:
            self.report.questions.append(QUESTION_ADAPTER.validate_python(data))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"][1:])
            self.report.problems.append((line, f"{qid}: {where}: {first['msg']}"))


def import_moodle_xml(
    text: str, *, languages: tuple[str, ...] = ("zh-CN", "en"), default_language: str = "en"
) -> ImportReport:
    """Read Moodle XML into questions. A DTD (and so any entity trick) is refused outright.

    Usage: `report = import_moodle_xml(Path("quiz.xml").read_text()); report.problems`
    """
    reader = _Reader(languages, default_language)
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        reader.report.problems.append((1, "documents with a DTD or entities are refused"))
        return reader.report
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))  # noqa: S314
    try:
        root = ET.fromstring(text, parser=parser)  # noqa: S314 - no DTD, so no entity expansion
    except ET.ParseError as error:
        reader.report.problems.append((error.position[0], f"not well-formed XML: {error}"))
        return reader.report
    if root.tag != "quiz":
        reader.report.problems.append((1, f"the root element is <{root.tag}>, not <quiz>"))
        return reader.report
    category = None
    for index, element in enumerate(root.iterfind("question"), start=1):
        if element.get("type") == "category":
            path = _find_text(element.find("category")).strip().rstrip("/")
            category = path.split("/")[-1] or None
            continue
        reader.question(element, category, index)
    return reader.report
