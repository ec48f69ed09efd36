"""The nodes sharing one log: which are alive, and which node holds a lease.

Several nodes on one Redis must agree on a few things without a leader: which
node plays a facilitator-seated bot, for instance (exactly one at a time, and
another once that node is gone). The log already gives the one primitive that
needs (DESIGN.md principle 2): compare-and-set on a stream's next seq.

- **Alive.** Every node beats every :data:`BEAT_SECONDS`: it puts its id in
  the ``nodes`` index with the epoch milliseconds until which it counts as
  alive (now + :data:`TTL_MS`). A node that stops beating (SIGKILL, a lost
  machine) is dead :data:`TTL_MS` later; one that shuts down cleanly removes
  its entry at once.
- **Leases.** A lease is the stream ``lease:<name>``; its entries are node
  ids and the last one holds it. A node takes it by appending its id at the
  next seq, and only when the holder is not alive: of several nodes that try
  at once the compare-and-set lets exactly one win. Nothing is renewed: the
  holder's beat is the lease's life. Leases in use: each bot seat
  (server/web/bot_seats.py), each dead node's seat (``left:``), and the sweep
  of late deadlines (``deadlines``: server/rooms/deadlines.py).

Clocks: "alive until" is the beating node's clock, read by the others; a skew
between nodes shortens or lengthens :data:`TTL_MS` by that much, so keep them
synchronised (NTP) and the TTL well above any skew.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import msgspec

from .log import EventLog, IndexKey, SeqConflict

__all__ = ["BEAT_SECONDS", "TTL_MS", "Nodes"]

BEAT_SECONDS = 3.0
TTL_MS = 10_000
"""A node that has not beaten for this long is dead (three beats and some)."""
_INDEX = "nodes"
_LEASE = "lease:"


class Nodes:
    """This node's identity among the nodes of one log, its beat, and its leases."""

    def __init__(self, log: EventLog, clock: Callable[[], int], node_id: str | None = None) -> None:
        self.log = log
        self.clock = clock
        self.id = node_id or secrets.token_hex(6)

    async def beat(self) -> None:
        """Say this node is alive for another :data:`TTL_MS`."""
        until = self.clock() + TTL_MS
        await self.log.put_index({IndexKey(_INDEX, self.id): msgspec.msgpack.encode(until)})

    async def alive(self) -> set[str]:
        """The nodes alive now (this one included once it has beaten); drops long-dead entries."""
        now = self.clock()
        entries = await self.log.scan_index(_INDEX)
        alive = {node for node, until in entries if msgspec.msgpack.decode(until) > now}
        # A node dead ten times over is gone for good (a restart gets a new id).
        gone = [
            IndexKey(_INDEX, node)
            for node, until in entries
            if msgspec.msgpack.decode(until) < now - 10 * TTL_MS
        ]
        if gone:
            await self.log.remove_index(gone)
        return alive

    async def leave(self) -> None:
        """A clean shutdown: dead at once, so that others take this node's leases now."""
        await self.log.remove_index([IndexKey(_INDEX, self.id)])

    async def holder(self, lease: str) -> tuple[str | None, int]:
        """Who holds ``lease`` (None: nobody yet), and how many takes it has seen."""
        entries = await self.log.read(_LEASE + lease)
        return (entries[-1][1].decode() if entries else None), len(entries)

    async def take(self, lease: str, alive: set[str], force: bool = False) -> bool:
        """Hold ``lease`` if this node holds it already, nobody alive does, or ``force``.

        Returns whether this node holds it now.
        """
        holder, takes = await self.holder(lease)
        if holder == self.id:
            return True
        if holder in alive and not force:
            return False
        try:
            await self.log.append(_LEASE + lease, takes + 1, [self.id.encode()])
        except SeqConflict:  # another node took it at the same moment
            holder, _ = await self.holder(lease)
            return holder == self.id
        return True
