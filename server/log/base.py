"""The event log interface: append-only, gapless streams of opaque entries.

A stream is one room's log (or a workshop's). Entries are bytes: encoding is
not the log's business. ``append`` is compare-and-set on the expected next seq
(DESIGN.md principle 2): of two writers that both try to append seq N, exactly
one succeeds and the other gets :class:`SeqConflict`. ``append`` returns only
once the entries are durable for the backend's durability setting.

Beside the streams, a log keeps small **indexes**: named maps of key to
value (which rooms are live, each workshop's rooms, the bot seats to resume),
so that start-up reads what is live instead of every stream ever written
(DESIGN.md principle 7). Index writes are separate, idempotent operations,
not part of an append: an index spans rooms, and on a sharded store (Redis
Cluster) one room's stream and a cross-room index cannot share an atomic step.
Callers order them instead: an entry that says "this room is live" is put
before the room's first event and removed only after its last one is
durable, so a crash leaves at worst a stale entry, which start-up cleans.

**Wake-ups.** Where several nodes share a log (Redis), a node that holds a
room in memory asks to be woken when another node appends to its stream
(:meth:`EventLog.watch`). A wake-up carries the stream's last seq and nothing
else (DESIGN.md principle 4): the node reads what it lacks from the log, so a
lost or late wake-up costs a read, never an event. A backend that may have
lost some (its notification channel reconnected) wakes every watcher with
``None``: "read, you may be behind". A backend with one writer per store
(SQLite: one server per data dir) has nobody to wake.

Every backend passes the same contract suite (``tests/log/test_contract.py``).
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple, Protocol

from ..metrics.histogram import Histogram

__all__ = [
    "EventLog",
    "HistoryLost",
    "IndexKey",
    "LogError",
    "LogUnavailable",
    "SeqConflict",
    "Wake",
]

Wake = Callable[[str, "int | None"], None]
"""Called on the event loop as ``wake(stream, last_seq)``, or ``wake(stream, None)``
when wake-ups may have been lost."""


class LogError(Exception):
    """Base of the log's exceptions."""


class SeqConflict(LogError):
    """The stream's next seq is not the one the writer expected: someone else appended.

    ``actual`` is the stream's next seq. Above ``expected``: another writer got
    there first (catch up and decide again). Below it: the store lost entries
    (see :class:`HistoryLost`).
    """

    def __init__(self, stream: str, expected: int, actual: int) -> None:
        self.stream = stream
        self.expected = expected
        self.actual = actual
        super().__init__(f"{stream}: expected next seq {expected}, the log is at {actual - 1}")

    @property
    def behind(self) -> bool:
        """The store holds less than the writer has seen: it lost history."""
        return self.actual < self.expected


class LogUnavailable(LogError):
    """The backend failed; nothing from the failed call was appended."""


class HistoryLost(LogUnavailable):
    """The store holds fewer entries of a stream than a writer has already seen.

    A log only grows, so this is damage, not a race: the store lost entries
    it had acknowledged (a Redis restarted without persistence, or restored
    from an old backup). Nothing was appended: writing at the store's next
    seq would put new events where acknowledged ones were, a silent rewrite
    of history. Raised by the writer that notices it (the room service), from
    the :class:`SeqConflict` whose ``actual`` is below its ``expected``.
    """

    def __init__(self, stream: str, held: int, stored: int) -> None:
        self.stream = stream
        self.held = held
        self.stored = stored
        super().__init__(
            f"the store lost the history of {stream}: it holds {stored} events, "
            f"{held} were acknowledged; no move can be saved over the gap"
        )


class Pending(Protocol):
    """A queued call of a batching backend: its caller's future or callback, and its outcome."""

    @property
    def future(self) -> asyncio.Future[None] | None:
        """Where the caller waits (None: it gave a callback)."""

    @property
    def done(self) -> Callable[[BaseException | None], None] | None:
        """What to call with the outcome instead of a future."""

    @property
    def error(self) -> BaseException | None:
        """Why the call failed; None if it succeeded."""


