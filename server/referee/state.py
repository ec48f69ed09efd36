"""A room's state: what folding its log so far has established.

Only :func:`~.fold.fold` changes a :class:`RoomState`; :func:`~.rules.decide`
reads it. The state is mutable for speed (folding must not copy the move-id
index on every event) but nothing outside ``fold`` writes to it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import msgspec

from dealroom.protocol import OfferClass, Outcome, Role, Scenario, Terms

from .domain import Domain

__all__ = ["PendingApproval", "Phase", "RoomState", "StandingOffer", "counterpart"]


class Phase(enum.StrEnum):
    """Where a room is in its life."""

    WAITING = "waiting"
    """Created; waiting for both seats to join (a held room: then for the facilitator's start)."""
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"


class StandingOffer(msgspec.Struct, frozen=True, gc=False):
    """A role's current offer on the table."""

    seq: int
    terms: Terms
    offer_class: OfferClass


class PendingApproval(msgspec.Struct, frozen=True, gc=False):
    """A move past a role's authority, waiting for the facilitator's sign-off."""

    seq: int
    """The seq of its ``approval_requested`` event."""
    move: str
    action: str
    terms: Terms
    offer: int | None
    issues: tuple[str, ...]
    """The issues past the limits, as the request recorded them."""


def counterpart(role: Role) -> Role:
    """The other side of the table."""
    return "seller" if role == "buyer" else "buyer"


@dataclass(slots=True)
class RoomState:
    """Everything the referee needs to judge the next command."""

    room: str
    scenario: Scenario
    domain: Domain = field(compare=False, repr=False)
    """The scenario's issues compiled for judging offers (derived from ``scenario``)."""
    workshop: str | None
    label: str
    created_at: int
    held: bool = False
    """The room starts on the facilitator's :class:`~.commands.Start`, not when both seats join."""
    seq: int = 1
    phase: Phase = Phase.WAITING
    duration_ms: int | None = None
    """Time from start to expiry while waiting (extensions add to it)."""
    deadline: int | None = None
    """Epoch ms of expiry while running; None when paused or without a deadline."""
    remaining_ms: int | None = None
    """Time left, kept while paused."""
    joined: set[Role] = field(default_factory=set)
    """Roles that have joined at least once (the room starts when both have)."""
    present: set[Role] = field(default_factory=set)
    """Roles whose last joined/left event was joined."""
    turn: Role | None = None
    standing: dict[Role, StandingOffer] = field(default_factory=dict)
    previous_terms: dict[Role, Terms] = field(default_factory=dict)
    """Each role's latest offer, standing or rejected: what the next one is classified against."""
    offers: int = 0
    since_concession: int = 0
    """Offers in a row, by either side, with no concession among them."""
    deadlock_armed: bool = True
    """A deadlock is recorded once, then re-armed by the next concession."""
    deadlocks: int = 0
    outcome: Outcome | None = None
    agreement: Terms | None = None
    pending: dict[Role, PendingApproval] = field(default_factory=dict)
    """Each role's move waiting for sign-off (a newer move of that role replaces it)."""
    moves: dict[Role, dict[str, int]] = field(default_factory=lambda: {"buyer": {}, "seller": {}})
    """Per role, move id -> seq of the event the move produced: idempotent retries. (Not
    keyed by (role, id) tuples: a tuple per move would be one more object for the cyclic
    garbage collector to walk, where these dicts of strings and ints are not walked.)"""
    message_chars: dict[Role, int] = field(default_factory=dict)
    """Characters of message text each role has sent: bounded per room (principle 7)."""
