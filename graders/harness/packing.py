"""Child side: put the student's values on the wire, and read the grader's values off it.

`pack` never calls a method of the student's objects (no __repr__, __len__, __iter__ on
subclasses): exact built-in types become data, everything else an opaque type name.
"""

from __future__ import annotations

import base64
import builtins
import math
import traceback
from collections.abc import Callable
from typing import Any

from . import wire


class _TooLarge(Exception):
    pass


def _type_name(value: Any) -> tuple[str, str]:
    cls = type(value)
    try:
        name = type.__dict__["__qualname__"].__get__(cls)
        module = type.__dict__["__module__"].__get__(cls)
    except Exception:
        return "?", "?"
    return (name if isinstance(name, str) else "?"), (module if isinstance(module, str) else "?")


def pack(value: Any, register_callback: Callable[[Any], int] | None = None) -> Any:
    """Pack a value produced by the student's code; never raises."""
    budget = [0]
    try:
        return _pack(value, 0, budget, register_callback)
    except _TooLarge:
        name, module = _type_name(value)
        return {"$o": {"type": name, "module": module, "note": "too large to send"}}
    except RecursionError:
        name, module = _type_name(value)
        return {"$o": {"type": name, "module": module, "note": "nested too deeply"}}


def _pack(value: Any, depth: int, budget: list[int], register: Callable[[Any], int] | None) -> Any:
    budget[0] += 1
    if budget[0] > wire.MAX_ITEMS // 2 or depth > wire.MAX_DEPTH - 2:
        raise _TooLarge
    cls = type(value)
    if value is None or cls is bool or cls is str:
        if cls is str and len(value) > 64_000:
            raise _TooLarge
        return value
    if cls is int:
        if value.bit_length() > 1000:
            raise _TooLarge
        return value
    if cls is float:
        return value if math.isfinite(value) else {"$f": repr(value)}
    if cls is bytes or cls is bytearray:
        if len(value) > 64_000:
            raise _TooLarge
        return {"$b": base64.b64encode(bytes(value)).decode()}
    if cls is list:
        return [_pack(item, depth + 1, budget, register) for item in list.__iter__(value)]
    if cls is tuple:
        return {"$t": [_pack(item, depth + 1, budget, register) for item in tuple.__iter__(value)]}
    if cls is dict:
        return {
            "$d": [
                [_pack(k, depth + 1, budget, register), _pack(v, depth + 1, budget, register)]
                for k, v in dict.items(value)
            ]
        }
    if isinstance(value, BaseException):
        return {"$x": pack_exception(value)}
    if register is not None and callable(value):
        return {"$c": register(value)}
    name, module = _type_name(value)
    return {"$o": {"type": name, "module": module}}


def _safe_text(fn: Callable[[], str]) -> str:
    try:
        text = fn()
    except BaseException:
        return "<unprintable>"
    return text[: wire.MAX_TEXT] if isinstance(text, str) else "<unprintable>"


def submission_traceback(exc: BaseException, filename: str) -> str:
    """The traceback's frames that belong to the submission, as text."""

    def render() -> str:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
        lines = traceback.format_list(frames[-8:])
        return "".join(lines)

    return _safe_text(render)


def pack_exception(exc: BaseException, filename: str = "submission.py") -> dict[str, Any]:
    name, module = _type_name(exc)
    try:
        args = [pack(a) for a in tuple.__iter__(BaseException.__dict__["args"].__get__(exc))]
    except Exception:
        args = []
    return {
        "type": name,
        "module": module,
        "args": args[:20],
        "text": _safe_text(lambda: str(exc)),
        "tb": submission_traceback(exc, filename),
    }


_ALLOWED_EXCEPTIONS = {
    name
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, Exception)
}


def make_exception(body: dict[str, Any], resolve: Callable[[Any], Any]) -> BaseException:
    """Build the built-in exception the grader asked to raise in the student's code."""
    name = body.get("type")
    if name == "CancelledError":
        import asyncio

        return asyncio.CancelledError()
    if name not in _ALLOWED_EXCEPTIONS:
        raise wire.WireError(f"the grader may only raise built-in exceptions, not {name!r}")
    cls: type[BaseException] = getattr(builtins, name)
    return cls(*[resolve(a) for a in body.get("args", [])])


def unpack_trusted(packed: Any, resolve_special: Callable[[str, Any], Any]) -> Any:
    """Read a value the grader sent; stubs, refs and callbacks go to `resolve_special`."""
    if packed is None or isinstance(packed, bool | int | float | str):
        return packed
    if isinstance(packed, list):
        return [unpack_trusted(item, resolve_special) for item in packed]
    ((tag, body),) = packed.items()
    if tag == "$b":
        return base64.b64decode(body)
    if tag == "$t":
        return tuple(unpack_trusted(item, resolve_special) for item in body)
    if tag == "$d":
        return {
            unpack_trusted(k, resolve_special): unpack_trusted(v, resolve_special) for k, v in body
        }
    if tag == "$f":
        return float(body)
    if tag == "$x":
        return make_exception(body, lambda a: unpack_trusted(a, resolve_special))
    return resolve_special(tag, body)
