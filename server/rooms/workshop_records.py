"""The records of a workshop's log stream: each kind, and how one is read back.

A workshop's stream (:mod:`.workshops`) starts with its creation record,
:class:`Workshop`; every later record says one thing that happened to the
workshop itself. The records are a tagged union (``record`` names the kind), so
a new kind is added without touching the others. Logs written before the tag
existed hold an untagged :class:`Workshop` first and untagged
:class:`SeatAssigned` records after it; :func:`decode` reads them by position,
so existing data dirs keep loading.
"""

from __future__ import annotations

import enum
from typing import Literal

import msgspec

__all__ = [
    "DEFAULT_CAPACITY",
    "Archived",
    "CapacityChanged",
    "CodeAssigned",
    "DebriefRevealed",
    "LabelsChanged",
    "ProjectorRecord",
    "Record",
    "Renamed",
    "RevealStep",
    "Role",
    "RoundEnded",
    "RoundExtended",
    "RoundStarted",
    "SeatAssigned",
    "SpotlightChanged",
    "Start",
    "Unarchived",
    "Workshop",
    "decode",
    "decode_record",
    "encode",
]

DEFAULT_CAPACITY = 60
"""Open-link seats of a workshop created without a capacity (and of every
workshop recorded before capacities existed): a large class."""

Role = Literal["buyer", "seller"]
Start = Literal["on_join", "together"]
"""When a workshop's rooms start: each once both its seats have joined (``on_join``), or
all together when the facilitator starts a round (``together``)."""


class _Record(msgspec.Struct, frozen=True, kw_only=True, tag_field="record"):
    """A record of a workshop's stream; ``record`` names its kind."""


class Workshop(_Record, frozen=True, tag="workshop"):
    """A workshop's creation record."""

    id: str
    title: str
    scenario: str
    created_at: int
    capacity: int = DEFAULT_CAPACITY
    """How many seats the open link may hand out; raised later by :class:`CapacityChanged`."""
    start: Start = "on_join"
    """``together``: its rooms are held for the facilitator's round (see the module docstring)."""
    code: str = ""
    """Its short join code (:mod:`.join_codes`); empty in a workshop made before codes
    existed, until a :class:`CodeAssigned` gives it one."""
    copied_from: str | None = None
    """The workshop this one duplicates (same scenario and settings), if it is a copy."""


class SeatAssigned(_Record, frozen=True, tag="seat"):
    """A seat handed to an arrival on the open link."""

    room: str
    role: Role
    at: int


class CapacityChanged(_Record, frozen=True, tag="capacity"):
    """The facilitator set the open link's capacity (seats)."""

    capacity: int
    at: int


class RevealStep(enum.IntEnum):
    """How much of the debrief the projector shows, step by step in front of the group:
    the deals first, then both walk-away lines, then what was possible."""

    COUNTS = 0
    """Before any reveal: counts only (nothing derived from private scoring)."""
    DEALS = 1
    """Each deal as a point: both sides' scores."""
    WALK_AWAY = 2
    """And both reservation values (walk-away lines)."""
    FRONTIER = 3
    """And the Pareto frontier, the Nash point and the money issue's spread."""


class DebriefRevealed(_Record, frozen=True, tag="revealed"):
    """The facilitator revealed the workshop's debrief on the projector (DESIGN.md principle 6)."""

    at: int
    step: RevealStep = RevealStep.FRONTIER
    """How far (a record from before the steps revealed everything at once)."""


class CodeAssigned(_Record, frozen=True, tag="code"):
    """A join code given to a workshop created before codes existed."""

    code: str
    at: int


class RoundStarted(_Record, frozen=True, tag="round"):
    """The facilitator started a round: its rooms run until ``deadline`` (epoch ms; None: no
    time limit)."""

    deadline: int | None
    at: int


class RoundExtended(_Record, frozen=True, tag="round_extended"):
    """The running round's deadline moved ``seconds`` later (its rooms were extended too)."""

    seconds: int
    at: int


class RoundEnded(_Record, frozen=True, tag="round_ended"):
    """The facilitator ended the running round (and its rooms)."""

    at: int


class Renamed(_Record, frozen=True, tag="renamed"):
    """The facilitator renamed the workshop: ``title`` is its title from now on."""

    title: str
    at: int


class Archived(_Record, frozen=True, tag="archived"):
    """The facilitator archived the workshop (none of its rooms live): put away, not deleted."""

    at: int


class Unarchived(_Record, frozen=True, tag="unarchived"):
    """The facilitator brought the archived workshop back: listed, and its open link open."""

    at: int


class SpotlightChanged(_Record, frozen=True, tag="spotlight"):
    """The facilitator put ``room`` on the workshop's projector (None: took it off);
    folded by :class:`.projector.ProjectorView`."""

    room: str | None
    at: int


class LabelsChanged(_Record, frozen=True, tag="labels"):
    """The facilitator showed (or hid) the room labels on the projector's scatter."""

    shown: bool
    at: int


ProjectorRecord = SpotlightChanged | LabelsChanged
"""What the facilitator puts on the projector besides the reveal (:mod:`.projector`)."""


Record = (
    Workshop
    | SeatAssigned
    | CapacityChanged
    | DebriefRevealed
    | CodeAssigned
    | RoundStarted
    | RoundExtended
    | RoundEnded
    | Renamed
    | Archived
    | Unarchived
    | ProjectorRecord
)


class _Tag(msgspec.Struct):
    record: str = ""


encode = msgspec.msgpack.Encoder().encode
"""A record's bytes in the log."""
decode_record = msgspec.msgpack.Decoder(Record).decode
"""A tagged record from its bytes (as the workshops' index holds creation records)."""
_decode_tag = msgspec.msgpack.Decoder(_Tag).decode
_decode_legacy_workshop = msgspec.msgpack.Decoder(Workshop).decode
_decode_legacy_seat = msgspec.msgpack.Decoder(SeatAssigned).decode


def decode(seq: int, raw: bytes) -> Record:
    """One record of a workshop stream; an untagged one is read by its position."""
    if _decode_tag(raw).record:
        return decode_record(raw)
    return _decode_legacy_workshop(raw) if seq == 1 else _decode_legacy_seat(raw)
