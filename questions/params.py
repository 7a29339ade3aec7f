"""Parameters of a question: sampling them, deriving values, filling `{{ ... }}` placeholders.

A placeholder holds a name or an expression over params and derived values (`{{ n * l }}`).
Only parameterised questions are filled, so a Tornado template (`{{ name }}`) in an ordinary
question stays as written; in a parameterised one write `\\{{` for a literal `{{`.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Iterator, Mapping

from questions.expressions import Expression, ExpressionError, compile_expression
from questions.models import Number, ParamChoice, ParamSpec, ParamValues

__all__ = [
    "PLACEHOLDER",
    "derive_values",
    "fill",
    "format_value",
    "param_domain",
    "placeholders",
    "sample_params",
    "value_space",
]

PLACEHOLDER = re.compile(r"(\\?)\{\{\s*(.*?)\s*\}\}", re.DOTALL)
MAX_RANGE = 1_000_000


def param_domain(spec: ParamSpec) -> list[Number | str]:
    """Every value a parameter can take, in order. Raises ValueError for an empty range."""
    if isinstance(spec, ParamChoice):
        return list(spec.choice)
    low, high = spec.range
    count = math.floor((high - low) / spec.step + 1e-9) + 1
    if count < 1:
        raise ValueError(f"range [{low}, {high}] is empty")
    if count > MAX_RANGE:
        raise ValueError(f"range [{low}, {high}] step {spec.step} has over {MAX_RANGE} values")
    whole = all(isinstance(x, int) for x in (low, high, spec.step))
    return [low + i * spec.step if whole else round(low + i * spec.step, 10) for i in range(count)]


def _size(spec: ParamSpec) -> int:
    if isinstance(spec, ParamChoice):
        return len(spec.choice)
    low, high = spec.range
    return max(0, math.floor((high - low) / spec.step + 1e-9) + 1)


def _pick(spec: ParamSpec, rng: random.Random) -> Number | str:
    if isinstance(spec, ParamChoice):
        return spec.choice[rng.randrange(len(spec.choice))]
    index = rng.randrange(_size(spec))
    low = spec.range[0]
    if all(isinstance(x, int) for x in (low, spec.range[1], spec.step)):
        return low + index * spec.step
    return round(low + index * spec.step, 10)


def sample_params(params: Mapping[str, ParamSpec], rng: random.Random) -> ParamValues:
    """One value per parameter, drawn from `rng` in declaration order."""
    return {name: _pick(spec, rng) for name, spec in params.items()}


def value_space(params: Mapping[str, ParamSpec], limit: int) -> Iterator[ParamValues] | None:
    """Every combination of parameter values, or None when there are more than `limit`."""
    sizes = [_size(spec) for spec in params.values()]
    if math.prod(sizes) > limit:
        return None
    domains = [param_domain(spec) for spec in params.values()]
    names = list(params)
    return (dict(zip(names, combo, strict=True)) for combo in itertools.product(*domains))


def _compiled(derived: Mapping[str, str | Number], known: set[str]) -> list[tuple[str, Expression]]:
    compiled = []
    for name, source in derived.items():
        expression = compile_expression(str(source), frozenset(known))
        compiled.append((name, expression))
        known.add(name)
    return compiled


def derive_values(
    values: ParamValues, derived: Mapping[str, str | Number]
) -> dict[str, Number | str | bool]:
    """`values` plus each derived value, computed in declaration order (later may use earlier)."""
    result: dict[str, Number | str | bool] = dict(values)
    for name, expression in _compiled(derived, set(values)):
        try:
            result[name] = expression.evaluate(result)
        except ExpressionError as error:
            raise ExpressionError(f"derived {name}: {error}") from None
    return result


def format_value(value: Number | str | bool) -> str:
    """A value as a student reads it: 3 not 3.0, 0.25 not 0.25000000001."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{round(value, 6):.6f}".rstrip("0").rstrip(".")
    return str(value)


def placeholders(text: str) -> list[str]:
    """The expressions of every unescaped `{{ ... }}` in `text`."""
    return [m.group(2) for m in PLACEHOLDER.finditer(text) if not m.group(1)]


def fill(text: str, values: Mapping[str, Number | str | bool]) -> str:
    """`text` with every placeholder replaced by its value. Raises ExpressionError.

    Usage: `fill("{{ n }} requests", {"n": 3}) == "3 requests"`
    """
    if "{{" not in text:
        return text
    names = frozenset(values)

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return "{{" + match.group(0)[3:]
        return format_value(compile_expression(match.group(2), names).evaluate(values))

    return PLACEHOLDER.sub(replace, text)
