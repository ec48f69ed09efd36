"""dealroom.protocol.codec: round-trips, wire names, and refusals as values."""

from __future__ import annotations

import typing
from typing import Any

import msgspec
import pytest

from dealroom.protocol import (
    JSON,
    MSGPACK,
    SUBPROTOCOL_JSON,
    SUBPROTOCOL_MSGPACK,
    Accept,
    ClientFrame,
    Codec,
    Error,
    ErrorCode,
    Event,
    Hello,
    Joined,
    Move,
    Offer,
    Offered,
    Ping,
    Pong,
    SendMessage,
    ServerFrame,
    codec_for,
)

from .samples import (
    CLIENT_FRAMES,
    CODEC_IDS,
    CODECS,
    EVENTS,
    MOVES,
    PINGS,
    PONGS,
    REPLIES,
    SERVER_FRAMES,
    WELCOMES,
    frame_id,
    raw,
    wire,
)

codecs = pytest.mark.parametrize("codec", CODECS, ids=CODEC_IDS)

FRAME_ERRORS = {ErrorCode.BAD_FRAME, ErrorCode.INVALID_FRAME, ErrorCode.UNKNOWN_TYPE}


def tag_of(cls: type) -> str:
    tag = cls.__struct_config__.tag  # type: ignore[attr-defined]
    assert isinstance(tag, str)
    return tag


# --- the samples really cover the protocol ---------------------------------------------


def test_samples_cover_every_move_and_event_kind() -> None:
    assert {type(m) for m in MOVES} == set(typing.get_args(Move))
    assert {type(e) for e in EVENTS} == set(typing.get_args(Event))


def test_samples_cover_every_client_and_server_frame() -> None:
    assert {type(f) for f in CLIENT_FRAMES} == set(typing.get_args(ClientFrame))
    assert {type(f) for f in SERVER_FRAMES} == set(typing.get_args(ServerFrame))


def test_kind_names_are_the_ones_design_md_fixes() -> None:
    assert {tag_of(cls) for cls in typing.get_args(Move)} == {
        "offer",
        "concede",
        "accept",
        "reject",
        "walk_away",
        "message",
    }
    # DESIGN.md "Wire protocol v1" lists these; `created` is the facilitator-only seq 1;
    # the approval events are added for authority limits (DESIGN.md "Scenarios").
    assert {tag_of(cls) for cls in typing.get_args(Event)} == {
        "created",
        "joined",
        "left",
        "started",
        "offer",
        "accepted",
        "rejected",
        "message",
        "walked_away",
        "deadlock",
        "agreement",
        "paused",
        "resumed",
        "extended",
        "announcement",
        "approval_requested",
        "approval_decided",
        "ended",
    }


# --- round-trips -----------------------------------------------------------------------


@codecs
@pytest.mark.parametrize("frame", CLIENT_FRAMES, ids=frame_id)
def test_client_frame_round_trips(codec: Codec, frame: msgspec.Struct) -> None:
    decoded = codec.decode_client(codec.encode(frame))
    assert type(decoded) is type(frame)
    assert decoded == frame


@codecs
@pytest.mark.parametrize("frame", SERVER_FRAMES, ids=frame_id)
def test_server_frame_round_trips(codec: Codec, frame: msgspec.Struct) -> None:
    decoded = codec.decode_server(codec.encode(frame))
    assert type(decoded) is type(frame)
    assert decoded == frame


@codecs
def test_round_trip_keeps_nested_welcome_parts(codec: Codec) -> None:
    welcome = WELCOMES[0]
    decoded = codec.decode_server(codec.encode(welcome))
    assert isinstance(decoded, type(welcome))
    assert decoded.scenario == welcome.scenario
    assert decoded.brief == welcome.brief
    assert decoded.state.standing["buyer"].offer_class == "opening"


@codecs
def test_encoding_is_text_or_binary_as_the_subprotocol_says(codec: Codec) -> None:
    data = codec.encode(CLIENT_FRAMES[0])
    assert isinstance(data, bytes)
    if codec.binary:
        assert codec is MSGPACK
    else:
        data.decode("utf-8")  # JSON travels in text frames: must be valid UTF-8


