"""A room as one node holds it: the folded state, its events, who is listening."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter, deque
from types import TracebackType
from typing import Protocol

from dealroom.protocol import Actor, Codec, Event, Role

from ..referee import RoomState

__all__ = ["Room", "RoomLock", "Subscriber", "room_of", "stream_of"]

_STREAM_PREFIX = "room:"


def stream_of(room_id: str) -> str:
    """The log stream that holds a room."""
    return _STREAM_PREFIX + room_id


def room_of(stream: str) -> str | None:
    """The room whose stream is ``stream``; None for another kind of stream."""
    return stream[len(_STREAM_PREFIX) :] if stream.startswith(_STREAM_PREFIX) else None


class Subscriber(Protocol):
    """Something that receives a room's encoded frames (a WebSocket connection)."""

    @property
    def viewer(self) -> Actor:
        """Whose eyes: a seat's role, an observer or the facilitator."""

    @property
    def codec(self) -> Codec:
        """The wire format this subscriber reads."""

    def deliver(self, frame: bytes) -> None:
        """Queue one encoded frame; must not block."""

    async def send(self, frame: bytes) -> None:
        """Send one encoded frame as fast as the subscriber reads (a replay's pace)."""


class RoomLock:
    """One command at a time per room, first come first served, also from plain callbacks.

    :class:`asyncio.Lock`'s behaviour (``async with``, FIFO) plus
    :meth:`try_acquire`, which a move judged straight from the socket's data
    callback uses (see server/web/ws.py): it takes the lock only when nobody
    holds it or waits for it, so it never overtakes a command already waiting.
    A release hands the lock to the first waiter directly; nothing can slip in
    between.
    """

    __slots__ = ("_held", "_waiters")

    def __init__(self) -> None:
        self._held = False
        self._waiters: deque[asyncio.Future[None]] = deque()

    def locked(self) -> bool:
        """Held, or about to be handed to a waiter."""
        return self._held

    def try_acquire(self) -> bool:
        """Take the lock now if it is free and nobody waits; whether it was taken."""
        if self._held:
            return False
        self._held = True
        return True

    async def acquire(self) -> None:
        """Take the lock, after everyone who asked before."""
        if not self._held:
            self._held = True
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed over as we were cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):  # release() dropped it already
                    self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        """Hand the lock to the first waiter still waiting, or free it."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._held = False

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


class Room:
    """One room on this node. Only :class:`~.service.RoomService` changes it."""

    __slots__ = (
        "__weakref__",
        "announced",
        "attaching",
        "events",
        "following",
        "id",
        "leaving",
        "lock",
        "presence",
        "stale",
        "state",
        "subscribers",
        "timer",
        "watched",
    )

    def __init__(self, state: RoomState, events: list[Event]) -> None:
        self.id = state.room
        self.state = state
        self.events = events
        """Every event, in order: ``events[i].seq == i + 1``."""
        self.subscribers: set[Subscriber] = set()
        self.presence: Counter[Role] = Counter()
        """Open connections per seat on this node."""
        self.leaving: dict[Role, asyncio.TimerHandle] = {}
        """Seats whose last connection closed: their ``left`` waits out the grace period."""
        self.lock = RoomLock()
        self.timer: asyncio.TimerHandle | None = None
        self.stale = False
        """True when an append's fate is unknown: catch up from the log before the next use."""
        self.announced = 0
        """The highest seq a wake-up announced beyond this copy (0: none pending): catch up."""
        self.following: asyncio.Task[None] | None = None
        """The catch-up that wake-ups started, while it runs."""
        self.watched = False
        """This node is woken by other nodes' appends (it has local subscribers)."""
        self.attaching = 0
        """Subscribers on their way in (welcomed, being replayed to): they need wake-ups too."""

    @property
    def stream(self) -> str:
        """This room's log stream."""
        return stream_of(self.id)
