"""Workshops: a facilitator's group of rooms on one scenario.

A workshop's log stream holds its creation record, then one record per thing
that happened to the workshop itself: a seat handed out through its open link,
its open-link capacity raised, its debrief revealed on the projector, its
round started, extended or ended, its join code given, its title changed, it
archived or brought back, a room put on its projector or labels shown there
(:mod:`.projector`). Its rooms are the rooms whose ``created`` event names
it (the room directory, :mod:`.directory`, lists them), so the rooms' own logs
stay the only truth about them.

The records, and how they are read back (logs from before their tag
included), are :mod:`.workshop_records`; this module folds them and writes them.

A workshop created with ``start="together"`` runs *rounds*: its rooms are held
(their ``created`` says so) and wait, both seats in, until the facilitator
starts the round; every room of the round gets the round's deadline, and a
room that fills while the round runs starts at once with that same deadline
(server/web/rounds_api.py), so the whole group ends together.

An *archived* workshop is put away, not deleted: it leaves the default listing,
its open link seats nobody, and everything it recorded stays readable. It is
archived only while none of its rooms is live (the caller counts them), so
archiving never stops a room; unarchiving brings it back as it was. The index
``workshops:archived`` lets the listing leave archived workshops out without
reading them; the workshop's own stream stays the truth, and the entry is written
so that a crash can leave the index short of an archived workshop (the listing
reads it and skips it) but never claiming one that is not (which would hide it):
put after the ``archived`` record, removed before the ``unarchived`` one. The
listing removes an entry its log contradicts; it puts a missing one back only
where it is the store's one writer (on a shared log that put could cross another
node's unarchive); archiving an archived workshop puts it back anywhere.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Literal

import msgspec

from ..log import EventLog, IndexKey, SeqConflict
from ..referee import Phase
from . import join_codes
from .projector import ProjectorView
from .workshop_records import (
    DEFAULT_CAPACITY,
    Archived,
    CapacityChanged,
    CodeAssigned,
    DebriefRevealed,
    LabelsChanged,
    ProjectorRecord,
    Record,
    Renamed,
    RevealStep,
    Role,
    RoundEnded,
    RoundExtended,
    RoundStarted,
    SeatAssigned,
    SpotlightChanged,
    Start,
    Unarchived,
    Workshop,
)
from .workshop_records import decode as _decode
from .workshop_records import decode_record as _decode_record
from .workshop_records import encode as _encode

__all__ = [
    "ARCHIVED",
    "BUILT",
    "CACHE",
    "INDEX",
    "MAX_CAPACITY",
    "HeldWorkshop",
    "Listed",
    "Round",
    "WorkshopArchived",
    "WorkshopFull",
    "WorkshopLive",
    "WorkshopState",
    "Workshops",
]

MAX_CAPACITY = 2000
"""The most seats one open link may hand out (1,000 rooms)."""
CACHE = 256
"""Workshops a node keeps after reading them (each: its records, seats included)."""
INDEX = "workshops"
"""The log index of every workshop: key its id, value its creation record."""
BUILT = IndexKey("meta", "workshops-index")
"""Present once the index is complete (written from the start, or built once)."""
ARCHIVED = "workshops:archived"
"""The archived workshops: key the workshop's id, no value (see the module docstring)."""

Listed = Literal["exclude", "include", "only"]
"""Which workshops a listing shows: the archived ones left out, shown too, or alone."""
WorkshopState = Literal["waiting", "running", "ended", "archived"]
"""Where a workshop is, as its listing says it (:meth:`HeldWorkshop.state`)."""

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Round:
    """A workshop's latest round, as its records tell it."""

    started_at: int
    deadline: int | None
    """When every room of the round ends (epoch ms); None: the round has no time limit."""
    ended_at: int | None = None
    """When the facilitator ended it, if they did."""

    def running(self, now: int) -> bool:
        """Whether a room that fills now joins this round (it has not ended, nor run out)."""
        return self.ended_at is None and (self.deadline is None or now < self.deadline)


@dataclass(frozen=True, slots=True)
class WorkshopFull:
    """A refused arrival: the open link has handed out every seat of its capacity."""

    capacity: int
    code: str = "workshop_full"


@dataclass(frozen=True, slots=True)
class WorkshopArchived:
    """A refused arrival: the workshop is archived, its open link closed."""

    archived_at: int
    code: str = "workshop_archived"


@dataclass(frozen=True, slots=True)
class WorkshopLive:
    """A refused archive: ``rooms`` of the workshop's rooms have not ended."""

    rooms: int
    code: str = "workshop_live"


