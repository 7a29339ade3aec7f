"""The catalogue of assignments: one folder per assignment under graders/assignments/.

A folder holds `assignment.toml` (id, titles, interface, checks with points, visibility and
messages in zh-CN and en), `statement.zh-CN.md`, `statement.en.md`, `starter.py`,
`reference.py` and `wrong/*.py` (known-wrong solutions; the first line of each names the checks
it must fail: `# fails: concurrent, no-blocking`). The scenarios that decide each check live in
the module `graders.scenarios.<scenarios>`: they are code, typed and linted, and never enter the
sandbox. See graders/README.md.

Usage:
    catalogue = Catalogue.load()
    assignment = catalogue["gather-all"]
    assignment.statement("zh-CN")
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

LANGUAGES = ("en", "zh-CN")
ASSIGNMENTS_DIR = Path(__file__).resolve().parent / "assignments"
MESSAGES_FILE = Path(__file__).resolve().parent / "messages.toml"
_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_FAILS = re.compile(r"^#\s*fails:\s*(.+)$")

Visibility = Literal["visible", "hidden"]
Text = dict[str, str]  # language -> text


class CatalogueError(ValueError):
    """An assignment folder is malformed: the message names the file and field."""


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _text(value: Any, where: str) -> Text:
    if not isinstance(value, dict):
        raise CatalogueError(f"{where}: expected a table with keys {', '.join(LANGUAGES)}")
    missing = [lang for lang in LANGUAGES if not isinstance(value.get(lang), str)]
    if missing:
        raise CatalogueError(f"{where}: missing text in {', '.join(missing)}")
    extra = set(value) - set(LANGUAGES)
    if extra:
        raise CatalogueError(f"{where}: unknown languages {sorted(extra)}")
    en, zh = _placeholders(value["en"]), _placeholders(value["zh-CN"])
    if en != zh:
        raise CatalogueError(f"{where}: placeholders differ between en {en} and zh-CN {zh}")
    return {lang: value[lang] for lang in LANGUAGES}


@dataclass(frozen=True)
class Check:
    id: str
    points: int
    visibility: Visibility
    title: Text
    messages: dict[str, Text]  # reason -> text


@dataclass(frozen=True)
class Interface:
    kind: Literal["function", "class"]
    name: str
    signature: str
    methods: dict[str, str] = field(default_factory=dict)  # class: method -> "async" | "sync"
    threads: bool = False  # may the submission start threads (RLIMIT_NPROC)
    coroutine: bool = True  # function: `async def` (true) or a plain `def` (toml: async = false)

    def entry_points(self) -> list[str]:
        return [self.name]


@dataclass(frozen=True)
class WrongSolution:
    name: str
    path: Path
    fails: frozenset[str]


@dataclass(frozen=True)
class Assignment:
    id: str
    folder: Path
    title: Text
    summary: Text
    interface: Interface
    scenarios: str
    checks: tuple[Check, ...]

    @property
    def max_score(self) -> int:
        return sum(c.points for c in self.checks)

    def check(self, check_id: str) -> Check:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)

    def statement(self, lang: str = "en") -> str:
        return (self.folder / f"statement.{_lang(lang)}.md").read_text(encoding="utf-8")

    def starter(self) -> str:
        return (self.folder / "starter.py").read_text(encoding="utf-8")

    @property
    def reference(self) -> Path:
        return self.folder / "reference.py"

    def wrong_solutions(self) -> list[WrongSolution]:
        found = []
        for path in sorted((self.folder / "wrong").glob("*.py")):
            first = path.read_text(encoding="utf-8").splitlines()[:1]
            match = _FAILS.match(first[0]) if first else None
            if match is None:
                raise CatalogueError(f"{path}: line 1 must name the checks: '# fails: a, b'")
            fails = frozenset(part.strip() for part in match.group(1).split(","))
            unknown = fails - {c.id for c in self.checks}
            if unknown:
                raise CatalogueError(f"{path}: line 1 names unknown checks {sorted(unknown)}")
            found.append(WrongSolution(path.stem, path, fails))
        return found


def _lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise CatalogueError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    return lang


def load_assignment(folder: Path) -> Assignment:
    path = folder / "assignment.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: {exc}") from None
    except OSError as exc:
        raise CatalogueError(f"{path}: {exc.strerror}") from None

    def need(table: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
        value = table.get(key)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise CatalogueError(f"{path}: {where}{key}: expected {kind.__name__}")
        return value

    assignment_id = need(data, "id", str, "")
    if not _ID.match(assignment_id) or assignment_id != folder.name:
        raise CatalogueError(
            f"{path}: id {assignment_id!r} must be kebab-case and match its folder"
        )
    raw_interface = need(data, "interface", dict, "")
    kind = need(raw_interface, "kind", str, "interface.")
    if kind not in ("function", "class"):
        raise CatalogueError(f"{path}: interface.kind: expected 'function' or 'class'")
    methods = raw_interface.get("methods", {})
    if not isinstance(methods, dict) or any(v not in ("async", "sync") for v in methods.values()):
        raise CatalogueError(f"{path}: interface.methods: expected method = 'async' | 'sync'")
    coroutine = raw_interface.get("async", True)
    if not isinstance(coroutine, bool):
        raise CatalogueError(f"{path}: interface.async: expected true or false")
    interface = Interface(
        kind=kind,
        name=need(raw_interface, "name", str, "interface."),
        signature=need(raw_interface, "signature", str, "interface."),
        methods=dict(methods),
        threads=bool(raw_interface.get("threads", False)),
        coroutine=coroutine,
    )
    checks = []
    for index, raw in enumerate(need(data, "checks", list, "")):
        where = f"checks[{index}]."
        check_id = need(raw, "id", str, where)
        points = need(raw, "points", int, where)
        if points < 1:
            raise CatalogueError(f"{path}: {where}points: expected a positive integer")
        visibility = need(raw, "visibility", str, where)
        if visibility not in ("visible", "hidden"):
            raise CatalogueError(f"{path}: {where}visibility: expected 'visible' or 'hidden'")
        messages = {
            reason: _text(text, f"{path}: {where}messages.{reason}")
            for reason, text in need(raw, "messages", dict, where).items()
        }
        if "passed" not in messages:
            raise CatalogueError(f"{path}: {where}messages: a 'passed' message is required")
        title = _text(raw.get("title"), f"{path}: {where}title")
        checks.append(Check(check_id, points, visibility, title, messages))
    ids = [c.id for c in checks]
    if len(set(ids)) != len(ids) or not checks:
        raise CatalogueError(f"{path}: checks: ids must be unique and at least one is needed")
    for name in ("statement.en.md", "statement.zh-CN.md", "starter.py", "reference.py"):
        if not (folder / name).is_file():
            raise CatalogueError(f"{folder}: missing {name}")
    return Assignment(
        id=assignment_id,
        folder=folder,
        title=_text(data.get("title"), f"{path}: title"),
        summary=_text(data.get("summary"), f"{path}: summary"),
        interface=interface,
        scenarios=need(data, "scenarios", str, ""),
        checks=tuple(checks),
    )


class Catalogue(Mapping[str, Assignment]):
    """Every assignment, by id, in a stable order."""

    def __init__(self, assignments: list[Assignment]) -> None:
        self._by_id = {a.id: a for a in sorted(assignments, key=lambda a: a.id)}

    @classmethod
    def load(cls, directory: Path = ASSIGNMENTS_DIR) -> Catalogue:
        folders = sorted(p for p in directory.iterdir() if (p / "assignment.toml").is_file())
        return cls([load_assignment(folder) for folder in folders])

    def __getitem__(self, assignment_id: str) -> Assignment:
        try:
            return self._by_id[assignment_id]
        except KeyError:
            known = ", ".join(self._by_id)
            raise UnknownAssignment(
                f"unknown assignment {assignment_id!r} (known: {known})"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)


class UnknownAssignment(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def load_messages(path: Path = MESSAGES_FILE) -> dict[str, Text]:
    """The engine's generic messages (timeouts, crashes, deadlocks...), by reason."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {reason: _text(text, f"{path}: {reason}") for reason, text in data.items()}
