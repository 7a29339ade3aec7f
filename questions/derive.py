"""`bank derive`: turn Markdown notes into a draft bank an instructor then edits.

- topics from the top-level headings; every item's `source` is its heading path;
- definition sentences ("X是指...", "X就是...", "X：...", "**X** ...", "An X is ...") become a
  fill-in item (the term blanked) and true/false items (the sentence as written, and a false
  one with a sibling definition swapped in);
- bullet lists become multiple-choice items (distractors from sibling lists);
- numbered lists become ordering items.

Derive cannot translate. The question scaffolding is written in both languages; fragments
quoted from the notes stay in the notes' language, and every item says so with
`needs_translation: [<other language>]` and `status: draft`, which validate accepts for drafts
only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from questions.models import (
    FillInQuestion,
    LocalizedText,
    Manifest,
    MultipleChoiceQuestion,
    OrderingQuestion,
    Question,
    TrueFalseQuestion,
)
from questions.notes import Block, Section, clean_inline, parse_notes

__all__ = ["Definition", "derive_bank", "find_definitions", "notes_language"]

LANGUAGES = ("zh-CN", "en")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ZH_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")
_ZH_DEFINITION = re.compile(
    r"^(?P<term>[^，,。：:；\s（(]{2,12}?)(?P<copula>是指|指的是|就是|是)[，,]?(?P<rest>[^，,].{3,})$"
)
_ZH_COLON = re.compile(r"^(?P<term>[^，,。：:；（(]{2,12})(?P<copula>：)(?P<rest>.{4,})$")
_EN_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_EN_DEFINITION = re.compile(
    r"^(?P<article>(?:An?|The)\s+)?(?P<term>[A-Za-z][\w\-/]*(?:\s+[\w\-/]+){0,3}?)\s+"
    r"(?P<copula>is|are|means|refers to)\s+(?P<rest>.{4,})$"
)
_BOLD_LEAD = re.compile(r"^\*\*(?P<term>[^*]{1,30})\*\*[:：,，\s]*(?P<rest>.{4,})$")
# Sentence openers that look like a term before 是 but are not one ("都是", "所以是", ...).
_NOT_TERMS = re.compile(
    r"^(都|也|就|还|这|那|所以|但|而|并|因为|如果|其实)|(都|也|必定|一定|就|不|总|的)$"
)


@dataclass(frozen=True)
class Definition:
    """`term` + `copula` + `rest` is the sentence as the notes write it (cleaned)."""

    term: str
    copula: str
    rest: str
    section: Section
    article: str = ""
    """English "An "/"The " before the term: kept in the sentence, not part of the answer."""

    def sentence(self, rest: str | None = None) -> str:
        return f"{self.article}{self.term}{self.copula}{rest if rest is not None else self.rest}"


def notes_language(text: str) -> str:
    """zh-CN when the notes are mostly Chinese, else en."""
    cjk = len(_CJK.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "zh-CN" if cjk >= latin / 4 else "en"


def _from_sentence(sentence: str, language: str, section: Section) -> Definition | None:
    sentence = sentence.strip()
    if language == "zh-CN":
        for pattern in (_ZH_DEFINITION, _ZH_COLON):
            match = pattern.match(sentence)
            if match and not _NOT_TERMS.search(match["term"]):
                return Definition(match["term"], match["copula"], match["rest"], section)
        return None
    match = _EN_DEFINITION.match(sentence)
    if match is None:
        return None
    copula = f" {match['copula']} "
    return Definition(match["term"], copula, match["rest"], section, match["article"] or "")


def find_definitions(section: Section, language: str) -> list[Definition]:
    """Definition sentences of one section (its own blocks, not its sub-sections)."""
    found: list[Definition] = []
    splitter = _ZH_SENTENCE if language == "zh-CN" else _EN_SENTENCE
    for block in section.blocks:
        if block.kind in ("bullets", "numbered"):
            for raw in block.raw:
                match = _BOLD_LEAD.match(raw.strip())
                if match:
                    term, rest = clean_inline(match["term"]), clean_inline(match["rest"])
                    found.append(
                        Definition(term, "：" if language == "zh-CN" else ": ", rest, section)
                    )
            continue
        for paragraph in block.items:
            for sentence in splitter.findall(paragraph):
                definition = _from_sentence(sentence, language, section)
                if definition is not None:
                    found.append(definition)
    return found


def _slug(text: str, fallback: str) -> str:
    words = re.sub(r"^[IVXLC]+\.\s*", "", text)  # "III.Tornado" -> "Tornado"
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:40].strip("-")
    return slug or fallback


class _Builder:
    def __init__(self, language: str) -> None:
        self.language = language
        self.other = tuple(lang for lang in LANGUAGES if lang != language)
        self.questions: list[Question] = []
        self.ids: set[str] = set()

    def both(self, zh: str, en: str) -> LocalizedText:
        return {"zh-CN": zh, "en": en}

    def quoted(self, text: str) -> LocalizedText:
        """A fragment of the notes: the same words in every language, awaiting translation."""
        return dict.fromkeys(LANGUAGES, text)

    def new_id(self, topic: str, kind: str) -> str:
        n = 1
        while f"{topic}-{kind}-{n}" in self.ids:
            n += 1
        self.ids.add(f"{topic}-{kind}-{n}")
        return f"{topic}-{kind}-{n}"

    def common(self, topic: str, section: Section, kind: str, difficulty: int) -> dict[str, object]:
        return {
            "id": self.new_id(topic, kind),
            "topic": topic,
            "tags": ["derived"],
            "difficulty": difficulty,
            "source": section.path,
            "status": "draft",
            "needs_translation": self.other,
        }

    def explanation(self, section: Section, quote: str) -> LocalizedText:
        where = " / ".join(section.path)
        return self.both(f"讲义「{where}」：{quote}", f"From the notes, {where}: {quote}")

    def definitions(self, topic: str, found: list[Definition], siblings: list[Definition]) -> None:
        for definition in found:
            section = definition.section
            where = section.title
            blanked = f"{definition.article}[[b1]]{definition.copula}{definition.rest}"
            self.questions.append(
                FillInQuestion(
                    type="fill_in",
                    **self.common(topic, section, "term", 1),  # type: ignore[arg-type]
                    text=self.both(
                        f"根据讲义「{where}」填空：\n\n{blanked}",
                        f"Fill in the blank (notes, “{where}”):\n\n{blanked}",
                    ),
                    blanks=({"id": "b1", "accept": (definition.term,)},),  # type: ignore[arg-type]
                    explanation=self.explanation(section, definition.sentence()),
                )
            )
            self.true_false(topic, definition, definition.sentence(), True)
            other = next(
                (d for d in siblings if d.term != definition.term and d.rest != definition.rest),
                None,
            )
            if other is not None:
                self.true_false(topic, definition, definition.sentence(other.rest), False)

    def true_false(self, topic: str, definition: Definition, statement: str, answer: bool) -> None:
        section = definition.section
        self.questions.append(
            TrueFalseQuestion(
                type="true_false",
                **self.common(topic, section, "true-false", 1),  # type: ignore[arg-type]
                text=self.both(
                    f"判断正误（讲义「{section.title}」）：\n\n{statement}",
                    f"True or false (notes, “{section.title}”)?\n\n{statement}",
                ),
                answer=answer,
                explanation=self.explanation(section, definition.sentence()),
            )
        )

    def bullets(
        self, topic: str, section: Section, block: Block, lead: str, pool: list[str]
    ) -> None:
        items = list(dict.fromkeys(block.items))[:6]
        distractors = [d for d in dict.fromkeys(pool) if d not in items][: max(2, 6 - len(items))]
        if len(items) < 2 or not distractors:
            return
        options = [
            {"id": f"o{i + 1}", "text": self.quoted(text), "correct": i < len(items)}
            for i, text in enumerate(items + distractors)
        ]
        self.questions.append(
            MultipleChoiceQuestion(
                type="multiple_choice",
                **self.common(topic, section, "list", 2),  # type: ignore[arg-type]
                text=self.both(
                    f"讲义「{section.title}」中「{lead}」下列出了哪些内容？（多选）",
                    f"Which of these does the notes' list under “{lead}” include? "
                    "(Choose all that apply.)",
                ),
                options=options,  # type: ignore[arg-type]
                explanation=self.explanation(section, "；".join(items)),
            )
        )

    def numbered(self, topic: str, section: Section, block: Block, lead: str) -> None:
        items = list(dict.fromkeys(block.items))[:20]
        if len(items) < 2 or len(items) != len(block.items[:20]):
            return
        self.questions.append(
            OrderingQuestion(
                type="ordering",
                **self.common(topic, section, "order", 2),  # type: ignore[arg-type]
                text=self.both(
                    f"按讲义「{lead}」中的顺序排列下列各项。",
                    f"Put these in the order the notes list them under “{lead}”.",
                ),
                items=tuple(self.quoted(item) for item in items),
                explanation=self.explanation(section, " → ".join(items)),
            )
        )


def _lead(section: Section, index: int) -> str:
    """What a list is about: the paragraph just before it, else the heading."""
    if index > 0 and section.blocks[index - 1].kind == "paragraph":
        text = section.blocks[index - 1].items[-1].rstrip("：:。.")
        if len(text) <= 80:
            return text
    return section.title


def derive_bank(
    notes: str, *, bank_id: str, notes_file: str = "notes.md", language: str | None = None
) -> tuple[Manifest, list[Question]]:
    """A draft bank from Markdown notes: the manifest and the questions (all `status: draft`).

    Usage: `manifest, questions = derive_bank(Path("notes.md").read_text(), bank_id="draft")`
    """
    language = language or notes_language(notes)
    root = parse_notes(notes)
    builder = _Builder(language)
    for n, top in enumerate(root.children, start=1):
        topic = _slug(top.title, f"section-{n}")
        sections = top.walk()
        definitions = {id(s): find_definitions(s, language) for s in sections}
        everything = [d for found in definitions.values() for d in found]
        all_bullets = [
            item for s in sections for b in s.blocks if b.kind == "bullets" for item in b.items
        ]
        for section in sections:
            found = definitions[id(section)]
            # Siblings first from the same section, then from the rest of the topic.
            siblings = found + [d for d in everything if d.section is not section]
            builder.definitions(topic, found, siblings)
            for index, block in enumerate(section.blocks):
                if block.kind == "bullets":
                    pool = [i for i in all_bullets if i not in block.items]
                    builder.bullets(topic, section, block, _lead(section, index), pool)
                elif block.kind == "numbered":
                    builder.numbered(topic, section, block, _lead(section, index))
    title = root.children[0].title if root.children else bank_id
    manifest = Manifest(
        id=bank_id,
        title={"zh-CN": f"{title}（草稿）", "en": f"{title} (draft)"},
        version="0.1.0",
        languages=LANGUAGES,
        notes=notes_file,
    )
    return manifest, builder.questions
