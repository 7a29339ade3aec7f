"""YAML documents that remember where each value was written.

PyYAML's `safe_load` forgets positions and silently keeps the last of two equal keys. Here the
document is composed into nodes (libyaml when available), walked once, and every value's line is
kept by its path (`("options", 0, "text")`), so a schema error can name the line it is about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import yaml

__all__ = ["Location", "YamlDocument", "YamlSyntaxError", "read_yaml"]

Location = tuple[str | int, ...]

MAX_NODES = 50_000  # a question is a few hundred nodes; aliases must not multiply that

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlSyntaxError(ValueError):
    """The text is not YAML (or abuses it); `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass
class YamlDocument:
    """`data` as safe_load would give it, plus the line of every value and the problems found."""

    data: object
    lines: dict[Location, int] = field(default_factory=dict)
    duplicates: list[tuple[int, Location]] = field(default_factory=list)

    def line_of(self, location: Sequence[str | int]) -> int:
        """The line of the deepest written value on the way to `location` (1 when unknown)."""
        loc = tuple(location)
        while loc:
            line = self.lines.get(loc)
            if line is not None:
                return line
            loc = loc[:-1]
        return self.lines.get((), 1)


class _Walker:
    def __init__(self, loader: yaml.SafeLoader, document: YamlDocument) -> None:
        self.loader = loader
        self.document = document
        self.visited = 0

    def walk(self, node: yaml.Node, location: Location) -> object:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise YamlSyntaxError(
                node.start_mark.line + 1, f"the document has more than {MAX_NODES} values"
            )
        self.document.lines.setdefault(location, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[object, object] = {}
            for key_node, value_node in node.value:
                key = self.walk_key(key_node)
                child = (*location, key if isinstance(key, str | int) else str(key))
                if key in result:
                    self.document.duplicates.append((key_node.start_mark.line + 1, child))
                # The key's line is where a reader looks for the field, not the value's.
                self.document.lines[child] = key_node.start_mark.line + 1
                result[key] = self.walk(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*location, i)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)

    def walk_key(self, node: yaml.Node) -> object:
        if not isinstance(node, yaml.ScalarNode):
            raise YamlSyntaxError(node.start_mark.line + 1, "a mapping key must be a plain value")
        key = self.loader.construct_object(node)
        return key if isinstance(key, str | int | float | bool) or key is None else str(key)


def read_yaml(text: str) -> YamlDocument:
    """Parse one YAML document, keeping lines. Raises `YamlSyntaxError`.

    Usage: `doc = read_yaml(path.read_text()); doc.line_of(("options", 1, "id"))`
    """
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark is not None else 1
            raise YamlSyntaxError(line, str(error.problem or error.context)) from None
        except yaml.YAMLError as error:
            raise YamlSyntaxError(1, str(error)) from None
        document = YamlDocument(data=None)
        if node is None:
            return document
        try:
            document.data = _Walker(loader, document).walk(node, ())
        except yaml.constructor.ConstructorError as error:
            mark = error.problem_mark
            raise YamlSyntaxError(mark.line + 1 if mark else 1, str(error.problem)) from None
        return document
    finally:
        loader.dispose()