def test_json_decodes_str_as_well_as_bytes() -> None:
    hello = Hello(token="t", resume_after=3)
    assert JSON.decode_client(JSON.encode(hello).decode()) == hello


# --- wire field names (DESIGN.md "Wire protocol v1") -----------------------------------


def test_hello_wire_names() -> None:
    assert wire(Hello(token="T", resume_after=4)) == {
        "type": "hello",
        "token": "T",
        "resume_after": 4,
        "room": None,
        "name": "",
        "lang": "",
    }


@pytest.mark.parametrize("move", MOVES, ids=frame_id)
def test_every_move_has_type_move_id_and_kind(move: msgspec.Struct) -> None:
    frame = wire(move)
    assert frame["type"] == "move"
    assert frame["kind"] == tag_of(type(move))
    assert frame["id"] == move.id  # type: ignore[attr-defined]


def test_move_field_names() -> None:
    assert wire(Offer(id="m1", terms={"price": 150}))["terms"] == {"price": 150}
    assert wire(Accept(id="m1", offer=5))["offer"] == 5
    message = wire(SendMessage(id="m1", text="Why?", intent="question"))  # type: ignore[arg-type]
    assert (message["text"], message["intent"]) == ("Why?", "question")


def test_ack_and_error_wire_names() -> None:
    assert wire(REPLIES[0]) == {"type": "ack", "id": "m1", "seq": 8, "duplicate": False}
    assert wire(Error(id="m1", code=ErrorCode.STALE_OFFER, message="Old.")) == {
        "type": "error",
        "id": "m1",
        "code": "stale_offer",
        "message": "Old.",
    }


def test_ping_and_pong_wire_names() -> None:
    assert wire(Ping()) == {"type": "ping", "id": None}
    assert wire(Ping(id="p1")) == {"type": "ping", "id": "p1"}
    assert wire(Pong(id="p1", seq=7, server_time=5)) == {
        "type": "pong",
        "id": "p1",
        "seq": 7,
        "server_time": 5,
        "seat_connections": 0,
    }
    assert [wire(p)["id"] for p in PINGS] == [None, "p1", "x" * 64]
    assert [wire(p)["seq"] for p in PONGS] == [0, 7]


@codecs
def test_a_ping_without_id_decodes_with_id_null(codec: Codec) -> None:
    assert codec.decode_client(raw(codec, {"type": "ping"})) == Ping()
    assert codec.decode_client(raw(codec, {"type": "ping", "id": None})) == Ping()


@pytest.mark.parametrize("event", EVENTS, ids=frame_id)
def test_every_event_has_the_common_fields(event: msgspec.Struct) -> None:
    frame = wire(event)
    assert frame["type"] == "event"
    assert frame["kind"] == tag_of(type(event))
    assert {"seq", "at", "by"} <= frame.keys()


def test_offer_event_carries_its_class_as_class() -> None:
    offered = next(e for e in EVENTS if isinstance(e, Offered))
    frame = wire(offered)
    assert frame["class"] == offered.offer_class.value
    assert "offer_class" not in frame
    # and the standing offers inside a welcome's room view, likewise
    standing = wire(WELCOMES[0])["state"]["standing"]["buyer"]
    assert standing["class"] == "opening"
    assert "offer_class" not in standing


def test_offer_event_decodes_from_class() -> None:
    data = raw(
        JSON,
        {
            "type": "event",
            "kind": "offer",
            "seq": 3,
            "at": 1,
            "by": "seller",
            "move": "m1",
            "terms": {"price": 150},
            "class": "hardening",
        },
    )
    decoded = JSON.decode_server(data)
    assert isinstance(decoded, Offered)
    assert decoded.offer_class == "hardening"


@codecs
def test_a_joined_event_without_lang_decodes_with_none(codec: Codec) -> None:
    """Logs written before ``joined`` named the seat's language still read."""
    data = raw(codec, {"type": "event", "kind": "joined", "seq": 2, "at": 1, "by": "buyer"})
    assert codec.decode_server(data) == Joined(seq=2, at=1, by="buyer", name="", lang="")