def settle(requests: Iterable[Pending]) -> None:
    """Hand each batched call its outcome (on the caller's loop); a cancelled caller has none."""
    for request in requests:
        future = request.future
        if future is None:
            assert request.done is not None
            try:
                request.done(request.error)
            except Exception:  # one caller's bug must not keep the others waiting
                logging.getLogger(__name__).exception("an append's callback failed")
            continue
        resolve(future, request.error)


def resolve(future: asyncio.Future[None], error: BaseException | None) -> None:
    """Give a waiting caller its outcome; a cancelled caller has none."""
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


_appending: set[asyncio.Task[None]] = set()


def _appended(task: asyncio.Task[None], done: Callable[[BaseException | None], None]) -> None:
    _appending.discard(task)
    done(None if task.cancelled() else task.exception())


class IndexKey(NamedTuple):
    """One entry's place: which index (``name``), which key in it."""

    name: str
    key: str


class EventLog(ABC):
    """An append-only store of gapless entry sequences, one per stream."""

    shared: bool = False
    """Several nodes append to this store at once (Redis): they must agree through it
    on what one node would simply do (server/nodes.py)."""
    degraded: str | None = None
    """Why the backend is failing now (its last call failed), None while it works:
    ``/healthz`` reports it. A backend that fails only by raising leaves it None."""

    append_latency: Histogram
    """Seconds each :meth:`append` took, from the call to its return (queueing for a
    group commit or a pipeline included), whatever it returned or raised: ``/metrics``
    exports it. Each backend makes its own in ``__init__``."""

    @abstractmethod
    async def append(self, stream: str, expected_seq: int, entries: Sequence[bytes]) -> None:
        """Append ``entries`` as seqs ``expected_seq, expected_seq + 1, ...``, durably.

        Raises:
            SeqConflict: the stream's next seq is not ``expected_seq``; nothing appended.
            LogUnavailable: the backend failed; nothing appended.
        """

    def append_soon(
        self,
        stream: str,
        expected_seq: int,
        entries: Sequence[bytes],
        done: Callable[[BaseException | None], None],
    ) -> None:
        """:meth:`append`, then ``done(None)``, or ``done(error)`` with what it would raise.

        For the hot path: a backend that batches (group commit) calls ``done``
        from its batch's completion, with no future or task per append.
        """
        task = asyncio.ensure_future(self.append(stream, expected_seq, entries))
        _appending.add(task)
        task.add_done_callback(lambda t: _appended(t, done))

    @abstractmethod
    async def read(self, stream: str, after: int = 0) -> list[tuple[int, bytes]]:
        """Entries with seq > ``after``, in order, as (seq, entry) pairs."""

    @abstractmethod
    async def streams(self, prefix: str = "") -> list[str]:
        """Every stream whose name starts with ``prefix``, sorted."""

    @abstractmethod
    async def put_index(self, entries: Mapping[IndexKey, bytes]) -> None:
        """Set each entry (replacing its value if present), durably, all or none.

        Raises:
            LogUnavailable: the backend failed; nothing set.
        """

    @abstractmethod
    async def remove_index(self, keys: Iterable[IndexKey]) -> None:
        """Remove each entry, durably; a key that is not there is no error.

        Raises:
            LogUnavailable: the backend failed; nothing removed.
        """

    @abstractmethod
    async def scan_index(self, index: str) -> list[tuple[str, bytes]]:
        """Every (key, value) of ``index``, sorted by key; empty if it holds nothing."""

    def watch(self, stream: str, wake: Wake) -> None:
        """Call ``wake`` when ``stream`` may have grown by another writer's append.

        It may also be called for this writer's own appends (the seq then
        tells the caller it already holds them). A backend with one writer
        never calls it.
        """
        return None  # one writer per store (this default): nobody else appends

    def unwatch(self, stream: str, wake: Wake) -> None:
        """Stop calling ``wake`` for ``stream``; nothing happens if it was not watching."""
        return None

    @abstractmethod
    async def close(self) -> None:
        """Flush what is pending and release the backend."""
