"""Loading a bank folder: every file read, every rule checked, every problem reported at once.

`validate_bank` never stops at the first problem: each is a `Problem(file, line, field,
message)`. `load_bank` is the same walk, raising `BankInvalid` with the whole list. Bank code
(generators.py) runs only in child processes, see generators.py.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from questions.checks import check_question, check_variants
from questions.generators import run_generators
from questions.models import QUESTION_ADAPTER, QUESTION_CLASSES, Bank, Manifest, Question
from questions.notes import parse_notes
from questions.yamlfile import YamlDocument, YamlSyntaxError, read_yaml

__all__ = ["BankInvalid", "Problem", "Validation", "load_bank", "validate_bank"]

MANIFEST = "bank.yaml"
GENERATORS = "generators.py"
MAX_FILE_BYTES = 256 * 1024


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a bank: where (file, 1-based line, field) and what."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class BankInvalid(ValueError):
    """The bank has problems; `problems` lists every one."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        shown = "\n".join(str(p) for p in self.problems[:20])
        more = f"\n... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the bank:\n{shown}{more}")


@dataclass
class Validation:
    """The outcome of `validate_bank`: the problems, and the Bank when there are none."""

    problems: list[Problem] = field(default_factory=list)
    bank: Bank | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def field_name(location: Sequence[str | int]) -> str:
    """`("options", 1, "text", "en")` -> `options[1].text.en`."""
    out = ""
    for part in location:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def name(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def add(
        self, path: Path, line: int | None, location: Sequence[str | int], message: str
    ) -> None:
        self.problems.append(Problem(self.name(path), line, field_name(location), message))

    def document(self, path: Path) -> YamlDocument | None:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                self.add(path, None, (), f"the file is larger than {MAX_FILE_BYTES // 1024} KiB")
                return None
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.add(path, None, (), "the file is not UTF-8 text")
            return None
        except OSError as error:
            self.add(path, None, (), f"cannot read the file: {error.strerror}")
            return None
        try:
            document = read_yaml(text)
        except YamlSyntaxError as error:
            self.add(path, error.line, (), f"not valid YAML: {error.message}")
            return None
        for line, location in document.duplicates:
            self.add(path, line, location, "this key is written twice; the file must say it once")
        return document

    def schema_errors(
        self, path: Path, document: YamlDocument, error: ValidationError, tag: str | None = None
    ) -> None:
        merged: dict[tuple[str | int, ...], list[str]] = {}
        for item in error.errors():
            loc = item["loc"]
            if tag is not None and loc and loc[0] == tag:
                loc = loc[1:]  # the union's tag (the type) is not a field of the file
            location, message = _plain_error(document, loc, item["type"], item["msg"])
            if message is not None:
                merged.setdefault(location, []).append(message)
        for location, messages in merged.items():
            kinds = [m[len(_EXPECT) :] for m in messages if m.startswith(_EXPECT)]
            if len(kinds) > 1:  # one field that may be one of several kinds: say so once
                messages = [_EXPECT + " or ".join(dict.fromkeys(kinds))]
            for message in dict.fromkeys(messages):
                self.add(path, document.line_of(location), location, message)


_EXPECT = "expected "
_SCALARS = {"bool": "true or false", "int": "a number", "float": "a number",
            "constrained-str": "text (an expression)", "str": "text"}  # fmt: skip
_PARAMS = {"ParamRange": "range", "ParamChoice": "choice"}


def _plain_error(
    document: YamlDocument, loc: tuple[str | int, ...], kind: str, message: str
) -> tuple[tuple[str | int, ...], str | None]:
    """Pydantic's error in the file's terms: union member names out of the path."""
    location: list[str | int] = []
    for part in loc:
        if part in _PARAMS:
            # Report only the errors of the form the author wrote ({range: ...} or {choice: ...}).
            written = _at(document.data, location)
            form = "choice" if isinstance(written, dict) and "choice" in written else "range"
            if _PARAMS[str(part)] != form:
                return tuple(location), None
            continue
        if part in _SCALARS and location and location[-1] in ("answer", "correct"):
            return tuple(location), _EXPECT + _SCALARS[str(part)]
        location.append(part)
    if kind == "extra_forbidden":
        message = "unknown field (see questions/README.md for the fields of each type)"
    elif kind == "missing":
        message = "required field is missing"
    return tuple(location), message


def _at(data: object, location: list[str | int]) -> object:
    for part in location:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _question(reader: _Reader, path: Path, document: YamlDocument) -> Question | None:
    data = document.data
    if not isinstance(data, dict):
        reader.add(path, 1, (), "a question file must be a mapping of fields (id, type, ...)")
        return None
    kind = data.get("type")
    if kind not in QUESTION_CLASSES:
        known = ", ".join(QUESTION_CLASSES)
        reader.add(
            path,
            document.line_of(("type",)),
            ("type",),
            f"{kind!r} is not a type; use one of: {known}",
        )
        return None
    try:
        return QUESTION_ADAPTER.validate_python(data)
    except ValidationError as error:
        reader.schema_errors(path, document, error, tag=str(kind))
        return None


def _inside(root: Path, path: Path) -> bool:
    # A bank may arrive as an upload: `notes: ../../etc/passwd` or a symlink must not reach out.
    return path.resolve().is_relative_to(root.resolve())


def _question_files(root: Path) -> list[Path]:
    files = [
        p
        for p in root.rglob("*")
        if p.suffix in (".yaml", ".yml")
        and p.is_file()
        and p.name != MANIFEST
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return sorted(files)


def validate_bank(path: Path | str, *, assignments: Collection[str] | None = None) -> Validation:
    """Check a bank folder and report every problem; the Bank is returned when there are none.

    `assignments`: the ids of graders/ assignments that `code` questions may name (None: unchecked).
    Usage: `v = validate_bank("questions/banks/async-backends"); print(*v.problems, sep="\\n")`
    """
    root = Path(path)
    if root.is_file() and root.name == MANIFEST:
        root = root.parent
    reader = _Reader(root)
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        reader.add(manifest_path, None, (), f"no {MANIFEST}: a bank is a folder with a manifest")
        return Validation(problems=reader.problems)
    manifest: Manifest | None = None
    document = reader.document(manifest_path)
    if document is not None:
        try:
            manifest = Manifest.model_validate(document.data)
        except ValidationError as error:
            reader.schema_errors(manifest_path, document, error)
    languages = manifest.languages if manifest else ("zh-CN", "en")

    headings: list[tuple[str, ...]] | None = None
    if manifest and manifest.notes:
        notes = root / manifest.notes
        line = document.line_of(("notes",)) if document else None
        if not _inside(root, notes):
            reader.add(
                manifest_path, line, ("notes",), "the notes file must be inside the bank folder"
            )
        else:
            try:
                headings = parse_notes(notes.read_text(encoding="utf-8")).paths()
            except (OSError, UnicodeDecodeError):
                message = f"cannot read the notes file {manifest.notes}"
                reader.add(manifest_path, line, ("notes",), message)

    questions: dict[str, Question] = {}
    documents: dict[str, tuple[Path, YamlDocument]] = {}
    for file in _question_files(root):
        if not _inside(root, file):
            reader.add(file, None, (), "a link to a file outside the bank folder")
            continue
        doc = reader.document(file)
        if doc is None:
            continue
        question = _question(reader, file, doc)
        if question is None:
            continue
        if question.id in questions:
            first = reader.name(documents[question.id][0])
            reader.add(
                file,
                doc.line_of(("id",)),
                ("id",),
                f"id {question.id!r} is already used by {first}",
            )
            continue
        found = check_question(
            question, languages=languages, headings=headings, assignments=assignments
        )
        for location, message in found:
            reader.add(file, doc.line_of(location), location, message)
        if not found:
            questions[question.id] = question
        documents[question.id] = (file, doc)

    generated = _generate(reader, root, manifest, questions, documents)
    for question_id, question in questions.items():
        if question.generator and question_id not in generated:
            continue
        file, doc = documents[question_id]
        for location, message in check_variants(question, generated.get(question_id, ())):
            reader.add(file, doc.line_of(location), location, message)

    if reader.problems or manifest is None:
        return Validation(problems=sorted(reader.problems, key=lambda p: (p.file, p.line or 0)))
    bank = Bank(
        manifest=manifest,
        questions=questions,
        files={qid: reader.name(path) for qid, (path, _) in documents.items()},
        generated=generated,
        notes_headings=tuple(headings or ()),
    )
    return Validation(bank=bank)


def _generate(
    reader: _Reader,
    root: Path,
    manifest: Manifest | None,
    questions: dict[str, Question],
    documents: dict[str, tuple[Path, YamlDocument]],
) -> dict[str, tuple[dict[str, int | float | str | bool], ...]]:
    jobs = {qid: q.generator for qid, q in questions.items() if q.generator}
    if not jobs:
        return {}
    module = root / GENERATORS
    if not module.is_file() or not _inside(root, module):
        for qid in jobs:
            file, doc = documents[qid]
            reader.add(
                file, doc.line_of(("generator",)), ("generator",), f"the bank has no {GENERATORS}"
            )
        return {}
    seeds = manifest.generator_seeds if manifest else 100
    outcome = run_generators(module, jobs, seeds=seeds)
    for qid in jobs:
        message = outcome.fatal or outcome.errors.get(qid)
        if message:
            file, doc = documents[qid]
            reader.add(file, doc.line_of(("generator",)), ("generator",), message)
    return outcome.tables


def load_bank(path: Path | str, *, assignments: Collection[str] | None = None) -> Bank:
    """Load and validate a bank folder; raises BankInvalid listing every problem.

    Usage: `bank = load_bank("questions/banks/async-backends")`
    """
    validation = validate_bank(path, assignments=assignments)
    if validation.bank is None:
        raise BankInvalid(validation.problems)
    return validation.bank
