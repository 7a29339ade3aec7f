from __future__ import annotations

import pytest

from questions.expressions import ExpressionError, compile_expression

NAMES = frozenset({"n", "k", "l", "s"})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("ceil(n / k) * l", 400, id="the-classic"),
        pytest.param("n // k + n % k", 4, id="floor-division-and-modulo"),
        pytest.param("2 ** k", 8, id="power"),
        pytest.param("min(n, k, l) + max(n, 1)", 13, id="min-max"),
        pytest.param("round(n / 3, 2)", 3.33, id="round-digits"),
        pytest.param("abs(k - n) if n > k else 0", 7, id="conditional"),
        pytest.param("1 < k <= 3 and not n == 0", True, id="comparisons"),
        pytest.param("-n", -10, id="unary-minus"),
        pytest.param("s == s", True, id="text-equality"),
    ],
)
def test_allowed_expressions_evaluate(source: str, expected: object) -> None:
    values = {"n": 10, "k": 3, "l": 100, "s": "ms"}
    assert compile_expression(source, NAMES).evaluate(values) == expected


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        pytest.param("__import__('os').system('true')", "only these functions", id="import"),
        pytest.param("n.__class__", "Attribute is not allowed", id="attribute"),
        pytest.param("x + 1", "unknown name 'x'", id="unknown-name"),
        pytest.param("[n, k]", "List is not allowed", id="list"),
        pytest.param("lambda: 1", "Lambda is not allowed", id="lambda"),
        pytest.param("'text'", "only numbers", id="string-constant"),
        pytest.param("n +", "cannot parse", id="syntax"),
        pytest.param("min(n)", r"min\(\) takes 2\.\.20 arguments", id="arity"),
        pytest.param("round(n, ndigits=2)", "no keyword arguments", id="keywords"),
        pytest.param("n in k", "comparison In is not allowed", id="in"),
        pytest.param("ceil", "is a function", id="bare-function"),
        pytest.param("1" * 600, "longer than 500", id="too-long"),
    ],
)
def test_anything_else_is_refused_at_compile_time(source: str, reason: str) -> None:
    with pytest.raises(ExpressionError, match=reason):
        compile_expression(source, NAMES)


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        pytest.param("n / (k - 3)", "division by zero", id="division-by-zero"),
        pytest.param("n % 0", "division by zero", id="modulo-zero"),
        pytest.param("9 ** 9 ** 9", "exponent above", id="tower"),
        pytest.param("10 ** 20", "exceeds", id="huge-integer"),
        pytest.param("1.5 ** 5000", "too large", id="float-overflow"),
        pytest.param("(0 - n) ** 0.5", "fractional power", id="complex"),
        pytest.param("s + 1", "needs a number", id="text-in-arithmetic"),
        pytest.param("s < 1", "compared with == or !=", id="text-ordering"),
    ],
)
def test_runaway_or_invalid_arithmetic_is_an_error_not_a_hang(source: str, reason: str) -> None:
    expression = compile_expression(source, NAMES)
    with pytest.raises(ExpressionError, match=reason):
        expression.evaluate({"n": 10, "k": 3, "l": 100, "s": "ms"})


def test_names_lists_what_the_expression_reads() -> None:
    assert compile_expression("ceil(n / k)", NAMES).names == {"n", "k"}
