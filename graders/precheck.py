"""Checks on the submitted file itself, done by the grader before anything runs.

A file that fails here is *rejected* with a message naming the line and what was expected:
too large, not UTF-8, NUL bytes, a syntax error, or the required function or class missing,
misnamed, or not `async def` where the assignment needs it.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field
from typing import Any

from .catalogue import Interface

MAX_SOURCE_BYTES = 256 * 1024


@dataclass(frozen=True)
class Rejection:
    reason: str  # a key of graders/messages.toml
    params: dict[str, Any] = field(default_factory=dict)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_source(source: bytes) -> str | Rejection:
    if len(source) > MAX_SOURCE_BYTES:
        return Rejection("too-large", {"size": len(source), "limit": MAX_SOURCE_BYTES})
    if not source.strip():
        return Rejection("empty")
    try:
        text = source.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Rejection("not-utf8", {"offset": exc.start, "line": _line_of(source, exc.start)})
    if "\0" in text:
        return Rejection("null-bytes", {"line": text.count("\n", 0, text.index("\0")) + 1})
    return text


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements at module level, including those inside top-level if/try/with blocks."""
    found: list[ast.stmt] = []
    for node in body:
        found.append(node)
        if isinstance(node, ast.If | ast.With | ast.AsyncWith):
            found += _top_level(node.body)
            if isinstance(node, ast.If):
                found += _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            found += _top_level(node.body)
            for handler in node.handlers:
                found += _top_level(handler.body)
            found += _top_level(node.orelse) + _top_level(node.finalbody)
    return found


def _binds(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    names: set[str] = set()
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    elif isinstance(node, ast.Import | ast.ImportFrom):
        names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def check_interface(tree: ast.Module, interface: Interface) -> Rejection | None:
    statements = _top_level(tree.body)
    name = interface.name
    binding = None
    for node in statements:
        if name in _binds(node):
            binding = node  # the last binding wins, as when Python runs the module
    if binding is None:
        defined = sorted(set().union(*(_binds(n) for n in statements)) - {"_"})
        near = difflib.get_close_matches(name, defined, n=1, cutoff=0.6)
        params = {"signature": interface.signature, "name": name}
        if near:
            return Rejection("missing-near", {**params, "near": near[0]})
        return Rejection("missing", params)
    line = getattr(binding, "lineno", 0)
    if interface.kind == "function":
        if interface.coroutine and isinstance(binding, ast.FunctionDef):
            return Rejection("not-async-def", {"name": name, "line": line})
        if not interface.coroutine and isinstance(binding, ast.AsyncFunctionDef):
            return Rejection("async-def", {"name": name, "line": line})
        return None  # the right kind of def, or bound some other way: checked when it runs
    if isinstance(binding, ast.FunctionDef | ast.AsyncFunctionDef):
        return Rejection("not-a-class", {"name": name, "line": line})
    if not isinstance(binding, ast.ClassDef):
        return None
    methods = {
        n.name: n for n in binding.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    for method, kind in interface.methods.items():
        found = methods.get(method)
        if found is None:
            if binding.bases:
                continue  # it may be inherited: checked when it runs
            return Rejection("missing-method", {"name": name, "method": method})
        where = {"name": name, "method": method, "line": found.lineno}
        if kind == "async" and isinstance(found, ast.FunctionDef):
            return Rejection("method-not-async", where)
        if kind == "sync" and isinstance(found, ast.AsyncFunctionDef):
            return Rejection("method-is-async", where)
    return None


def precheck(source: bytes, interface: Interface) -> str | Rejection:
    """The source text, or why the file is rejected.

    Usage: `checked = precheck(data, assignment.interface)`
    """
    text = decode_source(source)
    if isinstance(text, Rejection):
        return text
    try:
        tree = ast.parse(text, filename="submission.py")
    except SyntaxError as exc:
        return Rejection(
            "syntax", {"line": exc.lineno or 0, "column": exc.offset or 0, "msg": exc.msg}
        )
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        return Rejection("syntax", {"line": 0, "column": 0, "msg": type(exc).__name__})
    rejection = check_interface(tree, interface)
    return rejection if rejection is not None else text