@dataclass(slots=True)
class HeldWorkshop:
    """A workshop as this node holds it: its records folded. Changed only by :class:`Workshops`."""

    record: Workshop
    """The creation record with the current capacity."""
    seats: list[SeatAssigned] = field(default_factory=list)
    """The seats handed out through its open link, in order."""
    revealed_at: int | None = None
    """When its debrief was first revealed (ms since the epoch), if it was."""
    revealed: RevealStep = RevealStep.COUNTS
    """How far it has been revealed: steps only ever go forward."""
    projector: ProjectorView = field(default_factory=ProjectorView)
    """The room in the spotlight on its projector, and whether the scatter is labelled."""
    round: Round | None = None
    """Its latest round (a together-workshop's), if one was started."""
    archived_at: int | None = None
    """When it was archived (ms since the epoch), while it is archived."""
    seq: int = 1
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    round_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held while this node changes the round and its rooms, or starts a room that filled
    during the round: a room starting then gets the round's deadline before or after an
    extension, never both (server/web/rounds_api.py)."""
    spare_room: str | None = None
    """A room this node made for a seat that another node's seat beat to the log: the
    next pair seated here takes it (not folded: it is no record, only this node's)."""

    @property
    def id(self) -> str:
        """The workshop's id."""
        return self.record.id

    def state(self, live: Collection[Phase], rooms: int, now: int) -> WorkshopState:
        """Where the workshop is, given the phases of its ``live`` rooms (those not ended)
        and how many ``rooms`` it has in all: a room negotiating (or paused), or a round
        running with rooms in it, makes it running; live rooms that all wait, or no room
        yet (the open link makes them as people arrive), waiting; rooms that have all
        ended, ended."""
        if self.archived_at is not None:
            return "archived"
        in_round = self.round is not None and self.round.running(now)
        if any(phase is not Phase.WAITING for phase in live) or (in_round and live):
            return "running"
        return "waiting" if live or not rooms else "ended"

    def fold(self, seq: int, record: Record) -> None:
        """Apply the stream's record ``seq`` (after the creation record)."""
        self.seq = seq
        match record:
            case SeatAssigned():
                self.seats.append(record)
            case CapacityChanged():
                self.record = msgspec.structs.replace(self.record, capacity=record.capacity)
            case DebriefRevealed():
                if self.revealed_at is None:
                    self.revealed_at = record.at
                self.revealed = max(self.revealed, record.step)
            case SpotlightChanged() | LabelsChanged():
                self.projector = self.projector.fold(record)
            case CodeAssigned():
                if not self.record.code:  # the first code given stands
                    self.record = msgspec.structs.replace(self.record, code=record.code)
            case RoundStarted():
                self.round = Round(started_at=record.at, deadline=record.deadline)
            case RoundExtended():
                if self.round is not None and self.round.deadline is not None:
                    deadline = self.round.deadline + record.seconds * 1000
                    self.round = dataclasses.replace(self.round, deadline=deadline)
            case RoundEnded():
                if self.round is not None and self.round.ended_at is None:
                    self.round = dataclasses.replace(self.round, ended_at=record.at)
            case Renamed():
                self.record = msgspec.structs.replace(self.record, title=record.title)
            case Archived():
                if self.archived_at is None:
                    self.archived_at = record.at
            case Unarchived():
                self.archived_at = None
            case Workshop():
                pass  # only ever seq 1


class Workshops:
    """Workshops by id, persisted in the event log, loaded when asked for.

    The index ``workshops`` lists every workshop with its creation record (put
    before the stream's first record, so a crash leaves at worst an entry
    without a stream, which reads as no workshop). A workshop's stream is read
    the first time someone asks for it; the most recently used are kept, at
    most ``cache`` of them besides those in the middle of a change. Start-up
    reads nothing but, once for a data dir from before the index, each
    workshop's first record (DESIGN.md principle 7).
    """

    def __init__(self, log: EventLog, cache: int = CACHE) -> None:
        self._log = log
        self._held: OrderedDict[str, HeldWorkshop] = OrderedDict()
        self._cache = cache

    async def start(self) -> None:
        """Index the workshops of a data dir written before the index (once)."""
        if any(key == BUILT.key for key, _ in await self._log.scan_index(BUILT.name)):
            return
        began = time.monotonic()
        entries: dict[IndexKey, bytes] = {}
        for stream in await self._log.streams("workshop:"):
            records = await self._log.read(stream, after=0)
            if records:
                seq, raw = records[0]
                record = _decode(seq, raw)
                if isinstance(record, Workshop):
                    entries[IndexKey(INDEX, record.id)] = _encode(record)
        entries[BUILT] = b""
        await self._log.put_index(entries)
        if len(entries) > 1:  # a new data dir has nothing to say
            log.info(
                "indexed the %d workshops of this data dir in %.1f s (once, for this version)",
                len(entries) - 1,
                time.monotonic() - began,
            )

    async def get(self, workshop_id: str) -> HeldWorkshop | None:
        """The workshop as it stands, read from its stream unless held; None if there is none."""
        held = self._held.get(workshop_id)
        if held is not None:
            self._held.move_to_end(workshop_id)
            return held
        records = await self._log.read(f"workshop:{workshop_id}")
        held = self._held.get(workshop_id)  # another caller may have read it meanwhile
        if held is not None:
            return held
        if not records:
            return None
        first = _decode(*records[0])
        if not isinstance(first, Workshop):
            return None
        held = HeldWorkshop(first)
        for seq, raw in records[1:]:
            held.fold(seq, _decode(seq, raw))
        self._keep(held)
        return held

    def _keep(self, held: HeldWorkshop) -> None:
        self._held[held.id] = held
        excess = len(self._held) - self._cache
        if excess > 0:
            idle = [w for w, h in self._held.items() if not h.lock.locked() and h is not held]
            for workshop_id in idle[:excess]:
                del self._held[workshop_id]

    async def listing(self, limit: int | None = None, shown: Listed = "include") -> list[Workshop]:
        """The workshops' creation records, oldest first; only the newest ``limit`` if given.

        ``shown`` picks by the archived index (:data:`ARCHIVED`) without reading any
        workshop; :meth:`listed` reads and checks each.
        """
        return self._pick(await self._archived_ids(), await self._records(), limit, shown)

    async def listed(self, limit: int, shown: Listed = "exclude") -> list[HeldWorkshop]:
        """The newest ``limit`` workshops that ``shown`` asks for, oldest first, as they stand.

        Picked by the archived index, then each read (caught up, where other nodes
        write too) and checked: one whose log says otherwise than the index (a crash
        left the index behind) is listed as its log says, and the index corrected
        where that is safe.
        """
        indexed = await self._archived_ids()
        held_now = self.refresh if self._log.shared else self.get
        found = []
        for record in self._pick(indexed, await self._records(), limit, shown):
            held = await held_now(record.id)
            if held is None:  # an index entry whose stream never landed (a crash)
                continue
            if (held.archived_at is not None) != (held.id in indexed):
                async with held.lock:  # archive and unarchive write the entry under it too
                    # A stale entry goes, whoever writes meanwhile. A missing one is put
                    # back only by this node's one writer: on a shared log it could cross
                    # another node's unarchive and hide the workshop (archive puts it).
                    if held.archived_at is None or not self._log.shared:
                        await self._index_archived(held)
            if shown == "include" or (held.archived_at is not None) == (shown == "only"):
                found.append(held)
        return found

    async def _records(self) -> list[Workshop]:
        """Every workshop's creation record, from the index."""
        records = [_decode_record(raw) for _, raw in await self._log.scan_index(INDEX)]
        return [r for r in records if isinstance(r, Workshop)]

    async def _archived_ids(self) -> set[str]:
        return {key for key, _ in await self._log.scan_index(ARCHIVED)}

    @staticmethod
    def _pick(
        archived: set[str], records: list[Workshop], limit: int | None, shown: Listed
    ) -> list[Workshop]:
        """The newest ``limit`` of ``records`` that ``shown`` asks for, oldest first."""
        found = sorted(
            (r for r in records if shown == "include" or (r.id in archived) == (shown == "only")),
            key=lambda w: (w.created_at, w.id),
        )
        return found if limit is None else found[-limit:] if limit > 0 else []

    async def _index_archived(self, held: HeldWorkshop) -> None:
        """Make the archived index say what the workshop's log says."""
        key = IndexKey(ARCHIVED, held.id)
        if held.archived_at is None:
            await self._log.remove_index([key])
        else:
            await self._log.put_index({key: b""})

    async def _append(self, held: HeldWorkshop, record: Record) -> bool:
        """Append ``record`` to the workshop's stream and fold it; False on losing a race.

        A lost compare-and-set means another writer appended first: its records
        are folded in, and the caller decides again on the new state.
        """
        stream = f"workshop:{held.id}"
        seq = held.seq + 1
        try:
            await self._log.append(stream, seq, [_encode(record)])
        except SeqConflict:
            for at, raw in await self._log.read(stream, after=seq - 1):
                held.fold(at, _decode(at, raw))
            return False
        held.fold(seq, record)
        return True

    async def _held_or_fail(self, workshop_id: str) -> HeldWorkshop:
        held = await self.get(workshop_id)
        if held is None:
            raise KeyError(workshop_id)
        return held

    async def assign(
        self, workshop_id: str, new_room: Callable[[], Awaitable[str]], now: int
    ) -> SeatAssigned | WorkshopFull | WorkshopArchived:
        """The next seat for an arrival on the open link: pairs arrivals into rooms.

        The second arrival of a pair takes the other role in the first one's
        room; a new pair gets a new room, and which role it starts with
        alternates, so buyers and sellers stay balanced with an odd count.
        Once the workshop's capacity is handed out the arrival is refused
        (principle 7: what one link can cost the server has a limit); so is
        every arrival at an archived workshop.
        """
        held = await self._held_or_fail(workshop_id)
        async with held.lock:
            while True:
                if held.archived_at is not None:
                    return WorkshopArchived(held.archived_at)
                seats, capacity = held.seats, held.record.capacity
                if len(seats) >= capacity:
                    return WorkshopFull(capacity)
                made = len(seats) % 2 == 0  # a new pair: this seat opens a room
                if not made:
                    first = seats[-1]
                    role: Role = "seller" if first.role == "buyer" else "buyer"
                    seat = SeatAssigned(room=first.room, role=role, at=now)
                else:
                    role = "buyer" if len(seats) % 4 == 0 else "seller"
                    room, held.spare_room = held.spare_room or await new_room(), None
                    seat = SeatAssigned(room=room, role=role, at=now)
                if await self._append(held, seat):
                    return seat
                if made:
                    # Several nodes seat arrivals at once: another node's seat got
                    # there first. Keep the room made for this one rather than leave
                    # it empty and make another for the next pair.
                    held.spare_room = seat.room

    async def set_capacity(self, workshop_id: str, capacity: int, now: int) -> Workshop:
        """Record a new open-link capacity (seats) for the workshop; answers the workshop."""
        held = await self._held_or_fail(workshop_id)
        async with held.lock:
            while not await self._append(held, CapacityChanged(capacity=capacity, at=now)):
                pass
            return held.record

    async def reveal(
        self, workshop_id: str, now: int, step: RevealStep = RevealStep.FRONTIER
    ) -> RevealStep:
        """Reveal the workshop's debrief on its projector up to ``step``; answers how far
        it is revealed now.

        A step already reached changes nothing (steps never go back, and the first
        reveal's time stands).
        """
        held = await self._held_or_fail(workshop_id)
        async with held.lock:
            while held.revealed < step:
                await self._append(held, DebriefRevealed(at=now, step=step))
            return held.revealed

    async def project(self, workshop_id: str, change: ProjectorRecord) -> ProjectorView:
        """Record ``change`` to what the workshop's projector shows, unless it shows that
        already; answers what it shows now."""
        held = await self._held_or_fail(workshop_id)
        async with held.lock:
            while held.projector.fold(change) != held.projector:
                await self._append(held, change)
            return held.projector

    async def refresh(self, workshop_id: str) -> HeldWorkshop | None:
        """The workshop with whatever other nodes have appended to it folded in.

        For what must not act on an old copy (a round's start or deadline); one
        read of the workshop's stream past the records this node holds.
        """
        held = await self.get(workshop_id)
        if held is None:
            return None
        async with held.lock:
            await self._catch_up(held)
        return held

    async def _catch_up(self, held: HeldWorkshop) -> None:
        """Fold what other nodes have appended to the workshop (call with its lock held)."""
        for seq, raw in await self._log.read(f"workshop:{held.id}", after=held.seq):
            held.fold(seq, _decode(seq, raw))

    async def start_round(self, workshop_id: str, deadline: int | None, now: int) -> Round:
        """Start a round ending at ``deadline``, unless one is running: answers the running one."""
        if deadline is not None and deadline <= now:
            raise ValueError("a round must end after it starts")
        held = await self._held_or_fail(workshop_id)
        async with held.lock:
            while held.round is None or not held.round.running(now):
                await self._append(held, RoundStarted(deadline=deadline, at=now))
            return held.round

    async def extend_round(self, workshop_id: str, seconds: int, now: int) -> Round | None:
        """Move the running round's deadline ``seconds`` later; answers the latest round."""
        held = await self._held_or_fail(workshop_id)
        async with held.lock:
            while True:
                current = held.round
                if current is None or not current.running(now) or current.deadline is None:
                    return current
                if await self._append(held, RoundExtended(seconds=seconds, at=now)):
                    return held.round

    async def end_round(self, workshop_id: str, now: int) -> Round | None:
        """End the running round, if one runs; answers the latest round."""
        held = await self._held_or_fail(workshop_id)
        async with held.lock:
            while held.round is not None and held.round.running(now):
                await self._append(held, RoundEnded(at=now))
            return held.round

    async def rename(self, workshop_id: str, title: str, now: int) -> Workshop:
        """Give the workshop a new title (the same one changes nothing); answers the workshop."""
        held = await self._held_or_fail(workshop_id)
        async with held.lock:
            await self._catch_up(held)
            while held.record.title != title:
                await self._append(held, Renamed(title=title, at=now))
            return held.record

    async def archive(
        self, workshop_id: str, now: int, live_rooms: Callable[[], Awaitable[int]]
    ) -> int | WorkshopLive:
        """Archive the workshop unless ``live_rooms()`` (how many of its rooms have not
        ended) says some are live; answers when it was archived, or the refusal.

        Under the workshop's lock, as the open link's seats are: no arrival on this
        node makes a room between the count and the record. An archived workshop is
        answered as it is.
        """
        held = await self._held_or_fail(workshop_id)
        async with held.lock:
            await self._catch_up(held)
            while held.archived_at is None:
                live = await live_rooms()
                if live:
                    return WorkshopLive(live)
                await self._append(held, Archived(at=now))
            await self._index_archived(held)  # after the record: see the module docstring
            return held.archived_at

    async def unarchive(self, workshop_id: str, now: int) -> None:
        """Bring an archived workshop back (one that is not archived stays as it is)."""
        held = await self._held_or_fail(workshop_id)
        async with held.lock:
            await self._catch_up(held)
            while held.archived_at is not None:
                # Before the record: an index entry never claims a workshop that is not archived.
                await self._log.remove_index([IndexKey(ARCHIVED, held.id)])
                await self._append(held, Unarchived(at=now))

    async def ensure_code(self, workshop_id: str, now: int) -> str:
        """The workshop's join code; a workshop made before codes existed gets one now."""
        held = await self._held_or_fail(workshop_id)
        async with held.lock:
            while not held.record.code:
                code = await self._unused_code(held.id)
                await self._append(held, CodeAssigned(code=code, at=now))
            return held.record.code

    async def by_code(self, code: str) -> HeldWorkshop | None:
        """The workshop whose join code is ``code`` (normalised), or None."""
        for workshop_id in await join_codes.lookup(self._log, code):
            held = await self.refresh(workshop_id)
            if held is not None and held.record.code == code:
                return held
        return None

    async def _unused_code(self, workshop_id: str) -> str:
        """A code no workshop has, entered in the index for ``workshop_id`` (before its record)."""
        while True:
            code = join_codes.draw()
            if not await join_codes.lookup(self._log, code):
                await self._log.put_index({join_codes.entry(code, workshop_id): b""})
                return code

    async def create(
        self,
        title: str,
        scenario: str,
        now: int,
        capacity: int = DEFAULT_CAPACITY,
        start: Start = "on_join",
        copied_from: str | None = None,
    ) -> Workshop:
        """Record a new workshop: its index entries first (its code's too), then its stream's
        first record."""
        while True:
            workshop_id = "w" + secrets.token_hex(4)
            if await self.get(workshop_id) is not None:
                continue  # an id collision: draw another
            workshop = Workshop(
                id=workshop_id,
                title=title,
                scenario=scenario,
                created_at=now,
                capacity=capacity,
                start=start,
                code=await self._unused_code(workshop_id),
                copied_from=copied_from,
            )
            await self._log.put_index({IndexKey(INDEX, workshop.id): _encode(workshop)})
            try:
                await self._log.append(f"workshop:{workshop.id}", 1, [_encode(workshop)])
            except SeqConflict:  # created elsewhere meanwhile: put its own record back
                theirs = await self.get(workshop.id)
                if theirs is not None:
                    entry = {IndexKey(INDEX, workshop.id): _encode(theirs.record)}
                    await self._log.put_index(entry)
                continue
            self._keep(HeldWorkshop(workshop))
            return workshop
