"""RoomService: the one place where commands become durable events.

For each command: decide (the pure referee), append (compare-and-set on the
expected next seq), fold, publish. A lost compare-and-set means another writer
got there first: catch up from the log and decide again (DESIGN.md principle
4). Commands to one room are serialised by the room's lock; commands to
different rooms proceed together, so their appends share commits.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable

import msgspec

from dealroom.protocol import MSGPACK, Created, Event, Role, Scenario

from ..log import EventLog, SeqConflict
from ..referee import (
    Applied,
    Command,
    Decision,
    Join,
    Leave,
    Tick,
    audience,
    can_see,
    decide,
    fold,
    replay,
)
from .fanout import publish
from .room import Room, Subscriber, stream_of

__all__ = ["RoomService", "now_ms"]

log = logging.getLogger(__name__)

_EVENT = MSGPACK  # the log stores events as their MessagePack frames
_decode_event: Callable[[bytes], Event] = msgspec.msgpack.Decoder(Event).decode
_CAS_RETRIES = 5
_REPLAY_UNDER_LOCK = 256
"""Events a resuming subscriber may still miss when it takes the room's lock."""
_REPLAY_ROUNDS = 8


def now_ms() -> int:
    """Wall-clock time in epoch milliseconds: the only clock the rooms read."""
    return time.time_ns() // 1_000_000


