"""A small, safe arithmetic language for parameterised questions.

Authors write `ceil(n / k) * l` in `derived`, `answer` or a `{{ ... }}` placeholder. The text is
parsed with `ast` and compiled into closures from a whitelist: numbers, `+ - * / // % **`,
comparisons, `and or not`, `x if c else y`, the functions min max ceil floor round abs, and no
names but the question's params. Nothing is ever passed to `eval`; magnitudes are capped so that
`9 ** 9 ** 9` is an error, not a frozen server.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["Expression", "ExpressionError", "Value", "compile_expression"]

Value = int | float | bool | str
Env = Mapping[str, Value]
_Eval = Callable[[Env], Value]

MAX_SOURCE = 500
MAX_NODES = 200
MAX_MAGNITUDE = 1e15
MAX_EXPONENT = 10_000


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated; the message says why."""


@dataclass(frozen=True, slots=True)
class Expression:
    """A compiled expression: `names` it reads, and `evaluate(values)`."""

    source: str
    names: frozenset[str]
    _run: _Eval

    def evaluate(self, values: Env) -> Value:
        """Usage: `compile_expression("n * 2").evaluate({"n": 3}) == 6`."""
        return self._run(values)

    def number(self, values: Env) -> float | int:
        """Evaluate and insist on a number (not text, not a truth value)."""
        result = self._run(values)
        if isinstance(result, bool) or not isinstance(result, int | float):
            raise ExpressionError(f"`{self.source}` gives {result!r}, not a number")
        return result


