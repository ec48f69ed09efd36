"""RoomService: the one place where commands become durable events.

For each command: decide (the pure referee), append (compare-and-set on the
expected next seq), fold, publish. A lost compare-and-set means another writer
got there first: catch up from the log and decide again (DESIGN.md principle
4). Commands to one room are serialised by the room's lock; commands to
different rooms proceed together, so their appends share commits.

On a shared store the node that moves a room's clock keeps the deadlines
index current, and one node at a time fires the deadlines that the rooms'
own nodes did not (:mod:`.deadlines`): a room's clock fires even when every
node that held it is gone. On SQLite none of that is written.

Which rooms a node watches on a shared store: only those with a subscriber
here (a connection, an in-process bot's included); the others are caught up
from the log when used (:meth:`RoomService._listen`).

Which rooms a node holds (DESIGN.md principle 7): every live room, restored
at start from the log's room directory (:mod:`.directory`), never by reading
every room stream; and the ended rooms someone asked for lately (a seat's
hello, a room's detail, a replay, a cohort), loaded on demand and kept in a
bounded least-recently-used cache. A room that ends moves to that cache.

A store that lost acknowledged events (a Redis restarted empty) answers an
append with a next seq *below* the expected one: that is no race, so the
command fails with :class:`~..log.HistoryLost` (``unavailable``), nothing is
written over the gap, and the room is logged once and listed in
:attr:`RoomService.lost` (``/healthz`` says degraded).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial

import msgspec

from dealroom.protocol import MSGPACK, Created, Ended, Event, Role, Scenario

from ..log import EventLog, HistoryLost, IndexKey, LogUnavailable, SeqConflict
from ..nodes import Nodes
from ..referee import (
    Applied,
    Command,
    Decision,
    Join,
    Leave,
    Phase,
    Refused,
    Tick,
    audience,
    can_see,
    decide,
    fold,
    replay,
)
from . import deadlines, directory
from .directory import RoomRef
from .fanout import publish
from .room import Room, Subscriber, room_of, stream_of

__all__ = ["RoomService", "now_ms"]

log = logging.getLogger(__name__)

_EVENT = MSGPACK  # the log stores events as their MessagePack frames
_decode_event: Callable[[bytes], Event] = msgspec.msgpack.Decoder(Event).decode
_CAS_RETRIES = 5
_CREATE_AT_ONCE = 32
"""Rooms whose ``created`` events are encoded and appended together (see create_many)."""
_REPLAY_UNDER_LOCK = 256
"""Events a resuming subscriber may still miss when it takes the room's lock."""
_REPLAY_ROUNDS = 8
_CREATING_MS = 60_000
"""How long a room may sit in the directory before its `created` lands (another node's)."""
_ANY_SEQ = 2**62
"""What a wake-up without a seq announces: "read, you may be behind"."""
_LOST_RETRY_SECONDS = 30.0
"""How often the deadline of a room whose history the store lost is tried again (quietly)."""
ENDED_CACHE = 256
"""Ended rooms a node keeps after someone asked for them (their events are in memory)."""


_SEATS = "seats"


def _seat_key(room_id: str, role: str, node: str) -> IndexKey:
    return IndexKey(_SEATS, f"{room_id}:{role}:{node}")


def now_ms() -> int:
    """Wall-clock time in epoch milliseconds: the only clock the rooms read."""
    return time.time_ns() // 1_000_000


