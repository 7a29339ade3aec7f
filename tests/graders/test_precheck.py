"""Rejections name what is wrong and where, before any code runs."""

from __future__ import annotations

import pytest

from graders import Catalogue
from graders.precheck import MAX_SOURCE_BYTES, Rejection, precheck

CATALOGUE = Catalogue.load()
GATHER = CATALOGUE["gather-all"].interface
BANK = CATALOGUE["bank-transfer"].interface


def rejected(source: bytes, interface: object = GATHER) -> Rejection:
    checked = precheck(source, interface)  # type: ignore[arg-type]
    assert isinstance(checked, Rejection), checked
    return checked


def test_a_valid_file_comes_back_as_text() -> None:
    assert precheck(b"async def fetch_all(urls, fetch):\n    return []\n", GATHER) == (
        "async def fetch_all(urls, fetch):\n    return []\n"
    )


def test_size_encoding_and_nul_bytes() -> None:
    assert rejected(b"#" * (MAX_SOURCE_BYTES + 1)).reason == "too-large"
    assert rejected(b"  \n").reason == "empty"
    bad = rejected(b"async def fetch_all(u, f):\n    return 'caf\xe9'\n")
    assert bad.reason == "not-utf8"
    assert bad.params == {"offset": 42, "line": 2}
    assert rejected(b"x = 1\n\x00\n").params == {"line": 2}


def test_a_byte_order_mark_is_accepted() -> None:
    assert isinstance(
        precheck(b"\xef\xbb\xbfasync def fetch_all(u, f):\n    return []\n", GATHER), str
    )


def test_syntax_errors_name_the_line_and_column() -> None:
    error = rejected(b"async def fetch_all(urls, fetch):\n    return [x for x in]\n")
    assert error.reason == "syntax"
    assert error.params["line"] == 2
    assert error.params["column"] > 0


@pytest.mark.parametrize(
    ("source", "reason", "params"),
    [
        (b"async def fetchall(u, f):\n    pass\n", "missing-near", {"near": "fetchall"}),
        (b"async def main(u, f):\n    pass\n", "missing", {"name": "fetch_all"}),
        (b"def fetch_all(u, f):\n    pass\n", "not-async-def", {"line": 1}),
        (b"class fetch_all:\n    pass\n", None, {}),
    ],
)
def test_the_required_function(
    source: bytes, reason: str | None, params: dict[str, object]
) -> None:
    checked = precheck(source, GATHER)
    if reason is None:
        assert isinstance(checked, str)  # bound some other way: judged when it runs
        return
    assert isinstance(checked, Rejection)
    assert checked.reason == reason
    assert params.items() <= checked.params.items()


def test_the_last_definition_wins_as_when_python_runs_the_module() -> None:
    source = b"async def fetch_all(u, f):\n    pass\n\ndef fetch_all(u, f):\n    pass\n"
    assert rejected(source).params["line"] == 4


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (b"async def Bank(store):\n    pass\n", "not-a-class"),
        (b"class Bank:\n    def __init__(self, s): pass\n", "missing-method"),
        (b"class Bank:\n    def __init__(self, s): pass\n    def transfer(self, a, b, n): pass\n",
         "method-not-async"),
        (b"class Bank:\n    async def __init__(self, s): pass\n    async def transfer(s): pass\n",
         "method-is-async"),
    ],
)  # fmt: skip
def test_the_required_class_and_methods(source: bytes, reason: str) -> None:
    assert rejected(source, BANK).reason == reason


def test_inherited_methods_are_left_to_the_run() -> None:
    source = b"class Base:\n    pass\nclass Bank(Base):\n    def __init__(self, s): pass\n"
    assert isinstance(precheck(source, BANK), str)
