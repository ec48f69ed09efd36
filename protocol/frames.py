"""Frames that are not events: what clients send, and the server's replies.

Client to server: :class:`Hello` first, then :data:`Move` frames, and a
:class:`Ping` at any time. Server to client: :class:`Welcome` once, :class:`Ack`
or :class:`Error` per frame, a :class:`Pong` per ping, and events (see
:mod:`.events`). Moves are a union tagged on ``kind`` and carry the
constant ``"type": "move"``; see :mod:`.codec` for how a frame's ``type`` picks
its decoder.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from .codes import ErrorCode
from .events import Actor, Intent, OfferClass, Outcome
from .scenario import Brief, PublicScenario, Role, Scenario, Terms

__all__ = [
    "Accept",
    "Ack",
    "ClientFrame",
    "Concede",
    "Error",
    "Hello",
    "Move",
    "MoveBase",
    "Offer",
    "Ping",
    "Pong",
    "Reject",
    "RoomView",
    "SendMessage",
    "Standing",
    "WalkAway",
    "Welcome",
]

MoveId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Text = Annotated[str, msgspec.Meta(max_length=2000)]
Seq = Annotated[int, msgspec.Meta(ge=1)]


class Hello(msgspec.Struct, frozen=True, kw_only=True, tag="hello", tag_field="type", gc=False):
    """First frame on a connection: who you are and the last seq you hold."""

    token: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
    resume_after: Annotated[int, msgspec.Meta(ge=0)] = 0
    room: str | None = None
    """Which room to watch; required with the facilitator token."""
    name: Annotated[str, msgspec.Meta(max_length=80)] = ""
    """A display name for a participant (shown in ``joined``)."""
    lang: Annotated[str, msgspec.Meta(max_length=16)] = ""
    """The language the client shows (``nl``, ``id``, ``ms``, ``es``): the welcome's
    scenario and brief then carry the scenario's words in it, where it has them.
    ``"*"`` asks for every language the scenario has (a bot that will write in its
    counterpart's language, not known at ``hello``); ``joined.lang`` then says ``""``."""


class MoveBase(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", gc=False):
    """Fields every move carries. ``id`` is chosen by the client; a retried id
    is acknowledged again with its original seq, never applied twice."""

    type: Literal["move"] = "move"
    id: MoveId


class Offer(MoveBase, frozen=True, tag="offer"):
    """A complete package: a value for every issue."""

    terms: Terms


class Concede(MoveBase, frozen=True, tag="concede"):
    """An offer that must be a concession on the sender's previous offer."""

    terms: Terms


class Accept(MoveBase, frozen=True, tag="accept"):
    """Accept the counterpart's standing offer, named by its seq."""

    offer: Seq


class Reject(MoveBase, frozen=True, tag="reject"):
    """Reject the counterpart's standing offer, named by its seq."""

    offer: Seq
    reason: Text = ""


class WalkAway(MoveBase, frozen=True, tag="walk_away"):
    """Leave the table: the room ends with outcome ``walked_away``."""

    reason: Text = ""


class SendMessage(MoveBase, frozen=True, tag="message"):
    """A message to the room, with an optional intent."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    intent: Intent | None = None


Move = Offer | Concede | Accept | Reject | WalkAway | SendMessage


class Ping(msgspec.Struct, frozen=True, kw_only=True, tag="ping", tag_field="type", gc=False):
    """A heartbeat, allowed at any time (before ``hello`` too); answered with ``pong``.

    The pong leaves behind every frame the server had for the connection when
    it read the ping, so a client that receives it is caught up.
    """

    id: MoveId | None = None
    """Chosen by the client (1-64 characters, as a move id); echoed in the ``pong``."""


ClientFrame = Hello | Move | Ping


class Standing(msgspec.Struct, frozen=True, kw_only=True):
    """A role's standing offer."""

    seq: int
    terms: Terms
    offer_class: OfferClass = msgspec.field(name="class")


class RoomView(msgspec.Struct, frozen=True, kw_only=True):
    """The room state every seat may see, as of ``seq``."""

    phase: Literal["waiting", "running", "paused", "ended"]
    seq: int
    deadline: int | None
    """Epoch ms when the room expires, null if paused or without a deadline."""
    remaining_ms: int | None
    """Time left when paused; null while running (use ``deadline``)."""
    turn: Role | None
    """Whose offer is next when the scenario takes turns; null if free."""
    joined: tuple[Role, ...]
    standing: dict[Role, Standing]
    offers: int
    deadlocks: int
    outcome: Outcome | None
    agreement: Terms | None
    duration_ms: int | None = None
    """While waiting: how long the room will run once it starts (null: no deadline)."""


class Welcome(msgspec.Struct, frozen=True, kw_only=True, tag="welcome", tag_field="type"):
    """The answer to ``hello``; replayed events follow, then live ones."""

    protocol: int
    room: str
    role: Actor
    seq: int
    """The room's current seq: events up to it are replayed after this frame."""
    state: RoomView
    scenario: PublicScenario
    brief: Brief | None = None
    """The participant's private brief; null for observers and facilitators."""
    full_scenario: Scenario | None = None
    """The whole scenario, both briefs included; facilitators only."""
    server_time: int = 0


class Ack(msgspec.Struct, frozen=True, kw_only=True, tag="ack", tag_field="type", gc=False):
    """A move is durable: ``seq`` is the seq of the event it produced."""

    id: str
    seq: int
    duplicate: bool = False
    """True when ``id`` had already been applied (a retry)."""


class Error(msgspec.Struct, frozen=True, kw_only=True, tag="error", tag_field="type", gc=False):
    """A refused frame. ``id`` echoes the move id when there was one."""

    id: str | None
    code: ErrorCode
    message: str


class Pong(msgspec.Struct, frozen=True, kw_only=True, tag="pong", tag_field="type", gc=False):
    """The answer to ``ping``, sent after every frame queued for the connection before it."""

    id: str | None
    """The ping's ``id``; null when it had none."""
    seq: int
    """The room's current seq as this connection knows it; 0 before a successful ``hello``."""
    server_time: int
    """The server's clock (epoch ms) when the ping was answered."""
    seat_connections: int = 0
    """How many connections this seat has open on this node, this one included: more
    than 1 means the seat is also open in another tab or device. 0 for observers and
    facilitators, and before a successful ``hello``."""
