"""The MessagePack codec against the independent ``msgpack`` package.

A third-party client (the browser, a bot in another language) speaks MessagePack
with its own library; "same field names" (DESIGN.md) means the maps it sees are
the very maps a JSON client sees.
"""

from __future__ import annotations

import json
from typing import Any

import msgpack  # type: ignore[import-untyped]
import msgspec
import pytest

from dealroom.protocol import (
    JSON,
    MSGPACK,
    Accept,
    Concede,
    Hello,
    Offer,
    Reject,
    SendMessage,
    WalkAway,
)

from .samples import CLIENT_FRAMES, SERVER_FRAMES, frame_id

ALL_FRAMES = [*CLIENT_FRAMES, *SERVER_FRAMES]


def unpack(data: bytes) -> Any:
    return msgpack.unpackb(data, raw=False, strict_map_key=True)


@pytest.mark.parametrize("frame", ALL_FRAMES, ids=frame_id)
def test_msgpack_map_equals_json_map(frame: msgspec.Struct) -> None:
    as_msgpack = unpack(MSGPACK.encode(frame))
    as_json = json.loads(JSON.encode(frame))
    assert as_msgpack == as_json
    assert list(as_msgpack) == list(as_json)  # same fields, in the same order


@pytest.mark.parametrize("frame", ALL_FRAMES, ids=frame_id)
def test_msgpack_uses_str_not_bin_for_text(frame: msgspec.Struct) -> None:
    """Strings travel as MessagePack str (raw=True would show them as bytes)."""

    def has_bytes(value: Any) -> bool:
        if isinstance(value, bytes):
            return True
        if isinstance(value, dict):
            return any(has_bytes(k) or has_bytes(v) for k, v in value.items())
        if isinstance(value, list):
            return any(has_bytes(v) for v in value)
        return False

    assert not has_bytes(unpack(MSGPACK.encode(frame)))


@pytest.mark.parametrize(
    ("plain", "expected"),
    [
        ({"type": "hello", "token": "T", "resume_after": 0}, Hello(token="T")),
        (
            {"type": "hello", "token": "T", "resume_after": 17, "name": "Budi"},
            Hello(token="T", resume_after=17, name="Budi"),
        ),
        (
            {
                "type": "move",
                "id": "m1",
                "kind": "offer",
                "terms": {"price": 150, "warranty": "2 years"},
            },
            Offer(id="m1", terms={"price": 150, "warranty": "2 years"}),
        ),
        (
            {"type": "move", "id": "m2", "kind": "concede", "terms": {"price": 140}},
            Concede(id="m2", terms={"price": 140}),
        ),
        ({"type": "move", "id": "m3", "kind": "accept", "offer": 5}, Accept(id="m3", offer=5)),
        (
            {"type": "move", "id": "m4", "kind": "reject", "offer": 5, "reason": "no"},
            Reject(id="m4", offer=5, reason="no"),
        ),
        ({"type": "move", "id": "m5", "kind": "walk_away"}, WalkAway(id="m5")),
        (
            {"type": "move", "id": "m6", "kind": "message", "text": "Why?", "intent": "question"},
            SendMessage(id="m6", text="Why?", intent="question"),  # type: ignore[arg-type]
        ),
        # field order does not matter; `kind` before `type` is fine
        (
            {"kind": "accept", "offer": 9, "id": "m7", "type": "move"},
            Accept(id="m7", offer=9),
        ),
    ],
    ids=lambda v: v.get("kind", v.get("type")) if isinstance(v, dict) else "",
)
def test_plain_msgpack_maps_decode_to_typed_frames(plain: dict[str, Any], expected: Any) -> None:
    decoded = MSGPACK.decode_client(msgpack.packb(plain))
    assert type(decoded) is type(expected)
    assert decoded == expected


def test_offer_terms_keep_int_and_str_values() -> None:
    packed = msgpack.packb(
        {
            "type": "move",
            "id": "m1",
            "kind": "offer",
            "terms": {"price": 150, "warranty": "2 years"},
        }
    )
    decoded = MSGPACK.decode_client(packed)
    assert isinstance(decoded, Offer)
    assert decoded.terms == {"price": 150, "warranty": "2 years"}
    assert type(decoded.terms["price"]) is int
    assert type(decoded.terms["warranty"]) is str


def test_msgpack_packed_with_bin_type_false_still_decodes() -> None:
    """Old msgpack clients (use_bin_type=False) pack str as raw; text still decodes."""
    packed = msgpack.packb({"type": "hello", "token": "T"}, use_bin_type=False)
    assert MSGPACK.decode_client(packed) == Hello(token="T")


def test_server_frames_decode_from_plain_msgpack() -> None:
    """A bot written against the spec can build server frames too (e.g. a fake server)."""
    for frame in SERVER_FRAMES:
        plain = json.loads(JSON.encode(frame))
        assert MSGPACK.decode_server(msgpack.packb(plain)) == frame
