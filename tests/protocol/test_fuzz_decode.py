"""Fuzzing the decoders: whatever a client sends, decoding returns a value.

The server hands every frame to ``decode_client``; a frame that raises would
take the connection down (DESIGN.md: "the server never crashes on what a client
sends"). So for any input the answer is a typed client frame or an ``Error``
with a frame-level code.

Invalid UTF-8 inside a string field and deep nesting have their own example
tests in ``test_codec.py``.
"""

from __future__ import annotations

import json
import typing
from typing import Any

import msgpack  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealroom.protocol import JSON, MSGPACK, ClientFrame, Codec, Error, ErrorCode

from .samples import CLIENT_FRAMES

CLIENT_TYPES = typing.get_args(ClientFrame)
ASCII_FRAMES = [f for f in CLIENT_FRAMES if JSON.encode(f).isascii()]
FRAME_ERRORS = {ErrorCode.BAD_FRAME, ErrorCode.INVALID_FRAME, ErrorCode.UNKNOWN_TYPE}

fuzz = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check(codec: Codec, data: bytes | str) -> None:
    """The invariant: a typed client frame that re-encodes to itself, or a frame-level Error."""
    result = codec.decode_client(data)
    if isinstance(result, Error):
        assert result.code in FRAME_ERRORS, result
        assert isinstance(result.message, str)
        assert result.message
        assert result.id is None or isinstance(result.id, str)
        return
    assert isinstance(result, CLIENT_TYPES), result
    assert codec.decode_client(codec.encode(result)) == result


# --- raw bytes ----------------------------------------------------------------------------


@fuzz
@given(st.binary(max_size=200))
def test_arbitrary_bytes_json(data: bytes) -> None:
    check(JSON, data)


@fuzz
@given(st.binary(max_size=200))
def test_arbitrary_bytes_msgpack(data: bytes) -> None:
    check(MSGPACK, data)


@fuzz
@given(st.text(max_size=200))
def test_arbitrary_text_json(data: str) -> None:
    check(JSON, data)
    check(JSON, data.encode())


# --- frame-shaped structures ----------------------------------------------------------

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.integers()  # big ints: JSON has no limit
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
)
MSGPACK_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.binary(max_size=20)
)


def nested(leaves: st.SearchStrategy[Any], keys: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=12,
    )


def frames(leaves: st.SearchStrategy[Any], keys: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Maps that look like frames: the right field names, values right or wrong."""
    any_value = nested(leaves, keys)
    kinds = st.sampled_from(["offer", "concede", "accept", "reject", "walk_away", "message"])
    intents = st.sampled_from(["question", "objection", "interest", "info", "threat"])
    ids = st.text(min_size=0, max_size=70)
    term_values = st.integers(min_value=-(2**63), max_value=2**63) | st.text(max_size=10)
    fields: dict[str, st.SearchStrategy[Any]] = {
        "type": st.sampled_from(
            ["hello", "move", "ping", "welcome", "event", "ack", "pong", "", "MOVE"]
        )
        | any_value,
        "kind": kinds | any_value,
        "id": ids | any_value,
        "token": st.text(max_size=10) | any_value,
        "resume_after": st.integers(min_value=-5, max_value=2**64 - 1) | any_value,
        "room": st.none() | st.text(max_size=10),
        "name": st.text(max_size=90) | any_value,
        "terms": st.dictionaries(st.text(max_size=8), term_values, max_size=4) | any_value,
        "offer": st.integers(min_value=-2, max_value=2**64 - 1) | any_value,
        "reason": st.text(max_size=30) | any_value,
        "text": st.text(max_size=30) | any_value,
        "intent": st.none() | intents | any_value,
    }
    frame_maps = st.fixed_dictionaries({}, optional=fields)
    with_extras = st.tuples(frame_maps, st.dictionaries(keys, any_value, max_size=3)).map(
        lambda pair: {**pair[1], **pair[0]}
    )
    return frame_maps | with_extras | any_value


@fuzz
@given(frames(JSON_LEAVES, st.text(max_size=10)))
def test_frame_shaped_json(obj: Any) -> None:
    check(JSON, json.dumps(obj).encode())  # NaN / Infinity come out as invalid JSON: fine


@fuzz
@given(frames(MSGPACK_LEAVES, st.text(max_size=10) | st.integers(-3, 3) | st.binary(max_size=4)))
def test_frame_shaped_msgpack(obj: Any) -> None:
    check(MSGPACK, msgpack.packb(obj))


@fuzz
@given(
    st.sampled_from(CLIENT_FRAMES),
    st.sampled_from([JSON, MSGPACK]),
    st.integers(min_value=0, max_value=10_000),
)
def test_truncated_valid_frames(frame: Any, codec: Codec, cut: int) -> None:
    data = codec.encode(frame)
    check(codec, data[: cut % (len(data) + 1)])


@fuzz
@given(
    st.sampled_from(ASCII_FRAMES),
    st.lists(
        st.tuples(
            st.integers(min_value=0),
            st.sampled_from(["replace", "insert", "delete"]),
            st.integers(min_value=0, max_value=0x7F).map(lambda b: bytes([b])),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_json_frames(frame: Any, edits: list[tuple[int, str, bytes]]) -> None:
    """ASCII edits of a valid JSON frame (ASCII keeps the input valid UTF-8)."""
    data = bytearray(JSON.encode(frame))
    for position, edit, byte in edits:
        at = position % (len(data) + 1)
        if edit == "insert":
            data[at:at] = byte
        elif data and at < len(data):
            data[at : at + 1] = byte if edit == "replace" else b""
    check(JSON, bytes(data))
