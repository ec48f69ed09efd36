"""Workshops: a facilitator's group of rooms on one scenario.

A workshop's log stream holds its creation record, then one record per seat
handed out through the workshop's open link; its rooms are the rooms whose
``created`` event names it, so the rooms' own logs stay the only truth about
them.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Literal

import msgspec

from ..log import EventLog, SeqConflict

__all__ = ["SeatAssigned", "Workshop", "Workshops"]


class Workshop(msgspec.Struct, frozen=True, kw_only=True):
    """A workshop's creation record."""

    id: str
    title: str
    scenario: str
    created_at: int


class SeatAssigned(msgspec.Struct, frozen=True, kw_only=True):
    """A seat handed to an arrival on the open link."""

    room: str
    role: Literal["buyer", "seller"]
    at: int


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(Workshop).decode
_decode_seat = msgspec.msgpack.Decoder(SeatAssigned).decode


class Workshops:
    """Workshops by id, persisted in the event log."""

    def __init__(self, log: EventLog) -> None:
        self._log = log
        self.by_id: dict[str, Workshop] = {}
        self.seats: dict[str, list[SeatAssigned]] = {}
        """Per workshop, the seats handed out through its open link, in order."""
        self._locks: dict[str, asyncio.Lock] = {}

    async def start(self) -> None:
        """Load every workshop (and its handed-out seats) from the log."""
        for stream in await self._log.streams("workshop:"):
            entries = await self._log.read(stream)
            if entries:
                workshop = _decode(entries[0][1])
                self.by_id[workshop.id] = workshop
                self.seats[workshop.id] = [_decode_seat(entry) for _, entry in entries[1:]]

    async def assign(
        self, workshop_id: str, new_room: Callable[[], Awaitable[str]], now: int
    ) -> SeatAssigned:
        """The next seat for an arrival on the open link: pairs arrivals into rooms.

        The second arrival of a pair takes the other role in the first one's
        room; a new pair gets a new room, and which role it starts with
        alternates, so buyers and sellers stay balanced with an odd count.
        """
        async with self._locks.setdefault(workshop_id, asyncio.Lock()):
            seats = self.seats.setdefault(workshop_id, [])
            if len(seats) % 2 == 1:
                first = seats[-1]
                seat = SeatAssigned(
                    room=first.room, role="seller" if first.role == "buyer" else "buyer", at=now
                )
            else:
                role: Literal["buyer", "seller"] = "buyer" if len(seats) % 4 == 0 else "seller"
                seat = SeatAssigned(room=await new_room(), role=role, at=now)
            await self._log.append(f"workshop:{workshop_id}", len(seats) + 2, [_encode(seat)])
            seats.append(seat)
            return seat

    async def create(self, title: str, scenario: str, now: int) -> Workshop:
        """Record a new workshop."""
        while True:
            workshop = Workshop(
                id="w" + secrets.token_hex(4), title=title, scenario=scenario, created_at=now
            )
            try:
                await self._log.append(f"workshop:{workshop.id}", 1, [_encode(workshop)])
            except SeqConflict:
                continue
            self.by_id[workshop.id] = workshop
            self.seats[workshop.id] = []
            return workshop