# --- refusals are values with stable codes -----------------------------------------------

MALFORMED = {
    "json": [b"", b"{", b'{"type": "hello",', b"{'type': 'hello'}", b"\x00", b"nul", b"{}}"],
    "msgpack": [b"", b"\xc1", b"\x82\xa4type", b"\x81\xa4type\xa5hel", b"\xdf\xff\xff\xff\xff"],
}


@codecs
def test_malformed_bytes_are_bad_frame(codec: Codec) -> None:
    name = "msgpack" if codec.binary else "json"
    for data in MALFORMED[name]:
        result = codec.decode_client(data)
        assert isinstance(result, Error), data
        assert result.code == ErrorCode.BAD_FRAME, data
        assert result.id is None
        assert result.message


# (label, plain frame, expected code, expected echoed id)
REFUSED: list[tuple[str, Any, ErrorCode, str | None]] = [
    ("list", [1, 2], ErrorCode.INVALID_FRAME, None),
    ("string", "hello", ErrorCode.INVALID_FRAME, None),
    ("number", 42, ErrorCode.INVALID_FRAME, None),
    ("null", None, ErrorCode.INVALID_FRAME, None),
    ("missing type", {"token": "t"}, ErrorCode.INVALID_FRAME, None),
    ("null type", {"type": None, "id": "m1"}, ErrorCode.INVALID_FRAME, "m1"),
    ("missing type, id", {"id": "m1", "kind": "offer"}, ErrorCode.INVALID_FRAME, "m1"),
    ("unknown type", {"type": "subscribe"}, ErrorCode.UNKNOWN_TYPE, None),
    ("server type", {"type": "welcome", "id": "m2"}, ErrorCode.UNKNOWN_TYPE, "m2"),
    ("event type", {"type": "event", "kind": "offer"}, ErrorCode.UNKNOWN_TYPE, None),
    ("numeric type", {"type": 7}, ErrorCode.UNKNOWN_TYPE, None),
    ("list type", {"type": ["move"], "id": "m3"}, ErrorCode.UNKNOWN_TYPE, "m3"),
    ("case type", {"type": "Hello", "token": "t"}, ErrorCode.UNKNOWN_TYPE, None),
    ("move no kind", {"type": "move", "id": "m4"}, ErrorCode.INVALID_FRAME, "m4"),
    ("unknown kind", {"type": "move", "id": "m5", "kind": "bribe"}, ErrorCode.INVALID_FRAME, "m5"),
    (
        "event kind",
        {"type": "move", "id": "m6", "kind": "agreement"},
        ErrorCode.INVALID_FRAME,
        "m6",
    ),
    ("hello no token", {"type": "hello"}, ErrorCode.INVALID_FRAME, None),
    ("hello empty token", {"type": "hello", "token": ""}, ErrorCode.INVALID_FRAME, None),
    ("hello int token", {"type": "hello", "token": 5}, ErrorCode.INVALID_FRAME, None),
    (
        "resume_after negative",
        {"type": "hello", "token": "t", "resume_after": -1},
        ErrorCode.INVALID_FRAME,
        None,
    ),
    (
        "resume_after string",
        {"type": "hello", "token": "t", "resume_after": "0"},
        ErrorCode.INVALID_FRAME,
        None,
    ),
    (
        "resume_after float",
        {"type": "hello", "token": "t", "resume_after": 1.5},
        ErrorCode.INVALID_FRAME,
        None,
    ),
    ("empty move id", {"type": "move", "id": "", "kind": "walk_away"}, ErrorCode.INVALID_FRAME, ""),
    ("empty ping id", {"type": "ping", "id": ""}, ErrorCode.INVALID_FRAME, ""),
    ("int ping id", {"type": "ping", "id": 5}, ErrorCode.INVALID_FRAME, None),
    ("long ping id", {"type": "ping", "id": "x" * 65}, ErrorCode.INVALID_FRAME, "x" * 65),
    ("server pong", {"type": "pong", "id": "p1"}, ErrorCode.UNKNOWN_TYPE, "p1"),
    ("missing move id", {"type": "move", "kind": "walk_away"}, ErrorCode.INVALID_FRAME, None),
    ("int move id", {"type": "move", "id": 5, "kind": "walk_away"}, ErrorCode.INVALID_FRAME, None),
    (
        "long move id",
        {"type": "move", "id": "x" * 65, "kind": "walk_away"},
        ErrorCode.INVALID_FRAME,
        "x" * 65,
    ),
    (
        "offer no terms",
        {"type": "move", "id": "m7", "kind": "offer"},
        ErrorCode.INVALID_FRAME,
        "m7",
    ),
    (
        "terms a list",
        {"type": "move", "id": "m8", "kind": "offer", "terms": [150]},
        ErrorCode.INVALID_FRAME,
        "m8",
    ),
    (
        "term a float",
        {"type": "move", "id": "m9", "kind": "concede", "terms": {"price": 1.5}},
        ErrorCode.INVALID_FRAME,
        "m9",
    ),
    (
        "term a bool",
        {"type": "move", "id": "m10", "kind": "offer", "terms": {"price": True}},
        ErrorCode.INVALID_FRAME,
        "m10",
    ),
    (
        "term a list",
        {"type": "move", "id": "m11", "kind": "offer", "terms": {"price": [1]}},
        ErrorCode.INVALID_FRAME,
        "m11",
    ),
    (
        "accept offer string",
        {"type": "move", "id": "m12", "kind": "accept", "offer": "5"},
        ErrorCode.INVALID_FRAME,
        "m12",
    ),
    (
        "accept offer zero",
        {"type": "move", "id": "m13", "kind": "accept", "offer": 0},
        ErrorCode.INVALID_FRAME,
        "m13",
    ),
    (
        "reject no offer",
        {"type": "move", "id": "m14", "kind": "reject"},
        ErrorCode.INVALID_FRAME,
        "m14",
    ),
    (
        "reason an int",
        {"type": "move", "id": "m15", "kind": "walk_away", "reason": 3},
        ErrorCode.INVALID_FRAME,
        "m15",
    ),
    (
        "empty message",
        {"type": "move", "id": "m16", "kind": "message", "text": ""},
        ErrorCode.INVALID_FRAME,
        "m16",
    ),
    (
        "long message",
        {"type": "move", "id": "m17", "kind": "message", "text": "x" * 2001},
        ErrorCode.INVALID_FRAME,
        "m17",
    ),
    *(
        (
            f"intent {intent!r}",
            {"type": "move", "id": "m18", "kind": "message", "text": "Hi", "intent": intent},
            ErrorCode.INVALID_FRAME,
            "m18",
        )
        for intent in ("threat", "Question", "", "information", 1)
    ),
]