def _check_number(value: Value, where: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ExpressionError(f"{where} needs a number, got {value!r}")
    return value


def _bounded(value: float | int) -> float | int:
    if isinstance(value, float) and not math.isfinite(value):
        raise ExpressionError("the result is not a finite number")
    if abs(value) > MAX_MAGNITUDE:
        raise ExpressionError(f"a value exceeds {MAX_MAGNITUDE:g} in magnitude")
    return value


def _divide(op: Callable[[float, float], float]) -> Callable[[float, float], float]:
    def run(a: float, b: float) -> float:
        if b == 0:
            raise ExpressionError("division by zero")
        return op(a, b)

    return run


def _power(a: float, b: float) -> float:
    if a == 0 and b < 0:
        raise ExpressionError("division by zero")
    if abs(b) > MAX_EXPONENT:
        raise ExpressionError(f"an exponent above {MAX_EXPONENT} is not allowed")
    # Whole numbers grow without bound in Python: refuse before computing, not after.
    if isinstance(a, int) and isinstance(b, int) and abs(a) > 1 and b * math.log2(abs(a)) > 60:
        raise ExpressionError(f"{a} ** {b} exceeds {MAX_MAGNITUDE:g}")
    try:
        result: float = a**b
    except OverflowError:
        raise ExpressionError(f"{a} ** {b} is too large") from None
    if isinstance(result, complex):
        raise ExpressionError("a negative number to a fractional power")
    return result


_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: _divide(operator.truediv),
    ast.FloorDiv: _divide(operator.floordiv),
    ast.Mod: _divide(operator.mod),
    ast.Pow: _power,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def _round(x: float, digits: float = 0) -> float | int:
    if digits == 0:
        return round(x)
    return round(x, int(digits))


_FUNCTIONS: dict[str, tuple[Callable[..., float | int], int, int]] = {
    # name: (function, least arguments, most arguments)
    "min": (min, 2, 20),
    "max": (max, 2, 20),
    "ceil": (math.ceil, 1, 1),
    "floor": (math.floor, 1, 1),
    "round": (_round, 1, 2),
    "abs": (abs, 1, 1),
}
FUNCTION_NAMES = frozenset(_FUNCTIONS)


class _Compiler:
    def __init__(self, allowed: frozenset[str]) -> None:
        self.allowed = allowed
        self.used: set[str] = set()
        self.nodes = 0

    def build(self, node: ast.AST) -> _Eval:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionError(f"the expression is too long (over {MAX_NODES} parts)")
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ExpressionError(f"only numbers are allowed as constants, not {value!r}")
            const = _bounded(value)
            return lambda env: const
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.BinOp):
            op = _BINARY.get(type(node.op))
            if op is None:
                raise ExpressionError(f"the operator {type(node.op).__name__} is not allowed")
            left, right = self.build(node.left), self.build(node.right)
            symbol = type(node.op).__name__

            def binary(env: Env) -> Value:
                a = _check_number(left(env), symbol)
                b = _check_number(right(env), symbol)
                return _bounded(op(a, b))

            return binary
        if isinstance(node, ast.UnaryOp):
            operand = self.build(node.operand)
            if isinstance(node.op, ast.Not):
                return lambda env: not operand(env)
            if isinstance(node.op, ast.USub):
                return lambda env: -_check_number(operand(env), "-")
            if isinstance(node.op, ast.UAdd):
                return lambda env: +_check_number(operand(env), "+")
            raise ExpressionError("the operator ~ is not allowed")
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.BoolOp):
            parts = [self.build(v) for v in node.values]
            if isinstance(node.op, ast.And):
                return lambda env: all(p(env) for p in parts)
            return lambda env: any(p(env) for p in parts)
        if isinstance(node, ast.IfExp):
            test, body, orelse = (
                self.build(node.test),
                self.build(node.body),
                self.build(node.orelse),
            )
            return lambda env: body(env) if test(env) else orelse(env)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise ExpressionError(f"{type(node).__name__} is not allowed in an expression")

    def _name(self, name: str) -> _Eval:
        if name in _FUNCTIONS:
            raise ExpressionError(f"{name} is a function: call it, e.g. {name}(x)")
        if name not in self.allowed:
            known = ", ".join(sorted(self.allowed)) or "none"
            raise ExpressionError(f"unknown name {name!r} (params and derived values: {known})")
        self.used.add(name)

        def lookup(env: Env) -> Value:
            try:
                return env[name]
            except KeyError:
                raise ExpressionError(f"{name!r} has no value") from None

        return lookup

    def _compare(self, node: ast.Compare) -> _Eval:
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise ExpressionError(f"the comparison {type(op).__name__} is not allowed")
        first = self.build(node.left)
        rest = [
            (_COMPARE[type(op)], self.build(c))
            for op, c in zip(node.ops, node.comparators, strict=True)
        ]

        def compare(env: Env) -> bool:
            left = first(env)
            for op, right_of in rest:
                right = right_of(env)
                if isinstance(left, str) != isinstance(right, str) or (
                    isinstance(left, str) and op not in (operator.eq, operator.ne)
                ):
                    raise ExpressionError("text can only be compared with == or != to text")
                if not op(left, right):
                    return False
                left = right
            return True

        return compare

    def _call(self, node: ast.Call) -> _Eval:
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            allowed = ", ".join(sorted(_FUNCTIONS))
            raise ExpressionError(f"only these functions may be called: {allowed}")
        if node.keywords:
            raise ExpressionError(f"{node.func.id}() takes no keyword arguments")
        name = node.func.id
        func, least, most = _FUNCTIONS[name]
        if not least <= len(node.args) <= most:
            raise ExpressionError(f"{name}() takes {least}..{most} arguments, not {len(node.args)}")
        args = [self.build(a) for a in node.args]

        def call(env: Env) -> Value:
            values = [_check_number(a(env), f"{name}()") for a in args]
            return _bounded(func(*values))

        return call


@lru_cache(maxsize=4096)
def compile_expression(source: str, allowed: frozenset[str] = frozenset()) -> Expression:
    """Parse `source` into an `Expression` that may read only the names in `allowed`.

    Usage: `compile_expression("ceil(n / k) * l", frozenset({"n", "k", "l"}))`
    """
    if len(source) > MAX_SOURCE:
        raise ExpressionError(f"the expression is longer than {MAX_SOURCE} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"cannot parse `{source}`: {error.msg}") from None
    compiler = _Compiler(allowed)
    run = compiler.build(tree.body)
    return Expression(source=source, names=frozenset(compiler.used), _run=run)
