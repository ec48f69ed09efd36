"""Workshops: a facilitator's group of rooms on one scenario.

A workshop's log stream holds one entry, its creation record; its rooms are
the rooms whose ``created`` event names it, so the rooms' own logs stay the
only truth about them.
"""

from __future__ import annotations

import secrets

import msgspec

from ..log import EventLog, SeqConflict

__all__ = ["Workshop", "Workshops"]


class Workshop(msgspec.Struct, frozen=True, kw_only=True):
    """A workshop's creation record."""

    id: str
    title: str
    scenario: str
    created_at: int


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(Workshop).decode


class Workshops:
    """Workshops by id, persisted in the event log."""

    def __init__(self, log: EventLog) -> None:
        self._log = log
        self.by_id: dict[str, Workshop] = {}

    async def start(self) -> None:
        """Load every workshop from the log."""
        for stream in await self._log.streams("workshop:"):
            entries = await self._log.read(stream)
            if entries:
                workshop = _decode(entries[0][1])
                self.by_id[workshop.id] = workshop

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
            return workshop