@codecs
@pytest.mark.parametrize(("label", "obj", "code", "echoed"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_frames_are_error_values(
    codec: Codec, label: str, obj: Any, code: ErrorCode, echoed: str | None
) -> None:
    result = codec.decode_client(raw(codec, obj))
    assert isinstance(result, Error), result
    assert result.code == code
    assert result.id == echoed
    assert result.message  # a human sentence beside the stable code


@codecs
def test_unknown_type_names_what_a_client_may_send(codec: Codec) -> None:
    result = codec.decode_client(raw(codec, {"type": "ack", "id": "m1", "seq": 1}))
    assert isinstance(result, Error)
    assert result.code == ErrorCode.UNKNOWN_TYPE
    assert "hello" in result.message
    assert "move" in result.message
    assert "ping" in result.message


@codecs
def test_decode_server_refuses_client_frames(codec: Codec) -> None:
    result = codec.decode_server(codec.encode(Hello(token="t")))
    assert isinstance(result, Error)
    assert result.code == ErrorCode.UNKNOWN_TYPE


@codecs
def test_decode_server_refusals(codec: Codec) -> None:
    bad_event = codec.decode_server(raw(codec, {"type": "event", "kind": "party", "seq": 1}))
    assert isinstance(bad_event, Error)
    assert bad_event.code == ErrorCode.INVALID_FRAME
    malformed = codec.decode_server(b"\xc1")
    assert isinstance(malformed, Error)
    assert malformed.code == ErrorCode.BAD_FRAME


@codecs
def test_unknown_fields_are_ignored(codec: Codec) -> None:
    """ "Fields may be added" (DESIGN.md): a newer client's extra field is not an error."""
    result = codec.decode_client(
        raw(codec, {"type": "move", "id": "m1", "kind": "accept", "offer": 3, "urgent": True})
    )
    assert result == Accept(id="m1", offer=3)


@codecs
def test_message_without_intent_and_with_each_intent(codec: Codec) -> None:
    plain = codec.decode_client(
        raw(codec, {"type": "move", "id": "a", "kind": "message", "text": "x"})
    )
    assert plain == SendMessage(id="a", text="x")
    for intent in ("question", "objection", "interest", "info"):
        frame = {"type": "move", "id": "a", "kind": "message", "text": "x", "intent": intent}
        decoded = codec.decode_client(raw(codec, frame))
        assert isinstance(decoded, SendMessage)
        assert decoded.intent == intent


# --- inputs that must be refused, not raised (known bugs) ------------------------------


@codecs
def test_invalid_utf8_in_a_string_field_is_refused(codec: Codec) -> None:
    if codec.binary:
        data = b"\x82\xa4type\xa5hello\xa5token\xa2\xff\xfe"  # {"type": "hello", "token": <bad>}
    else:
        data = b'{"type": "hello", "token": "\xff\xfe"}'
    result = codec.decode_client(data)
    assert isinstance(result, Error)
    assert result.code in FRAME_ERRORS


@codecs
def test_deeply_nested_frame_is_refused(codec: Codec) -> None:
    depth = 5_000
    if codec.binary:
        data = b"\x82\xa4type\xa5hello\xa5extra" + b"\x91" * depth + b"\x90"
    else:
        data = b'{"type": "hello", "extra": ' + b"[" * depth + b"]" * depth + b"}"
    result = codec.decode_client(data)
    assert isinstance(result, Error)
    assert result.code in FRAME_ERRORS


def test_msgpack_codec_refuses_str_input() -> None:
    # JSON text on a MessagePack connection: its bytes are not a MessagePack map.
    result = MSGPACK.decode_client('{"type": "hello", "token": "t"}')
    assert isinstance(result, Error)
    assert result.code in FRAME_ERRORS


# --- codec_for -------------------------------------------------------------------------


def test_codec_for_picks_by_subprotocol() -> None:
    assert codec_for(SUBPROTOCOL_JSON) is JSON
    assert codec_for(SUBPROTOCOL_MSGPACK) is MSGPACK
    assert codec_for("dealroom.v1.json") is JSON
    assert codec_for("dealroom.v1.msgpack") is MSGPACK


@pytest.mark.parametrize("subprotocol", [None, "", "dealroom.v2.json", "msgpack", "chat"])
def test_codec_for_defaults_to_json(subprotocol: str | None) -> None:
    assert codec_for(subprotocol) is JSON


def test_codec_attributes() -> None:
    assert (JSON.subprotocol, JSON.binary) == ("dealroom.v1.json", False)
    assert (MSGPACK.subprotocol, MSGPACK.binary) == ("dealroom.v1.msgpack", True)


def test_events_and_moves_are_outside_the_cyclic_collector() -> None:
    """A server keeps every event of its live rooms: none may cost the collector a walk."""
    import gc

    for codec in (JSON, MSGPACK):
        for event in EVENTS:
            assert not gc.is_tracked(event), type(event).__name__
            decoded = codec.decode_server(codec.encode(event))
            assert not gc.is_tracked(decoded), type(event).__name__
        for move in MOVES:
            decoded = codec.decode_client(codec.encode(move))
            assert not gc.is_tracked(decoded), type(move).__name__
