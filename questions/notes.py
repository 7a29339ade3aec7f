"""Course notes as a tree of sections: headings, and the paragraphs and lists under them.

`source` in a question is a heading path, outermost first, written without Markdown emphasis
(`### **1.阻塞、非阻塞**` is `1.阻塞、非阻塞`). Validation checks paths against this tree;
`bank derive` reads the blocks. ATX headings (`#`..`######`) only; fenced code is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Block", "Section", "clean_inline", "parse_notes"]

BlockKind = Literal["paragraph", "bullets", "numbered", "quote"]

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s{0,3}\d{1,3}[.)]\s+(.*)$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")


def clean_inline(text: str) -> str:
    """Markdown inline text as a reader sees it: no emphasis, tags, images; links as their text.

    Usage: `clean_inline("**1.阻塞** <font color='red'>x</font>") == "1.阻塞 x"`
    """
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    text = _EMPHASIS.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Block:
    """A paragraph, a blockquote, or a list (`items`, each its first paragraph, cleaned)."""

    kind: BlockKind
    line: int
    items: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    """The items as written, Markdown kept (derive reads `**term**` leads from them)."""

    @property
    def text(self) -> str:
        return " ".join(self.items)


@dataclass
class Section:
    title: str
    level: int
    path: tuple[str, ...]
    line: int
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)

    def walk(self) -> list[Section]:
        """This section and every section below it, in document order."""
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found

    def paths(self) -> list[tuple[str, ...]]:
        """Every heading path below this one (the root's own empty path excluded)."""
        return [s.path for s in self.walk() if s.path]


class _Blocks:
    """Accumulates the blocks of one section while lines are read."""

    def __init__(self, section: Section) -> None:
        self.section = section
        self.current: Block | None = None
        self.item_open = False  # the last list item can still take continuation lines

    def close(self) -> None:
        if self.current is not None and any(self.current.items):
            kept = [i for i, item in enumerate(self.current.items) if item]
            self.current.items = [self.current.items[i] for i in kept]
            self.current.raw = [self.current.raw[i] for i in kept]
            self.section.blocks.append(self.current)
        self.current = None
        self.item_open = False

    def add_line(self, number: int, raw: str) -> None:
        stripped = raw.strip()
        if not stripped:
            if self.current is not None and self.current.kind in ("paragraph", "quote"):
                self.close()
            self.item_open = False
            return
        for kind, pattern in (("bullets", _BULLET), ("numbered", _NUMBERED)):
            match = pattern.match(raw)
            if match:
                if self.current is None or self.current.kind != kind:
                    self.close()
                    self.current = Block(kind=kind, line=number)  # type: ignore[arg-type]
                self.current.items.append(clean_inline(match.group(1)))
                self.current.raw.append(match.group(1).strip())
                self.item_open = True
                return
        if self.current is not None and self.current.kind in ("bullets", "numbered"):
            indented = raw.startswith(("  ", "\t"))
            if indented and self.item_open:
                self.current.items[-1] = clean_inline(f"{self.current.items[-1]} {stripped}")
                self.current.raw[-1] = f"{self.current.raw[-1]} {stripped}"
                return
            if indented:
                return  # a later paragraph of the same item: not part of the item's text
            self.close()
        kind = "quote" if stripped.startswith(">") else "paragraph"
        text = (
            clean_inline(stripped.lstrip(">").strip())
            if kind == "quote"
            else clean_inline(stripped)
        )
        if not text:
            return  # an image or an empty tag on its own line
        if self.current is None or self.current.kind != kind:
            self.close()
            self.current = Block(kind=kind, line=number)  # type: ignore[arg-type]
            self.current.items.append(text)
            self.current.raw.append(stripped)
        else:
            self.current.items[-1] = f"{self.current.items[-1]} {text}".strip()
            self.current.raw[-1] = f"{self.current.raw[-1]} {stripped}"


def parse_notes(text: str) -> Section:
    """The notes' section tree; the returned root has an empty title and path.

    Usage: `[" / ".join(p) for p in parse_notes(md).paths()]`
    """
    root = Section(title="", level=0, path=(), line=0)
    stack = [root]
    blocks = _Blocks(root)
    in_fence = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if _FENCE.match(raw):
            in_fence = not in_fence
            blocks.close()
            continue
        if in_fence:
            continue
        heading = _HEADING.match(raw)
        if heading:
            blocks.close()
            level = len(heading.group(1))
            while stack[-1].level >= level:
                stack.pop()
            title = clean_inline(heading.group(2))
            parent = stack[-1]
            section = Section(title=title, level=level, path=(*parent.path, title), line=number)
            parent.children.append(section)
            stack.append(section)
            blocks = _Blocks(section)
            continue
        blocks.add_line(number, raw)
    blocks.close()
    return root
