"""One example of every protocol v1 frame, shared by the protocol tests.

Every client frame (``hello``, each move kind and ``ping``) and every server frame
(``welcome``, ``ack``, ``error``, ``pong`` and each event kind) appears at least once;
``test_codec.py`` checks that the lists really cover every class.
"""

from __future__ import annotations

import json
from typing import Any

import msgpack  # type: ignore[import-untyped]
import msgspec

from dealroom.protocol import (
    JSON,
    MSGPACK,
    Accept,
    Accepted,
    Ack,
    Agreement,
    Announcement,
    ApprovalDecided,
    ApprovalRequested,
    Codec,
    Concede,
    Created,
    Deadlock,
    Ended,
    Error,
    ErrorCode,
    Extended,
    Hello,
    Intent,
    Joined,
    Left,
    Message,
    Offer,
    OfferClass,
    Offered,
    Outcome,
    Paused,
    Ping,
    Pong,
    Reject,
    Rejected,
    Resumed,
    RoomView,
    SendMessage,
    Standing,
    Started,
    WalkAway,
    WalkedAway,
    Welcome,
)
from tests.support import T0, small_scenario, terms

SCENARIO = small_scenario()

HELLOS: list[Hello] = [
    Hello(token="seat-token-1"),
    Hello(token="seat-token-1", resume_after=12, name="Ann"),
    Hello(token="facilitator-token", room="r1"),
]

MOVES: list[msgspec.Struct] = [
    Offer(id="m1", terms=terms()),
    Concede(id="m2", terms=terms(price=140)),
    Accept(id="m3", offer=5),
    Reject(id="m4", offer=5, reason="Too expensive for us."),
    Reject(id="m5", offer=7),
    WalkAway(id="m6", reason="Our alternative is better."),
    WalkAway(id="m7"),
    SendMessage(id="m8", text="What warranty do you usually give?", intent=Intent.QUESTION),
    SendMessage(id="m9", text="That is above our budget.", intent=Intent.OBJECTION),
    SendMessage(id="m10", text="Delivery speed matters most to us.", intent=Intent.INTEREST),
    SendMessage(id="m11", text="We ship from Rotterdam.", intent=Intent.INFO),
    SendMessage(id="m12", text="Hello!"),
]

PINGS: list[Ping] = [Ping(), Ping(id="p1"), Ping(id="x" * 64)]

CLIENT_FRAMES: list[msgspec.Struct] = [*HELLOS, *MOVES, *PINGS]

ROOM_VIEW = RoomView(
    phase="running",
    seq=7,
    deadline=T0 + 600_000,
    remaining_ms=None,
    turn="seller",
    joined=("buyer", "seller"),
    standing={
        "buyer": Standing(seq=5, terms=terms(), offer_class=OfferClass.OPENING),
        "seller": Standing(seq=6, terms=terms(price=190), offer_class=OfferClass.OPENING),
    },
    offers=2,
    deadlocks=0,
    outcome=None,
    agreement=None,
)

ENDED_VIEW = RoomView(
    phase="ended",
    seq=9,
    deadline=None,
    remaining_ms=None,
    turn=None,
    joined=("buyer", "seller"),
    standing={},
    offers=3,
    deadlocks=1,
    outcome=Outcome.AGREED,
    agreement=terms(),
)

WELCOMES: list[Welcome] = [
    Welcome(
        protocol=1,
        room="r1",
        role="buyer",
        seq=7,
        state=ROOM_VIEW,
        scenario=SCENARIO.public(),
        brief=SCENARIO.brief("buyer"),
        server_time=T0 + 1234,
    ),
    Welcome(
        protocol=1,
        room="r1",
        role="observer",
        seq=9,
        state=ENDED_VIEW,
        scenario=SCENARIO.public(),
    ),
    Welcome(
        protocol=1,
        room="r1",
        role="facilitator",
        seq=7,
        state=ROOM_VIEW,
        scenario=SCENARIO.public(),
        full_scenario=SCENARIO,
    ),
]

REPLIES: list[msgspec.Struct] = [
    Ack(id="m1", seq=8),
    Ack(id="m1", seq=8, duplicate=True),
    Error(id="m2", code=ErrorCode.NOT_A_CONCESSION, message="That offer asks for more."),
    Error(id=None, code=ErrorCode.BAD_FRAME, message="JSON is malformed."),
]