class RoomService:
    """Rooms on this node, backed by the event log."""

    def __init__(
        self, log_: EventLog, clock: Callable[[], int] = now_ms, presence_grace: float = 0.0
    ) -> None:
        self.log = log_
        self.clock = clock
        self.presence_grace = presence_grace
        """Seconds a seat may be gone before its ``left`` is recorded (see :meth:`depart`)."""
        self.rooms: dict[str, Room] = {}
        self._ticks: set[asyncio.Task[None]] = set()
        self.stopping = False

    async def start(self) -> None:
        """Restore every room from the log and re-arm the deadlines."""
        for stream in await self.log.streams("room:"):
            room = await self._load(stream.removeprefix("room:"))
            if room is not None:
                self.rooms[room.id] = room
                self._arm(room)
        log.info("restored %d rooms from the log", len(self.rooms))

    async def stop(self) -> None:
        """Stop the timers; the log is closed by its owner."""
        self.stopping = True
        for room in self.rooms.values():
            if room.timer is not None:
                room.timer.cancel()
            for leaving in room.leaving.values():
                leaving.cancel()
        for task in list(self._ticks):
            task.cancel()
        await asyncio.gather(*self._ticks, return_exceptions=True)

    async def _load(self, room_id: str) -> Room | None:
        entries = await self.log.read(stream_of(room_id))
        if not entries:
            return None
        events = [_decode_event(entry) for _, entry in entries]
        return Room(replay(events), events)

    async def room(self, room_id: str) -> Room | None:
        """The room with that id, loaded from the log if this node has not seen it."""
        room = self.rooms.get(room_id)
        if room is None:
            room = await self._load(room_id)
            if room is not None:
                room = self.rooms.setdefault(room_id, room)
                self._arm(room)
        return room

    async def create(
        self, scenario: Scenario, workshop: str | None = None, label: str = ""
    ) -> Room:
        """A new room running ``scenario``: its log starts with ``created``."""
        while True:
            room_id = secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")
            created = Created(
                seq=1,
                at=self.clock(),
                by="facilitator",
                room=room_id,
                scenario=scenario,
                workshop=workshop,
                label=label,
            )
            try:
                await self.log.append(stream_of(room_id), 1, [_EVENT.encode(created)])
            except SeqConflict:
                continue  # an id collision: draw another
            room = Room(replay([created]), [created])
            self.rooms[room_id] = room
            return room

    async def submit(self, room: Room, command: Command) -> Decision:
        """Judge ``command``; if allowed, make its events durable, fold and publish them."""
        async with room.lock:
            for _ in range(_CAS_RETRIES):
                if room.stale:
                    await self._catch_up(room)
                decision = decide(room.state, command)
                if not isinstance(decision, Applied) or not decision.events:
                    return decision
                frames = [_EVENT.encode(event) for event in decision.events]
                room.stale = True  # until we know whether the append landed
                try:
                    await self.log.append(room.stream, room.state.seq + 1, frames)
                except SeqConflict:
                    continue  # another writer appended first: catch up, decide again
                room.stale = False
                self._apply(room, decision.events, frames)
                return decision
            raise RuntimeError(f"room {room.id}: lost the compare-and-set {_CAS_RETRIES} times")

    def _apply(self, room: Room, events: tuple[Event, ...], frames: list[bytes]) -> None:
        before = room.state.deadline
        for event in events:
            fold(room.state, event)
        room.events.extend(events)
        publish(room.subscribers, events, frames)
        if room.state.deadline != before:
            self._arm(room)

    async def _catch_up(self, room: Room) -> None:
        """Fold whatever the log holds beyond this node's copy of the room."""
        entries = await self.log.read(room.stream, after=room.state.seq)
        events = tuple(_decode_event(entry) for _, entry in entries)
        self._apply(room, events, [entry for _, entry in entries])
        room.stale = False

    async def attach(
        self,
        room: Room,
        subscriber: Subscriber,
        resume_after: int,
        welcome: Callable[[Room], bytes],
    ) -> None:
        """Send ``welcome``, replay what the subscriber missed, then subscribe it.

        The subscriber sees every visible event once, in order, with no gap
        (DESIGN.md principle 5). The bulk of a replay goes out at the pace the
        client reads, outside the room's lock: a client resuming a long room on
        a slow link neither holds up the room's moves nor overflows its own send
        buffer. Only the last few events, and the subscription, happen under
        the lock, so nothing can be published in between.
        """
        async with room.lock:
            if room.stale:
                await self._catch_up(room)
            subscriber.deliver(welcome(room))
        sent = resume_after
        for _ in range(_REPLAY_ROUNDS):  # a busy room may grow while we replay: chase it
            if len(room.events) - sent <= _REPLAY_UNDER_LOCK:
                break
            sent = await self._replay(subscriber, room.events, sent, len(room.events))
        async with room.lock:
            if room.stale:
                await self._catch_up(room)
            codec, viewer = subscriber.codec, subscriber.viewer
            for event in room.events[sent:]:
                if can_see(viewer, audience(event)):
                    subscriber.deliver(codec.encode(event))
            room.subscribers.add(subscriber)

    @staticmethod
    async def _replay(subscriber: Subscriber, events: list[Event], start: int, end: int) -> int:
        """Send the visible events ``events[start:end]`` paced by the reader; answers ``end``.

        ``events`` only grows (a room's log is append-only), so a slice read
        without the lock is the log as it was.
        """
        codec, viewer = subscriber.codec, subscriber.viewer
        for event in events[start:end]:
            if can_see(viewer, audience(event)):
                await subscriber.send(codec.encode(event))
        return end

    def detach(self, room: Room, subscriber: Subscriber) -> None:
        """Stop delivering to ``subscriber``."""
        room.subscribers.discard(subscriber)

    async def arrive(self, room: Room, role: Role, name: str = "") -> None:
        """A seat's connection opened; the first one records ``joined``.

        Unless the seat is back within the grace period of its departure: then
        no ``left`` was recorded, and no ``joined`` is either.
        """
        room.presence[role] += 1
        if room.presence[role] == 1:
            leaving = room.leaving.pop(role, None)
            if leaving is not None:
                leaving.cancel()
                return
            await self.submit(room, Join(role=role, now=self.clock(), name=name))

    async def depart(self, room: Room, role: Role) -> None:
        """A seat's connection closed; the last one records ``left``, after a grace period.

        A phone that drops its Wi-Fi for a moment is not worth a ``left`` and a
        ``joined`` in the room's log, and a client reconnecting in a loop must
        not grow the log with them: the ``left`` is recorded only once the seat
        has stayed away ``presence_grace`` seconds. Not while the server shuts
        down: that is the server leaving, not the seat.
        """
        room.presence[role] -= 1
        if room.presence[role] > 0:
            return
        del room.presence[role]
        if self.stopping:
            return
        if self.presence_grace <= 0:
            await self.submit(room, Leave(role=role, now=self.clock()))
            return
        loop = asyncio.get_running_loop()
        room.leaving[role] = loop.call_later(self.presence_grace, self._left, room, role)

    def _left(self, room: Room, role: Role) -> None:
        room.leaving.pop(role, None)
        if room.presence[role] > 0 or self.stopping:
            return
        task = asyncio.create_task(self._record_left(room, role))
        self._ticks.add(task)
        task.add_done_callback(self._ticks.discard)

    async def _record_left(self, room: Room, role: Role) -> None:
        try:
            await self.submit(room, Leave(role=role, now=self.clock()))
        except Exception:  # the room may have ended meanwhile, or the log be closing
            log.debug("room %s: recording 'left' failed", room.id, exc_info=True)

    def _arm(self, room: Room) -> None:
        """(Re)schedule the room's deadline tick; the tick is a command like any other."""
        if room.timer is not None:
            room.timer.cancel()
            room.timer = None
        deadline = room.state.deadline
        if deadline is None or self.stopping:
            return
        loop = asyncio.get_running_loop()
        delay = max(0.0, (deadline - self.clock()) / 1000)
        room.timer = loop.call_at(loop.time() + delay, self._fire, room)

    def _fire(self, room: Room) -> None:
        room.timer = None
        task = asyncio.create_task(self._tick(room))
        self._ticks.add(task)
        task.add_done_callback(self._ticks.discard)

    async def _tick(self, room: Room) -> None:
        try:
            await self.submit(room, Tick(now=self.clock()))
        except Exception:
            log.exception("room %s: deadline tick failed; retrying in 1 s", room.id)
            if not self.stopping:
                room.timer = asyncio.get_running_loop().call_later(1.0, self._fire, room)
        else:
            # A tick that came early (clock skew) expires nothing: arm it again.
            if room.state.deadline is not None and room.timer is None:
                self._arm(room)
