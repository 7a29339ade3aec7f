"""Writing banks to disk in the format of README.md: one readable YAML file per question.

Used by `bank derive` and `bank import`. Nothing is overwritten: a file that exists is an error
unless the caller asks to replace it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from questions.models import Manifest, Question

__all__ = ["manifest_to_yaml", "question_to_yaml", "write_bank"]

_ORDER = (
    "id", "type", "status", "needs_translation", "topic", "tags", "difficulty", "points",
    "source", "params", "derived", "generator", "text", "options", "shuffle", "answer",
    "tolerance", "unit", "blanks", "pairs", "distractors", "items", "assignment", "explanation",
)  # fmt: skip


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _flow_list(dumper: yaml.SafeDumper, value: tuple[Any, ...] | list[Any]) -> yaml.SequenceNode:
    # Short lists of plain values (source, tags, accept) read best on one line.
    flow = all(isinstance(v, str | int | float) and len(str(v)) < 60 for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(tuple, _flow_list)
_Dumper.add_representer(list, _flow_list)


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    known = {k: data[k] for k in _ORDER if k in data}
    return known | {k: v for k, v in data.items() if k not in known}


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def question_to_yaml(question: Question) -> str:
    """The YAML file of one question, fields in the README's order, defaults left out.

    Usage: `Path("q.yaml").write_text(question_to_yaml(q))`
    """
    data = question.model_dump(mode="python", exclude_defaults=True)
    data["type"] = question.type
    if question.type == "true_false":
        data["answer"] = question.answer
    return _dump(_ordered(data))


def manifest_to_yaml(manifest: Manifest) -> str:
    """The `bank.yaml` of a manifest."""
    return _dump(manifest.model_dump(mode="python", exclude_defaults=True, exclude_none=True))


def write_bank(
    folder: Path,
    manifest: Manifest,
    questions: Iterable[Question],
    *,
    notes: tuple[str, str] | None = None,
    replace: bool = False,
) -> list[Path]:
    """Write a bank folder: bank.yaml, `<topic>/<id>.yaml` per question, and the notes file.

    `notes` is (file name, text). Raises FileExistsError naming the first file that exists,
    before anything is written, unless `replace`.
    Usage: `write_bank(Path("draft"), manifest, questions, notes=("notes.md", text))`
    """
    files: dict[Path, str] = {folder / "bank.yaml": manifest_to_yaml(manifest)}
    if notes is not None:
        files[folder / notes[0]] = notes[1]
    for question in questions:
        files[folder / question.topic / f"{question.id}.yaml"] = question_to_yaml(question)
    if not replace:
        for path in files:
            if path.exists():
                raise FileExistsError(f"{path} exists; refusing to overwrite it")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)
