"""Workshops: a facilitator's group of rooms on one scenario.

A workshop's log stream holds its creation record, then one record per thing
that happened to the workshop itself: a seat handed out through its open link,
its open-link capacity raised, its debrief revealed on the projector. Its rooms
are the rooms whose ``created`` event names it, so the rooms' own logs stay the
only truth about them.

The records are a tagged union (``record`` names the kind). Logs written
before the tag existed hold an untagged :class:`Workshop` first and untagged
:class:`SeatAssigned` records after it; they decode by position, so existing
data dirs keep loading.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

import msgspec

from ..log import EventLog, SeqConflict

__all__ = [
    "DEFAULT_CAPACITY",
    "MAX_CAPACITY",
    "CapacityChanged",
    "DebriefRevealed",
    "SeatAssigned",
    "Workshop",
    "WorkshopFull",
    "Workshops",
]

DEFAULT_CAPACITY = 60
"""Open-link seats of a workshop created without a capacity (and of every
workshop recorded before capacities existed): a large class."""
MAX_CAPACITY = 2000
"""The most seats one open link may hand out (1,000 rooms)."""

Role = Literal["buyer", "seller"]


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


class SeatAssigned(_Record, frozen=True, tag="seat"):
    """A seat handed to an arrival on the open link."""

    room: str
    role: Role
    at: int


class CapacityChanged(_Record, frozen=True, tag="capacity"):
    """The facilitator set the open link's capacity (seats)."""

    capacity: int
    at: int


class DebriefRevealed(_Record, frozen=True, tag="revealed"):
    """The facilitator revealed the workshop's debrief on the projector (DESIGN.md principle 6)."""

    at: int


Record = Workshop | SeatAssigned | CapacityChanged | DebriefRevealed


@dataclass(frozen=True, slots=True)
class WorkshopFull:
    """A refused arrival: the open link has handed out every seat of its capacity."""

    capacity: int
    code: str = "workshop_full"


class _Tag(msgspec.Struct):
    record: str = ""


_encode = msgspec.msgpack.Encoder().encode
_decode_tag = msgspec.msgpack.Decoder(_Tag).decode
_decode_record = msgspec.msgpack.Decoder(Record).decode
_decode_legacy_workshop = msgspec.msgpack.Decoder(Workshop).decode
_decode_legacy_seat = msgspec.msgpack.Decoder(SeatAssigned).decode


def _decode(seq: int, raw: bytes) -> Record:
    """One record of a workshop stream; an untagged one is read by its position."""
    if _decode_tag(raw).record:
        return _decode_record(raw)
    return _decode_legacy_workshop(raw) if seq == 1 else _decode_legacy_seat(raw)


class Workshops:
    """Workshops by id, persisted in the event log."""

    def __init__(self, log: EventLog) -> None:
        self._log = log
        self.by_id: dict[str, Workshop] = {}
        """Each workshop as it stands: its creation record with the current capacity."""
        self.seats: dict[str, list[SeatAssigned]] = {}
        """Per workshop, the seats handed out through its open link, in order."""
        self.revealed: dict[str, int] = {}
        """Per revealed workshop, when its debrief was revealed (ms since the epoch)."""
        self._seq: dict[str, int] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def start(self) -> None:
        """Load every workshop (its seats, capacity and reveal) from the log."""
        for stream in await self._log.streams("workshop:"):
            for seq, raw in await self._log.read(stream):
                self._fold(stream.removeprefix("workshop:"), seq, _decode(seq, raw))

    def _fold(self, workshop_id: str, seq: int, record: Record) -> None:
        self._seq[workshop_id] = seq
        match record:
            case Workshop():
                self.by_id[record.id] = record
                self.seats.setdefault(record.id, [])
            case SeatAssigned():
                self.seats[workshop_id].append(record)
            case CapacityChanged():
                workshop = self.by_id[workshop_id]
                self.by_id[workshop_id] = msgspec.structs.replace(
                    workshop, capacity=record.capacity
                )
            case DebriefRevealed():
                self.revealed.setdefault(workshop_id, record.at)

    async def _append(self, workshop_id: str, record: Record) -> bool:
        """Append ``record`` to the workshop's stream and fold it; False on losing a race.

        A lost compare-and-set means another writer appended first: its records
        are folded in, and the caller decides again on the new state.
        """
        stream = f"workshop:{workshop_id}"
        seq = self._seq[workshop_id] + 1
        try:
            await self._log.append(stream, seq, [_encode(record)])
        except SeqConflict:
            for at, raw in await self._log.read(stream, after=seq - 1):
                self._fold(workshop_id, at, _decode(at, raw))
            return False
        self._fold(workshop_id, seq, record)
        return True

    async def assign(
        self, workshop_id: str, new_room: Callable[[], Awaitable[str]], now: int
    ) -> SeatAssigned | WorkshopFull:
        """The next seat for an arrival on the open link: pairs arrivals into rooms.

        The second arrival of a pair takes the other role in the first one's
        room; a new pair gets a new room, and which role it starts with
        alternates, so buyers and sellers stay balanced with an odd count.
        Once the workshop's capacity is handed out the arrival is refused
        (principle 7: what one link can cost the server has a limit).
        """
        async with self._lock(workshop_id):
            while True:
                seats, capacity = self.seats[workshop_id], self.by_id[workshop_id].capacity
                if len(seats) >= capacity:
                    return WorkshopFull(capacity)
                if len(seats) % 2 == 1:
                    first = seats[-1]
                    role: Role = "seller" if first.role == "buyer" else "buyer"
                    seat = SeatAssigned(room=first.room, role=role, at=now)
                else:
                    role = "buyer" if len(seats) % 4 == 0 else "seller"
                    seat = SeatAssigned(room=await new_room(), role=role, at=now)
                if await self._append(workshop_id, seat):
                    return seat

    async def set_capacity(self, workshop_id: str, capacity: int, now: int) -> Workshop:
        """Record a new open-link capacity (seats) for the workshop; answers the workshop."""
        async with self._lock(workshop_id):
            while not await self._append(workshop_id, CapacityChanged(capacity=capacity, at=now)):
                pass
            return self.by_id[workshop_id]

    async def reveal(self, workshop_id: str, now: int) -> int:
        """Reveal the workshop's debrief on its projector; answers when it was revealed.

        Revealing twice changes nothing: the first reveal's time stands.
        """
        async with self._lock(workshop_id):
            while workshop_id not in self.revealed:
                await self._append(workshop_id, DebriefRevealed(at=now))
            return self.revealed[workshop_id]

    def _lock(self, workshop_id: str) -> asyncio.Lock:
        return self._locks.setdefault(workshop_id, asyncio.Lock())

    async def create(
        self, title: str, scenario: str, now: int, capacity: int = DEFAULT_CAPACITY
    ) -> Workshop:
        """Record a new workshop."""
        while True:
            workshop = Workshop(
                id="w" + secrets.token_hex(4),
                title=title,
                scenario=scenario,
                created_at=now,
                capacity=capacity,
            )
            try:
                await self._log.append(f"workshop:{workshop.id}", 1, [_encode(workshop)])
            except SeqConflict:
                continue
            self._fold(workshop.id, 1, workshop)
            return workshop
