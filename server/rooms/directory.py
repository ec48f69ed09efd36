"""The room directory: which rooms are live, and each workshop's rooms, kept in the log's indexes.

Start-up reads the live rooms from here instead of every room stream ever
written, and a workshop lists its rooms without loading them (DESIGN.md
principle 7: memory and start-up time grow with the rooms that are live, not
with history). The rooms' own streams stay the truth; the directory only
says where to look, and is ordered so that a crash can leave it stale but
never blind to a live room:

- a room's entries are put *before* its ``created`` event is appended (a
  crash in between leaves an entry for a room that does not exist: start-up
  finds no events and drops it);
- its live entry is removed only *after* its ``ended`` event is durable (a
  crash in between leaves a live entry for an ended room: start-up loads it,
  sees it ended, drops the entry).

Start-up drops an entry without a stream only once it is older than a grace
period: with several nodes sharing one log (issue 12), another node may be
between the two writes of a room it is creating.

A data dir written before the directory existed is indexed once, from its
streams, on its first start (:func:`build`); a marker entry records that.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

import msgspec

from dealroom.protocol import Created, Ended, Event

from ..log import EventLog, IndexKey, LogUnavailable

__all__ = [
    "BUILT",
    "LIVE",
    "LiveRef",
    "RoomRef",
    "build",
    "built",
    "entries",
    "forget",
    "forget_in_workshop",
    "live",
    "record_created",
    "record_ended",
    "rooms_of",
    "workshop_index",
]

LIVE = "rooms:live"
"""Rooms that have not ended: key the room id, value its :class:`LiveRef`."""
BUILT = IndexKey("meta", "rooms-directory")
"""Present once the directory is complete (written from the start, or built once)."""
_BATCH = 500
_READ_AHEAD = 32


def workshop_index(workshop_id: str) -> str:
    """The index of one workshop's rooms: key the room id, value its :class:`RoomRef`."""
    return f"rooms:workshop:{workshop_id}"


class RoomRef(msgspec.Struct, frozen=True, array_like=True):
    """What a workshop's listing needs to order and name a room without loading it."""

    created_at: int
    label: str
    order: int = 0
    """Its place among rooms created in the same call (and so, often, the same millisecond)."""


class LiveRef(msgspec.Struct, frozen=True, array_like=True):
    """A live room's entry: enough to clean up after a crash without its stream."""

    workshop: str | None
    created_at: int


_encode = msgspec.msgpack.Encoder().encode
_decode_ref = msgspec.msgpack.Decoder(RoomRef).decode
_decode_live = msgspec.msgpack.Decoder(LiveRef).decode


def entries(created: Created, *, live: bool, order: int = 0) -> dict[IndexKey, bytes]:
    """The directory's entries for the room that ``created`` opens (its live one if ``live``)."""
    found: dict[IndexKey, bytes] = {}
    if live:
        found[IndexKey(LIVE, created.room)] = _encode(LiveRef(created.workshop, created.at))
    if created.workshop is not None:
        ref = RoomRef(created.at, created.label, order)
        found[IndexKey(workshop_index(created.workshop), created.room)] = _encode(ref)
    return found


async def record_created(log: EventLog, created: Created) -> None:
    """Enter a new room as live (and in its workshop); call before appending ``created``."""
    await log.put_index(entries(created, live=True))


async def record_ended(log: EventLog, room_id: str, others: Iterable[IndexKey] = ()) -> None:
    """The room is no longer live; call once its ``ended`` event is durable.

    ``others``: entries that lasted only while the room was live, removed with it.
    """
    await log.remove_index([IndexKey(LIVE, room_id), *others])


async def forget(log: EventLog, room_id: str, workshop: str | None) -> None:
    """Drop every entry of a room whose ``created`` never landed (a crash between the two)."""
    keys = [IndexKey(LIVE, room_id)]
    if workshop:
        keys.append(IndexKey(workshop_index(workshop), room_id))
    await log.remove_index(keys)


async def forget_in_workshop(log: EventLog, room_id: str, workshop: str) -> None:
    """Drop a room from one workshop's listing (an id that turned out to be another's)."""
    await log.remove_index([IndexKey(workshop_index(workshop), room_id)])


async def live(log: EventLog) -> list[tuple[str, LiveRef]]:
    """The rooms the directory holds as live, by id."""
    return [(room_id, _decode_live(value)) for room_id, value in await log.scan_index(LIVE)]


async def rooms_of(log: EventLog, workshop_id: str) -> list[tuple[str, RoomRef]]:
    """The workshop's rooms as (room id, ref), oldest first."""
    rows = [
        (room_id, _decode_ref(raw))
        for room_id, raw in await log.scan_index(workshop_index(workshop_id))
    ]
    rows.sort(key=lambda row: (row[1].created_at, row[1].order, row[0]))
    return rows


async def built(log: EventLog) -> bool:
    """Whether this log's directory is complete (written by this code from the start, or built)."""
    return any(key == BUILT.key for key, _ in await log.scan_index(BUILT.name))


async def build(log: EventLog, decode: Callable[[bytes], Event]) -> int:
    """Index every room stream of a data dir written before the directory existed; answers how many.

    Reads a few rooms at a time (memory stays flat however long the history);
    idempotent, so a start interrupted half-way builds again from the start.
    A room stream that does not decode is damage: :class:`LogUnavailable`,
    which refuses the start with the stream's name.
    """
    pending: dict[IndexKey, bytes] = {}
    count = 0
    streams = await log.streams("room:")
    for start in range(0, len(streams), _READ_AHEAD):
        chunk = streams[start : start + _READ_AHEAD]
        # A few reads in flight keep the backend busy instead of waiting on each reply.
        for stream, events in zip(chunk, await asyncio.gather(*map(log.read, chunk)), strict=True):
            if not events:
                continue
            try:
                created, last = decode(events[0][1]), decode(events[-1][1])
            except msgspec.DecodeError as exc:  # damage SQLite's own checks did not see
                raise LogUnavailable(
                    f"{stream} holds an entry that is not an event: {exc}"
                ) from None
            if not isinstance(created, Created):
                raise LogUnavailable(f"{stream} does not start with `created`")
            ended = isinstance(last, Ended)  # nothing follows `ended`
            pending.update(entries(created, live=not ended))
            count += 1
        if len(pending) >= _BATCH:
            await log.put_index(pending)
            pending = {}
    pending[BUILT] = b""  # last: only a complete directory is marked built
    await log.put_index(pending)
    return count
