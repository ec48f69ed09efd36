"""The deadlines index: when each running room expires, so that any node can fire it.

On one node the room service holds every live room and arms each deadline
itself. Several nodes on a shared store each hold only the rooms someone
asked them for, so a room whose only node dies would wait, unexpired, until
a client asked another node for it. Instead (DESIGN.md principle 4, "clocks
fire as compare-and-set appends"):

- The index ``rooms:deadlines`` maps a running room's id to its deadline
  (epoch ms). The node that appends an event that moves the deadline keeps it
  current: ``started``, ``resumed`` and ``extended`` set it, ``paused`` and
  ``ended`` remove it. Only on a shared store: on SQLite nothing is written.
- An entry may be *earlier* than the truth, never later or missing while
  the room runs: a clock that starts (``started``, ``resumed``) is indexed
  *before* its append; a deadline that moves later (``extended``) keeps its
  earlier entry until the append is durable; an entry is removed only
  *after* the append that stops the clock. A crash in between leaves an
  early or stale entry, which the sweep corrects (a paused or ended room's
  entry goes, an early one is set right).
- Every beat, the node that holds the lease ``deadlines`` (server/nodes.py:
  one node at a time, another once it dies) reads the index and, for each
  room due more than :data:`GRACE_MS` ago, loads the room (or catches up its
  copy) and submits the clock's tick. The tick is an append at the expected
  seq, so it ends the room once however many nodes fire it; the grace lets
  the room's own nodes, whose timers fire on time, go first.

A room thus expires within :data:`GRACE_MS` plus a beat of its deadline
whatever node held it, or, when the sweeping node itself dies, once its
lease moves (``TTL_MS`` plus a beat after its last beat).

Two nodes moving one room's deadline at the same instant (a pause on one,
a resume on the other) can leave the entry missing while the room runs; the
room's own nodes still fire it, but if they die too, nothing does until the
room is next used or a node restarts. Such a pair of facilitator actions
within one round trip is rare, and costs a late expiry, never a double one.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from dealroom.protocol import Ended, Event, Extended, Paused, Resumed, Started

from ..log import EventLog, IndexKey

__all__ = ["GRACE_MS", "INDEX", "LEASE", "due", "encode", "forget", "key", "planned", "record"]

INDEX = "rooms:deadlines"
LEASE = "deadlines"
GRACE_MS = 1000
"""How late a deadline must be before the sweep fires it instead of the room's own nodes."""

encode = msgspec.msgpack.Encoder().encode
"""An entry's value: the deadline in epoch ms."""
_decode = msgspec.msgpack.Decoder(int).decode


def key(room_id: str) -> IndexKey:
    """The room's entry in the index."""
    return IndexKey(INDEX, room_id)


def planned(deadline: int | None, events: Iterable[Event]) -> int | None:
    """The room's deadline once ``events`` are folded onto a room whose deadline is ``deadline``.

    The same cases as the fold's (server/referee/fold.py): an extension while
    waiting or paused carries no deadline and leaves it as it is (none).
    """
    for event in events:
        if isinstance(event, Started | Resumed):
            deadline = event.deadline
        elif isinstance(event, Extended):
            if event.deadline is not None:
                deadline = event.deadline
        elif isinstance(event, Paused | Ended):
            deadline = None
    return deadline


async def record(log: EventLog, room_id: str, deadline: int | None) -> None:
    """Set the room's entry to ``deadline``, or remove it if None."""
    if deadline is None:
        await forget(log, room_id)
    else:
        await log.put_index({key(room_id): encode(deadline)})


async def forget(log: EventLog, room_id: str) -> None:
    """Remove the room's entry (its clock stopped, or it ended)."""
    await log.remove_index([key(room_id)])


async def due(log: EventLog, now: int) -> list[tuple[str, int]]:
    """The rooms whose deadline passed more than :data:`GRACE_MS` before ``now``, soonest first."""
    late = [(room_id, _decode(raw)) for room_id, raw in await log.scan_index(INDEX)]
    return sorted(
        ((room_id, deadline) for room_id, deadline in late if deadline <= now - GRACE_MS),
        key=lambda entry: entry[1],
    )