EVENTS: list[msgspec.Struct] = [
    Created(
        seq=1,
        at=T0,
        by="facilitator",
        room="r1",
        scenario=SCENARIO,
        workshop="w1",
        label="Table 1",
    ),
    Created(seq=1, at=T0, by="facilitator", room="r2", scenario=SCENARIO),
    Joined(seq=2, at=T0 + 1, by="buyer", name="Ann", lang="es"),
    Joined(seq=3, at=T0 + 2, by="seller"),
    Left(seq=4, at=T0 + 3, by="seller"),
    Started(seq=5, at=T0 + 4, by="system", deadline=T0 + 600_004),
    Started(seq=5, at=T0 + 4, by="system", deadline=None),
    *(
        Offered(
            seq=6 + i,
            at=T0 + 10 + i,
            by="buyer",
            move=f"o{i}",
            terms=terms(price=150 - 10 * i),
            offer_class=offer_class,
            concede=offer_class is OfferClass.CONCESSION,
        )
        for i, offer_class in enumerate(OfferClass)
    ),
    Accepted(seq=20, at=T0 + 20, by="seller", move="m3", offer=6),
    Rejected(seq=21, at=T0 + 21, by="seller", move="m4", offer=6, reason="Too low."),
    Rejected(seq=22, at=T0 + 22, by="buyer", move="m5", offer=7),
    *(
        Message(seq=23, at=T0 + 23, by="buyer", text=f"a {intent}", move="m8", intent=intent)
        for intent in Intent
    ),
    Message(seq=24, at=T0 + 24, by="facilitator", text="Psst: ask about delivery.", to="buyer"),
    Message(seq=25, at=T0 + 25, by="seller", text="Plain words.", move="m9"),
    WalkedAway(seq=26, at=T0 + 26, by="seller", move="m6", reason="Better elsewhere."),
    WalkedAway(seq=26, at=T0 + 26, by="buyer", move="m7"),
    Deadlock(seq=27, at=T0 + 27, by="system", offers=3),
    Agreement(
        seq=28, at=T0 + 28, by="system", offer=6, terms=terms(), proposer="buyer", acceptor="seller"
    ),
    Paused(seq=29, at=T0 + 29, by="facilitator", remaining_ms=300_000),
    Paused(seq=29, at=T0 + 29, by="facilitator", remaining_ms=None),
    Resumed(seq=30, at=T0 + 30, by="facilitator", deadline=T0 + 330_030),
    Extended(seq=31, at=T0 + 31, by="facilitator", seconds=120, deadline=T0 + 1, remaining_ms=None),
    Extended(seq=31, at=T0 + 31, by="facilitator", seconds=60, deadline=None, remaining_ms=90_000),
    Announcement(seq=32, at=T0 + 32, by="facilitator", text="Five minutes left."),
    ApprovalRequested(
        seq=34, at=T0 + 34, by="buyer", move="m10", action="offer", terms=terms(), issues=("price",)
    ),
    ApprovalRequested(
        seq=35,
        at=T0 + 35,
        by="buyer",
        move="m11",
        action="accept",
        terms=terms(),
        issues=("price", "warranty"),
        offer=7,
    ),
    ApprovalDecided(seq=36, at=T0 + 36, by="facilitator", request=34, role="buyer", approved=False),
    ApprovalDecided(
        seq=37,
        at=T0 + 37,
        by="facilitator",
        request=35,
        role="buyer",
        approved=True,
        applied=False,
        reason="Offer 7 is not the seller's standing offer (that is 9).",
        note="OK from the CFO.",
    ),
    *(Ended(seq=33, at=T0 + 33, by="system", outcome=outcome) for outcome in Outcome),
]

PONGS: list[Pong] = [
    Pong(id=None, seq=0, server_time=T0),
    Pong(id="p1", seq=7, server_time=T0 + 5_000),
]

SERVER_FRAMES: list[msgspec.Struct] = [*WELCOMES, *REPLIES, *PONGS, *EVENTS]

CODECS = [JSON, MSGPACK]
CODEC_IDS = ["json", "msgpack"]


def frame_id(frame: object) -> str:
    """A readable pytest id for a sample frame."""
    tag = type(frame).__struct_config__.tag  # type: ignore[attr-defined]
    return f"{type(frame).__name__}:{tag}"


def raw(codec: Codec, obj: Any) -> bytes:
    """``obj`` (plain data) encoded the way a third-party client would, for ``codec``."""
    if codec is MSGPACK:
        return msgpack.packb(obj)  # type: ignore[no-any-return]
    return json.dumps(obj).encode()


def wire(frame: msgspec.Struct) -> dict[str, Any]:
    """The frame as a JSON client sees it: a plain dict with the wire field names."""
    decoded = json.loads(JSON.encode(frame))
    assert isinstance(decoded, dict)
    return decoded
