"""The wire: whatever bytes a child sends, the grader gets a message or WireError, never
another exception, and values round-trip."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graders.harness import packing, wire
from graders.harness.wire import ExcInfo, Opaque, WireError, decode, pack_trusted, unpack_untrusted


@given(st.binary(max_size=2000))
def test_any_bytes_decode_to_a_message_or_wire_error(data: bytes) -> None:
    try:
        message = decode(data)
    except WireError:
        return
    assert isinstance(message["op"], str)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=5), children, max_size=5)
    ),
    max_leaves=30,
)


@given(json_values)
def test_any_json_value_unpacks_or_raises_wire_error(value: object) -> None:
    with contextlib.suppress(WireError):
        unpack_untrusted(value)


plain_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.text(max_size=20)
    | st.binary(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.tuples(children, children),
    max_leaves=20,
)


@given(plain_values)
def test_values_packed_in_the_child_unpack_to_equal_values(value: object) -> None:
    packed = json.loads(json.dumps(packing.pack(value)))
    assert unpack_untrusted(packed) == value


def test_deep_and_wide_values_are_refused() -> None:
    deep: object = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(WireError, match="deeply"):
        unpack_untrusted(deep)
    with pytest.raises(WireError, match="too many"):
        unpack_untrusted([0] * (wire.MAX_ITEMS + 1))


def test_the_child_never_runs_student_methods_while_packing() -> None:
    class Sneaky(list):  # type: ignore[type-arg]
        def __iter__(self):  # type: ignore[no-untyped-def]
            raise AssertionError("called")

        def __repr__(self) -> str:
            raise AssertionError("called")

    packed = packing.pack(Sneaky([1]))
    assert unpack_untrusted(packed) == Opaque(
        type="test_the_child_never_runs_student_methods_while_packing.<locals>.Sneaky",
        module=__name__,
    )


def test_exceptions_travel_as_data() -> None:
    try:
        raise ConnectionError("reset", 54)
    except ConnectionError as exc:
        packed = {"$x": packing.pack_exception(exc)}
    info = unpack_untrusted(json.loads(json.dumps(packed)))
    assert isinstance(info, ExcInfo)
    assert (info.type, info.args, info.text) == (
        "ConnectionError",
        ("reset", 54),
        "[Errno reset] 54",
    )
    rebuilt = packing.make_exception(pack_trusted(info)["$x"], lambda a: a)
    assert isinstance(rebuilt, ConnectionError)
    with pytest.raises(WireError, match="built-in"):
        packing.make_exception({"type": "SystemExit", "args": []}, lambda a: a)


def test_messages_over_the_size_limit_are_refused() -> None:
    with pytest.raises(WireError):
        wire.encode({"op": "x", "pad": "y" * wire.MAX_MESSAGE})
    with pytest.raises(WireError):
        decode(b" " * (wire.MAX_MESSAGE + 1))