class RoomService:
    """Rooms on this node, backed by the event log."""

    def __init__(
        self,
        log_: EventLog,
        clock: Callable[[], int] = now_ms,
        presence_grace: float = 0.0,
        ended_cache: int = ENDED_CACHE,
    ) -> None:
        self.log = log_
        self.clock = clock
        self.presence_grace = presence_grace
        """Seconds a seat may be gone before its ``left`` is recorded (see :meth:`depart`)."""
        self.rooms: dict[str, Room] = {}
        """The live rooms (not ended) on this node."""
        self.ended: OrderedDict[str, Room] = OrderedDict()
        """Ended rooms asked for lately, least recently used first; at most ``ended_cache``
        of them, besides any that still have a subscriber."""
        self.ended_cache = ended_cache
        self._ticks: set[asyncio.Task[None]] = set()
        self._retiring: set[asyncio.Task[None]] = set()
        self._submitting: set[asyncio.Task[Decision]] = set()
        self.live_entries: list[Callable[[str], Iterable[IndexKey]]] = []
        """Other index entries that last as long as a room is live (given its id): they
        are removed with its directory entry once it ends (e.g. its bot seats)."""
        self.lost: dict[str, str] = {}
        """Rooms whose history the store lost (room id -> why), each reported once in the
        log and listed by ``/healthz``; a room leaves once an append to it succeeds again."""
        self.stopping = False
        self.node = ""
        """This node's id among the nodes sharing the log (set by the app; see server/nodes.py)."""
        self.on_ready: Callable[[Room], Awaitable[None]] | None = None
        """Called when a seat's arrival leaves a held room waiting with both seats in: the
        app starts it if its workshop's round runs (server/web/rounds_api.py)."""

    # --- presence across nodes ---------------------------------------------------------
    # On a shared store each node writes which seats it has connected ("seats" index,
    # key ROOM:ROLE:NODE) so that, when a node dies, another records `left` for the seats
    # that nobody else holds (:meth:`expire_presence`): no seat stays "present" forever.

    async def _hold_seat(self, room: Room, role: Role) -> None:
        if self.log.shared and self.node:
            await self.log.put_index({_seat_key(room.id, role, self.node): b""})

    async def _release_seat(self, room: Room, role: Role) -> None:
        if self.log.shared and self.node:
            await self.log.remove_index([_seat_key(room.id, role, self.node)])

    async def expire_presence(self, nodes: Nodes, alive: set[str]) -> int:
        """Record ``left`` for every seat that only dead nodes held; answers how many.

        One node acts on one dead node's seat (it takes that lease: server/nodes.py);
        the others only drop the entries.
        """
        holders: dict[tuple[str, Role], set[str]] = {}
        for key, _ in await self.log.scan_index(_SEATS):
            room_id, role, node = key.rsplit(":", 2)
            holders.setdefault((room_id, role), set()).add(node)  # type: ignore[arg-type]
        recorded = 0
        for (room_id, role), holding in holders.items():
            dead = holding - alive
            if not dead:
                continue
            if not holding & alive and await nodes.take(
                f"left:{room_id}:{role}:{min(dead)}", alive
            ):
                room = await self.room(room_id)
                if room is not None and room.state.phase is not Phase.ENDED:
                    await self.submit(room, Leave(role=role, now=self.clock()))
                    recorded += 1
            await self.log.remove_index([_seat_key(room_id, role, node) for node in dead])
        return recorded

    async def start(self) -> None:
        """Restore the live rooms from the log's room directory and re-arm their deadlines.

        A data dir written before the directory existed is indexed first, once.
        """
        if not await directory.built(self.log):
            began = time.monotonic()
            count = await directory.build(self.log, _decode_event)
            if count:  # a new data dir has nothing to say
                log.info(
                    "indexed the %d rooms of this data dir in %.1f s (once, for this version)",
                    count,
                    time.monotonic() - began,
                )
        stale = 0
        for room_id, entry in await directory.live(self.log):
            room = await self._load(room_id)
            if room is None:  # a crash between the directory entry and `created`
                if self.clock() - entry.created_at > _CREATING_MS:  # else: being created elsewhere
                    await directory.forget(self.log, room_id, entry.workshop)
                    stale += 1
            elif room.state.phase is Phase.ENDED:  # a crash between `ended` and the directory
                await directory.record_ended(self.log, room_id)
                stale += 1
            else:
                self._hold(room)
        if self.log.shared:  # rooms started by a version that kept no deadlines index
            running = {
                deadlines.key(room.id): deadlines.encode(room.state.deadline)
                for room in self.rooms.values()
                if room.state.deadline is not None
            }
            if running:
                await self.log.put_index(running)
        log.info(
            "restored %d rooms from the log (the live ones; %d stale directory entries dropped)",
            len(self.rooms),
            stale,
        )

    async def stop(self) -> None:
        """Stop the timers and finish recording ended rooms; the log is closed by its owner."""
        self.stopping = True
        for room in self.rooms.values():
            if room.timer is not None:
                room.timer.cancel()
            for leaving in room.leaving.values():
                leaving.cancel()
        for task in list(self._ticks):
            task.cancel()
        following = [room.following for room in self.rooms.values() if room.following]
        for task in following:
            task.cancel()
        await asyncio.gather(*following, return_exceptions=True)
        await asyncio.gather(*self._ticks, return_exceptions=True)
        await asyncio.gather(*self._submitting, return_exceptions=True)  # moves being saved
        await asyncio.gather(*self._retiring, return_exceptions=True)

    async def _load(self, room_id: str) -> Room | None:
        entries = await self.log.read(stream_of(room_id))
        if not entries:
            return None
        events = [_decode_event(entry) for _, entry in entries]
        return Room(replay(events), events)

    async def room(self, room_id: str) -> Room | None:
        """The room with that id, loaded from the log if this node does not hold it.

        On a shared store a live room that this node holds without watching it
        (no subscriber here: :meth:`_listen`) is caught up from the log first.
        """
        room = self._held(room_id)
        if room is not None:
            if self.log.shared and not room.watched and self.rooms.get(room_id) is room:
                async with room.lock:
                    await self._catch_up(room)
            return room
        loaded = await self._load(room_id)
        if loaded is None:
            return None
        room = self._held(room_id)  # another caller may have loaded it meanwhile
        if room is not None:
            return room
        if loaded.state.phase is Phase.ENDED:
            self._remember(loaded)
        else:  # live, but not restored here (created by another node)
            self._hold(loaded)
        return loaded

    def _hold(self, room: Room) -> None:
        """Keep a live room on this node, its deadline armed (woken only while listened to)."""
        self.rooms[room.id] = room
        self._arm(room)

    def _listen(self, room: Room) -> None:
        """Watch the room's stream exactly while it is live here and has local subscribers.

        Every append on a shared store wakes every watching node, and each one
        then reads the log: watching only where someone listens keeps a move's
        cost from growing with the number of nodes that merely hold the room.
        A held room nobody listens to here is caught up when it is next used:
        :meth:`room` and :meth:`attach` read the log first, and :meth:`submit`
        learns what it missed from a lost compare-and-set or re-judges a refusal.
        """
        wanted = bool(room.subscribers or room.attaching) and self.rooms.get(room.id) is room
        if wanted and not room.watched:
            room.watched = True
            self.log.watch(room.stream, self._woken)
        elif room.watched and not wanted:
            room.watched = False
            self.log.unwatch(room.stream, self._woken)

    def _woken(self, stream: str, seq: int | None) -> None:
        """Another node may have appended to ``stream``: catch up if this copy is behind.

        The wake-up is only a hint (DESIGN.md principle 4): the events come from
        the log, in order, and reach this node's subscribers through ``_apply``
        as if they had been decided here.
        """
        room = self.rooms.get(room_of(stream) or "")
        if room is None or (seq is not None and seq <= room.state.seq):
            return
        room.announced = _ANY_SEQ if seq is None else max(room.announced, seq)
        if room.following is None:
            room.following = asyncio.create_task(self._follow(room))

    async def _follow(self, room: Room) -> None:
        try:
            while room.announced and not self.stopping:
                async with room.lock:
                    # This node's own append announces itself too, often before its
                    # reply: by the time the lock is free it is folded, and no read
                    # is needed for it.
                    announced, room.announced = room.announced, 0
                    if announced > room.state.seq:
                        await self._catch_up(room)
        except Exception:  # the log is unavailable: the next command or wake-up reads again
            room.stale = True
            log.warning("room %s: could not catch up with the log", room.id, exc_info=True)
        finally:
            room.following = None

    def _held(self, room_id: str) -> Room | None:
        room = self.rooms.get(room_id)
        if room is None:
            room = self.ended.get(room_id)
            if room is not None:
                self.ended.move_to_end(room_id)
        return room

    def _remember(self, room: Room) -> None:
        """Keep an ended room in the cache, evicting the least recently used idle ones."""
        self.ended[room.id] = room
        self.ended.move_to_end(room.id)
        excess = len(self.ended) - self.ended_cache
        if excess <= 0:
            return
        # A room with a subscriber stays: a second copy would split its seats' limits.
        idle = [rid for rid, r in self.ended.items() if not r.subscribers and rid != room.id]
        for rid in idle[:excess]:
            del self.ended[rid]

    async def workshop_rooms(self, workshop_id: str) -> list[tuple[str, RoomRef]]:
        """The workshop's rooms as (room id, ref), oldest first, without loading any."""
        return await directory.rooms_of(self.log, workshop_id)

    def _retire(self, room: Room) -> None:
        """The room has ended: move it to the cache, and out of the directory's live rooms."""
        del self.rooms[room.id]
        self._listen(room)  # an ended room never changes: no more wake-ups
        self._remember(room)
        task = asyncio.create_task(self._record_ended(room.id))
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def _record_ended(self, room_id: str) -> None:
        others = [key for entries in self.live_entries for key in entries(room_id)]
        if self.log.shared:
            others.append(deadlines.key(room_id))
        if self.log.shared and self.node:  # this node's presence in it, if any
            others += [_seat_key(room_id, role, self.node) for role in ("buyer", "seller")]
        try:
            await directory.record_ended(self.log, room_id, others)
        except Exception:  # the next start finds the room ended and drops the entry
            log.exception("room %s: could not mark it ended in the directory", room_id)

    async def create(
        self,
        scenario: Scenario,
        workshop: str | None = None,
        label: str = "",
        *,
        held: bool = False,
    ) -> Room:
        """A new room running ``scenario``: its log starts with ``created``."""
        [room] = await self.create_many(scenario, workshop, [label], held=held)
        return room

    async def create_many(
        self,
        scenario: Scenario,
        workshop: str | None,
        labels: Sequence[str],
        *,
        held: bool = False,
    ) -> list[Room]:
        """New rooms running ``scenario``, one per label, in that order.

        The rooms enter the directory first (one index write for them all), so
        no crash can leave a live room that start-up would not find; then their
        ``created`` events are appended together, sharing group commits.
        ``held``: the rooms wait for their round's start (a together-workshop's).
        """
        now = self.clock()
        created = [
            Created(
                seq=1,
                at=now,
                by="facilitator",
                room=secrets.token_urlsafe(6).replace("-", "x").replace("_", "y"),
                scenario=scenario,
                workshop=workshop,
                label=label,
                held=held,
            )
            for label in labels
        ]
        entries: dict[IndexKey, bytes] = {}
        for order, event in enumerate(created):  # `order` keeps same-millisecond rooms in line
            entries.update(directory.entries(event, live=True, order=order))
        await self.log.put_index(entries)
        appended: list[BaseException | None] = []
        # A few dozen at a time: each `created` carries the whole scenario (with its
        # translations, 30 KB and more), and 500 of them encoded at once left the
        # process 26 MB larger for good (freed, but not given back by the allocator).
        for first in range(0, len(created), _CREATE_AT_ONCE):
            appended += await asyncio.gather(
                *(
                    self.log.append(stream_of(c.room), 1, [_EVENT.encode(c)])
                    for c in created[first : first + _CREATE_AT_ONCE]
                ),
                return_exceptions=True,
            )
        rooms: list[Room] = []
        failure: BaseException | None = None
        for event, result in zip(created, appended, strict=True):
            if isinstance(result, SeqConflict):  # an id collision: put theirs back, draw again
                await self._restore_entries(event.room, workshop)
                rooms.extend(await self.create_many(scenario, workshop, [event.label], held=held))
            elif isinstance(result, BaseException):
                failure = failure or result
            else:
                room = Room(replay([event]), [event])
                self._hold(room)
                rooms.append(room)
        if failure is not None:  # the rooms that did land stay (the directory has them)
            raise failure
        return rooms

    async def _restore_entries(self, room_id: str, ours: str | None) -> None:
        entries = await self.log.read(stream_of(room_id))
        theirs = _decode_event(entries[0][1])
        assert isinstance(theirs, Created)
        if ours is not None and ours != theirs.workshop:
            await directory.forget_in_workshop(self.log, room_id, ours)
        ended = isinstance(_decode_event(entries[-1][1]), Ended)
        if ended:  # our live entry would otherwise wait for the next start to be dropped
            await directory.record_ended(self.log, room_id)
        else:
            await directory.record_created(self.log, theirs)

    async def submit(self, room: Room, command: Command) -> Decision:
        """Judge ``command``; if allowed, make its events durable, fold and publish them."""
        async with room.lock:
            checked = False
            for _ in range(_CAS_RETRIES):
                if room.stale:
                    await self._catch_up(room)
                decision = decide(room.state, command)
                if isinstance(decision, Refused) and self.log.shared and not checked:
                    # Another node may have moved the room on (its wake-up still on the
                    # way): a refusal judged on an old copy would be wrong, e.g. an
                    # accept of an offer this copy has not seen yet. Refusals are rare,
                    # so each costs one read of the log to be sure.
                    checked = True
                    before = room.state.seq
                    await self._catch_up(room)
                    if room.state.seq != before:
                        continue
                if not isinstance(decision, Applied) or not decision.events:
                    return decision
                frames = [_EVENT.encode(event) for event in decision.events]
                deadline = room.state.deadline
                if self.log.shared:  # other nodes must be able to fire the room's clock
                    deadline = await self._before_deadline_moves(room, decision.events)
                room.stale = True  # until we know whether the append landed
                try:
                    await self.log.append(room.stream, room.state.seq + 1, frames)
                except SeqConflict as conflict:
                    if conflict.behind:  # not a race: the store lost what it had acked
                        raise self._history_lost(room, conflict) from None
                    continue  # another writer appended first: catch up, decide again
                previous = room.state.deadline
                self._landed(room, decision.events, frames)
                if deadline != previous:  # only on a shared store (see above)
                    await self._after_deadline_moved(room, previous)
                return decision
            raise RuntimeError(f"room {room.id}: lost the compare-and-set {_CAS_RETRIES} times")

    def submit_soon(
        self, room: Room, command: Command, done: Callable[[Decision | Exception], None]
    ) -> None:
        """:meth:`submit` for the hot path: the outcome goes to ``done``, no task per move.

        Where the room is free and this node's copy of it is the log's (a log
        of its own: SQLite, memory), the command is judged now, its events
        appended with the group commit and folded and published from the
        commit's completion, and ``done`` called there (or now, for a refusal or
        a retry). Otherwise :meth:`submit` runs in a task, behind whoever holds
        the room. ``done`` gets what :meth:`submit` would return or raise.
        """
        if self.log.shared or room.stale or not room.lock.try_acquire():
            self._submit_later(room, command, done)
            return
        try:
            decision = decide(room.state, command)
            if isinstance(decision, Applied) and decision.events:
                frames = [_EVENT.encode(event) for event in decision.events]
                room.stale = True  # until we know whether the append landed
                self.log.append_soon(
                    room.stream,
                    room.state.seq + 1,
                    frames,
                    partial(self._appended, room, command, decision, frames, done),
                )
                return  # the lock is released when the append settles
        except Exception as exc:
            room.lock.release()
            done(exc)
            return
        room.lock.release()  # a refusal or a retry: nothing to append
        done(decision)

    def _appended(
        self,
        room: Room,
        command: Command,
        decision: Applied,
        frames: list[bytes],
        done: Callable[[Decision | Exception], None],
        error: BaseException | None,
    ) -> None:
        """The group commit settled a :meth:`submit_soon` append: fold, publish, answer."""
        outcome: Decision | Exception = decision
        try:
            if error is None:
                self._landed(room, decision.events, frames)
            elif isinstance(error, SeqConflict) and error.behind:
                outcome = self._history_lost(room, error)
            elif isinstance(error, Exception):
                outcome = error
            else:  # not an Exception: let it through after the lock is free
                raise error
        except Exception as exc:
            outcome = exc
        finally:
            room.lock.release()
        if isinstance(outcome, SeqConflict):  # another writer got there first: the slow way
            self._submit_later(room, command, done)
        else:
            done(outcome)

    def _submit_later(
        self, room: Room, command: Command, done: Callable[[Decision | Exception], None]
    ) -> None:
        task = asyncio.ensure_future(self.submit(room, command))
        self._submitting.add(task)

        def finished(task: asyncio.Task[Decision]) -> None:
            self._submitting.discard(task)
            if task.cancelled():  # the node is stopping: nothing was decided
                done(LogUnavailable("the server is stopping"))
                return
            error = task.exception()
            if error is None:
                done(task.result())
            elif isinstance(error, Exception):
                done(error)
            else:
                raise error

        task.add_done_callback(finished)

    # --- deadlines across nodes (see .deadlines) ---------------------------------------

    async def _before_deadline_moves(self, room: Room, events: tuple[Event, ...]) -> int | None:
        """Before appending ``events``: index the deadline of a clock they start.

        A clock that starts (``started``, ``resumed``) is indexed before the
        append, so no crash can leave a running room without an entry; a
        deadline that only moves later (``extended``) keeps its earlier entry
        until the append is durable. Answers the deadline the room will have
        once ``events`` are folded.
        """
        planned = deadlines.planned(room.state.deadline, events)
        if planned is not None and room.state.deadline is None:
            await deadlines.record(self.log, room.id, planned)
        return planned

    async def _after_deadline_moved(self, room: Room, before: int | None) -> None:
        """The append that moved the clock is durable: make the room's entry exact.

        A later deadline (an extension) replaces the earlier one put before the
        append; a stopped clock (a pause) drops it; an ended room's entry goes
        with its directory entry (:meth:`_record_ended`). A failure leaves an
        early or stale entry, which the sweep corrects: the move stands.
        """
        deadline = room.state.deadline
        if room.state.phase is Phase.ENDED or (before is None and deadline is not None):
            return  # ended: see above; a clock that started: put exactly already
        try:
            await deadlines.record(self.log, room.id, deadline)
        except LogUnavailable as exc:
            log.warning("room %s: could not index its deadline (%s); the sweep will", room.id, exc)

    async def expire_overdue(self, nodes: Nodes, alive: set[str]) -> int:
        """Fire every deadline more than ``deadlines.GRACE_MS`` late, wherever its room is held.

        One node at a time does this (the lease ``deadlines``); it loads each
        late room it does not hold, or catches up its copy, and submits the
        clock's tick, which ends the room once however many nodes fire it.
        Answers how many rooms this call ended.
        """
        if not await nodes.take(deadlines.LEASE, alive):
            return 0
        ended = 0
        for room_id, _ in await deadlines.due(self.log, self.clock()):
            try:
                ended += await self._expire(room_id)
            except LogUnavailable:
                raise
            except Exception:  # one damaged room must not keep the others from expiring
                log.exception("room %s: could not fire its deadline", room_id)
        return ended

    async def _expire(self, room_id: str) -> bool:
        room = await self.room(room_id)  # loaded, or this node's copy caught up
        if room is None:  # no stream: an entry without a room, nothing to fire
            await deadlines.forget(self.log, room_id)
            return False
        if room.state.phase is Phase.ENDED:  # a crash after `ended` left the entries
            await self._record_ended(room_id)
            return False
        deadline = room.state.deadline
        if deadline is None or deadline > self.clock():  # paused, or extended: an early entry
            await deadlines.record(self.log, room_id, deadline)
            return False
        log.info(
            "room %s: its deadline passed %d ms ago; firing it here",
            room_id,
            self.clock() - deadline,
        )
        decision = await self.submit(room, Tick(now=self.clock()))
        return isinstance(decision, Applied) and bool(decision.events)

    def _history_lost(self, room: Room, conflict: SeqConflict) -> HistoryLost:
        """The store is behind this node's copy: say so loudly, once per room; write nothing.

        Appending at the store's next seq would rewrite acknowledged history
        (DESIGN.md principle 2), so every command to the room is refused with
        :class:`HistoryLost` (``unavailable``) until the store holds it again.
        """
        lost = HistoryLost(room.stream, room.state.seq, conflict.actual - 1)
        if room.id not in self.lost:
            self.lost[room.id] = str(lost)
            log.error(
                "room %s: THE STORE LOST THIS ROOM'S HISTORY: it holds %d events, %d were "
                "acknowledged (a Redis restarted without persistence, or restored from an old "
                "backup?). Its moves are refused with 'unavailable'; nothing is written over "
                "the gap. Restore the store from a backup, or end the workshop.",
                room.id,
                lost.stored,
                lost.held,
            )
        return lost

    def _landed(self, room: Room, events: tuple[Event, ...], frames: list[bytes]) -> None:
        """An append of ``events`` is durable: the copy is current again; fold, publish."""
        room.stale = False
        if self.lost:
            self.lost.pop(room.id, None)  # its history is back (restored from a backup)
        self._apply(room, events, frames)

    def _apply(self, room: Room, events: tuple[Event, ...], frames: list[bytes]) -> None:
        before = room.state.deadline
        for event in events:
            fold(room.state, event)
        room.events.extend(events)
        publish(room.subscribers, events, frames)
        if room.state.deadline != before:
            self._arm(room)
        if room.state.phase is Phase.ENDED and self.rooms.get(room.id) is room:
            self._retire(room)

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
        room.attaching += 1
        self._listen(room)  # before the first read: what lands after it wakes this node
        try:
            async with room.lock:
                if room.stale or self.log.shared:  # shared: another node may have appended
                    await self._catch_up(room)
                subscriber.deliver(welcome(room))
            sent = resume_after
            for _ in range(_REPLAY_ROUNDS):  # a busy room may grow while we replay: chase it
                if len(room.events) - sent <= _REPLAY_UNDER_LOCK:
                    break
                sent = await self._replay(subscriber, room.events, sent, len(room.events))
            async with room.lock:
                if room.stale:
                    # Welcomed already: a failure here must not leave the client
                    # welcomed but deaf. It gets what this node holds, and the rest
                    # with the next catch-up that succeeds (a wake-up, a command).
                    with contextlib.suppress(LogUnavailable):
                        await self._catch_up(room)
                codec, viewer = subscriber.codec, subscriber.viewer
                for event in room.events[sent:]:
                    if can_see(viewer, audience(event)):
                        subscriber.deliver(codec.encode(event))
                room.subscribers.add(subscriber)
        finally:
            room.attaching -= 1
            self._listen(room)

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
        """Stop delivering to ``subscriber`` (and stop watching the room if it was the last)."""
        room.subscribers.discard(subscriber)
        self._listen(room)

    async def arrive(self, room: Room, role: Role, name: str = "", lang: str = "") -> None:
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
            await self._hold_seat(room, role)
            await self.submit(room, Join(role=role, now=self.clock(), name=name, lang=lang))
            state = room.state
            if (
                self.on_ready is not None
                and state.held
                and state.phase is Phase.WAITING
                and state.joined >= {"buyer", "seller"}
            ):
                try:
                    await self.on_ready(room)
                except Exception:  # the arrival stands; the facilitator's start catches it up
                    log.exception("room %s: could not start it in its workshop's round", room.id)

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
            await self._release_seat(room, role)
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
            await self._release_seat(room, role)
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
        except HistoryLost:  # said once already (see _history_lost); try again now and then
            if not self.stopping:
                loop = asyncio.get_running_loop()
                room.timer = loop.call_later(_LOST_RETRY_SECONDS, self._fire, room)
        except Exception:
            log.exception("room %s: deadline tick failed; retrying in 1 s", room.id)
            if not self.stopping:
                room.timer = asyncio.get_running_loop().call_later(1.0, self._fire, room)
        else:
            # A tick that came early (clock skew) expires nothing: arm it again.
            if room.state.deadline is not None and room.timer is None:
                self._arm(room)
