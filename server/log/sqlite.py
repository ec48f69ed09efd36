"""SQLite event log: the embedded default, with group commit.

One writer thread owns the write connection. Appends from every room queue up
while a commit is in flight and the next transaction takes them all, so one
fsync covers the moves of many rooms (group commit): durability does not cap
throughput at one fsync per move (DESIGN.md principle 2).

Durability, by ``synchronous`` setting (WAL journal in both):

============  ==============  ===========  ============
setting       process killed  OS crash     power loss
============  ==============  ===========  ============
``full``      nothing lost    nothing lost nothing lost (if the disk honours flushes)
``normal``    nothing lost    last commits may be lost; the database stays consistent
============  ==============  ===========  ============

An acked move is in a committed transaction: with ``full`` (the default) the
WAL was fsynced before the ack.

Compare-and-set: the writer checks each append's expected seq against the
stream's last seq (cached, loaded once per stream) inside the transaction, and
the primary key (stream, seq) backs it: two appends of one seq never both land.

Indexes (:meth:`~.base.EventLog.put_index`) live in their own table, written
by a second connection on its own thread, so the group-commit writer's loop
stays as it is. Index writes are rare (a room created or ended, a bot
seated) and coalesce: whatever queues up during one index transaction goes in
the next. WAL allows one writer at a time, so an index transaction can hold
the writer up by about one commit; that happens once per room, not per move.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

from ..metrics.histogram import Histogram
from .base import EventLog, IndexKey, LogUnavailable, SeqConflict, resolve, settle

__all__ = ["SqliteLog", "Synchronous", "create_store"]

log = logging.getLogger(__name__)

Synchronous = Literal["full", "normal"]

# `events` is a rowid table: rows go in at the end of the table in commit order,
# and only the small (stream, seq) key goes into the primary key's index. A
# WITHOUT ROWID table kept each entry inside that key's B-tree, so a commit of
# moves from 1,000 rooms rewrote (and wrote to the WAL) about one page per room:
# the writer spent 2-4 times the CPU per append (benchmarks/log_appends.py
# --sqlite-layout).
# Files written that way are converted when opened.
_EVENTS = """
CREATE TABLE IF NOT EXISTS {name} (
    stream TEXT NOT NULL,
    seq INTEGER NOT NULL,
    entry BLOB NOT NULL,
    PRIMARY KEY (stream, seq)
)
"""

SCHEMA = (
    _EVENTS.format(name="events")
    + """;
CREATE TABLE IF NOT EXISTS indexes (
    name TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (name, key)
) WITHOUT ROWID;
"""
)

# The distinct streams from `prefix` on, one primary-key seek each (a "loose index
# scan"): `SELECT DISTINCT stream` would read every event of every stream, so
# listing 3,000 workshops would cost as much as reading a year of rooms.
_STREAMS = """
WITH RECURSIVE found(stream) AS (
    SELECT (SELECT stream FROM events WHERE stream >= :prefix ORDER BY stream LIMIT 1)
    UNION ALL
    SELECT (SELECT stream FROM events WHERE stream > found.stream ORDER BY stream LIMIT 1)
    FROM found
    WHERE found.stream IS NOT NULL AND substr(found.stream, 1, :length) = :prefix
)
SELECT stream FROM found
WHERE stream IS NOT NULL AND substr(stream, 1, :length) = :prefix
"""


def _connect(path: Path, synchronous: Synchronous) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous.upper()}")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def _create(path: Path, synchronous: Synchronous) -> sqlite3.Connection:
    """A connection to the store at ``path``, its tables created if new."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = _connect(path, synchronous)
        try:
            conn.executescript(SCHEMA)
            _convert_events_table(conn)
        except sqlite3.Error:
            conn.close()
            raise
    except (sqlite3.Error, OSError) as exc:
        raise LogUnavailable(f"sqlite: {exc}") from exc
    return conn


def _convert_events_table(conn: sqlite3.Connection) -> None:
    """Rewrite an ``events`` table made WITHOUT ROWID (before 2026-11-30) as a rowid table.

    One transaction: a crash in the middle leaves the old table as it was.
    """
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'events'").fetchone()
    if "WITHOUT ROWID" not in sql.upper():
        return
    started = time.monotonic()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_EVENTS.format(name="events_converted"))
        conn.execute(
            "INSERT INTO events_converted (stream, seq, entry)"
            " SELECT stream, seq, entry FROM events ORDER BY stream, seq"
        )
        conn.execute("DROP TABLE events")
        conn.execute("ALTER TABLE events_converted RENAME TO events")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    log.info("converted the events table to rowid storage in %.1f s", time.monotonic() - started)


def create_store(path: str | Path, synchronous: Synchronous = "full") -> None:
    """Create the store's file and tables now (``dealroom serve`` does, before it writes
    its keys: a first start that fails for lack of space leaves no keys beside an empty
    store, which a later start would take for a store that lost its rooms)."""
    _create(Path(path), synchronous).close()


@dataclass(slots=True)
class _Append:
    stream: str
    expected_seq: int
    entries: Sequence[bytes]
    done: Callable[[BaseException | None], None]
    loop: asyncio.AbstractEventLoop
    error: BaseException | None = field(default=None)
    future: None = None
    """Always None here: every caller gets a callback (``append`` resolves its future in it)."""


_STOP = object()


class SqliteLog(EventLog):
    """Streams in one SQLite file (WAL), appended through a group-commit writer thread."""

    def __init__(self, path: str | Path, synchronous: Synchronous = "full") -> None:
        self.path = Path(path)
        self.synchronous = synchronous
        self._queue: queue.SimpleQueue[list[_Append] | object] = queue.SimpleQueue()
        self._staged: list[_Append] = []
        self._staged_loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self.commits = 0
        """Transactions committed so far (appends / commits = the batching factor)."""
        self.appends = 0
        self.append_latency = Histogram()
        conn = _create(self.path, synchronous)
        self._writer_conn = conn
        self._writer = threading.Thread(target=self._write_loop, name="sqlite-log-writer")
        self._writer.daemon = True
        self._writer.start()
        # Reads run on one thread with their own connection: WAL lets them proceed
        # beside the writer.
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-log-reader")
        self._reader_conn: sqlite3.Connection | None = None
        self._indexer = _Indexer(self)

    def _connect(self) -> sqlite3.Connection:
        return _connect(self.path, self.synchronous)

    async def append(self, stream: str, expected_seq: int, entries: Sequence[bytes]) -> None:
        """See :meth:`EventLog.append`; returns after the batch's commit."""
        future = asyncio.get_running_loop().create_future()
        self.append_soon(stream, expected_seq, entries, partial(resolve, future))
        await future

    def append_soon(
        self,
        stream: str,
        expected_seq: int,
        entries: Sequence[bytes],
        done: Callable[[BaseException | None], None],
    ) -> None:
        """See :meth:`EventLog.append_soon`: queued for the next group commit, no future."""
        if self._closed:
            raise LogUnavailable("the log is closed")
        began = time.monotonic()

        def settled(error: BaseException | None) -> None:
            self.append_latency.observe(time.monotonic() - began)
            done(error)

        # One hand-over per turn of the event loop, not one per append: the
        # writer wakes once and commits the turn's appends together, instead of
        # starting a commit for the first one while the loop is still judging
        # the rest. The loop is looked up once per turn too: on CPython 3.11
        # ``get_running_loop`` makes a getpid system call each time.
        staged = self._staged
        loop = self._staged_loop
        if not staged or loop is None:
            loop = self._staged_loop = asyncio.get_running_loop()
            loop.call_soon(self._hand_over)
        staged.append(_Append(stream, expected_seq, entries, settled, loop))

    def _hand_over(self) -> None:
        staged, self._staged = self._staged, []
        if staged:
            self._queue.put(staged)

    def _write_loop(self) -> None:
        last_seq: dict[str, int] = {}
        conn = self._writer_conn
        while True:
            first = self._queue.get()
            if first is _STOP:
                break
            assert isinstance(first, list)
            requests = first
            stop = False
            while True:  # take everything that queued up during the last commit
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                assert isinstance(item, list)
                requests += item
            self._commit(conn, requests, last_seq)
            _resolve(requests)
            if stop:
                break
        conn.close()

    def _commit(
        self, conn: sqlite3.Connection, requests: list[_Append], last_seq: dict[str, int]
    ) -> None:
        tentative: dict[str, int] = {}  # last seqs as this batch leaves them
        rows: list[tuple[str, int, bytes]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for request in requests:
                stream = request.stream
                last = tentative.get(stream)
                if last is None:
                    last = last_seq.get(stream)
                if last is None:
                    row = conn.execute(
                        "SELECT MAX(seq) FROM events WHERE stream = ?", (stream,)
                    ).fetchone()
                    last = row[0] or 0
                seq = request.expected_seq
                if seq != last + 1:
                    request.error = SeqConflict(stream, seq, last + 1)
                    tentative[stream] = last
                    continue
                for entry in request.entries:
                    rows.append((stream, seq, entry))
                    seq += 1
                tentative[stream] = seq - 1
            # One statement for the whole batch: per-request statements cost the
            # writer a third more CPU per append.
            conn.executemany("INSERT INTO events (stream, seq, entry) VALUES (?, ?, ?)", rows)
            conn.execute("COMMIT")
        except Exception as exc:  # any failure must settle the batch, or callers wait forever
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            failure = LogUnavailable(f"sqlite: {exc!r}")
            for request in requests:
                request.error = request.error or failure
            last_seq.clear()  # the cache may be wrong now: reload from the file
            return
        last_seq.update(tentative)
        self.commits += 1
        self.appends += len(requests)

    async def read(self, stream: str, after: int = 0) -> list[tuple[int, bytes]]:
        """See :meth:`EventLog.read`."""
        return await self._read(
            "SELECT seq, entry FROM events WHERE stream = ? AND seq > ? ORDER BY seq",
            (stream, min(max(after, 0), 2**63 - 1)),  # SQLite integers are 64-bit
        )

    async def streams(self, prefix: str = "") -> list[str]:
        """See :meth:`EventLog.streams`."""
        # A prefix compare rather than LIKE, whose wildcards (% and _) would match too much;
        # `stream >= prefix` lets the primary key skip what sorts before it.
        rows = await self._read(_STREAMS, {"prefix": prefix, "length": len(prefix)})
        return [row[0] for row in rows]

    async def put_index(self, entries: Mapping[IndexKey, bytes]) -> None:
        """See :meth:`EventLog.put_index`; returns after the index transaction's commit."""
        rows = [(index, key, bytes(value)) for (index, key), value in entries.items()]
        await self._indexer.write(rows, [])

    async def remove_index(self, keys: Iterable[IndexKey]) -> None:
        """See :meth:`EventLog.remove_index`; returns after the index transaction's commit."""
        await self._indexer.write([], [(index, key) for index, key in keys])

    async def scan_index(self, index: str) -> list[tuple[str, bytes]]:
        """See :meth:`EventLog.scan_index`."""
        rows = await self._read(
            "SELECT key, value FROM indexes WHERE name = ? ORDER BY key", (index,)
        )
        return [(key, bytes(value)) for key, value in rows]

    async def _read(self, sql: str, args: tuple[object, ...] | dict[str, object]) -> list[Any]:
        def run() -> list[Any]:
            if self._reader_conn is None:
                self._reader_conn = self._connect()
            return self._reader_conn.execute(sql, args).fetchall()

        try:
            return await asyncio.get_running_loop().run_in_executor(self._reader, run)
        except sqlite3.Error as exc:
            raise LogUnavailable(f"sqlite: {exc}") from exc

    async def close(self) -> None:
        """Commit what is queued, stop the writer, close both connections."""
        if self._closed:
            return
        self._closed = True
        await self._indexer.close()
        self._hand_over()  # what this turn staged is committed before the writer stops
        self._queue.put(_STOP)
        await asyncio.to_thread(self._writer.join)

        def close_reader() -> None:
            if self._reader_conn is not None:
                self._reader_conn.close()

        await asyncio.get_running_loop().run_in_executor(self._reader, close_reader)
        self._reader.shutdown(wait=True)


_Put = tuple[str, str, bytes]
_Remove = tuple[str, str]


class _Indexer:
    """The index table's writer: its own connection and thread, one transaction per batch.

    Calls that arrive while a transaction is in flight wait for the next one,
    which takes them all (the same group commit as the event writer's).
    """

    def __init__(self, owner: SqliteLog) -> None:
        self._owner = owner
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-log-index")
        self._conn: sqlite3.Connection | None = None
        self._pending: list[tuple[list[_Put], list[_Remove], asyncio.Future[None]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def write(self, puts: list[_Put], removes: list[_Remove]) -> None:
        if self._owner._closed:
            raise LogUnavailable("the log is closed")
        if not puts and not removes:
            return
        future = asyncio.get_running_loop().create_future()
        self._pending.append((puts, removes, future))
        if self._flushing is None:
            self._flushing = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                changes = [(puts, removes) for puts, removes, _ in batch]
                try:
                    await loop.run_in_executor(self._thread, self._commit, changes)
                except Exception as exc:  # settle every caller, or they wait forever
                    failure = LogUnavailable(f"sqlite: {exc!r}")
                    for *_, future in batch:
                        if not future.done():
                            future.set_exception(failure)
                    continue
                for *_, future in batch:
                    if not future.done():
                        future.set_result(None)
        finally:
            self._flushing = None

    def _commit(self, changes: list[tuple[list[_Put], list[_Remove]]]) -> None:
        if self._conn is None:
            self._conn = self._owner._connect()
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            # In call order: a remove queued after a put of the same key wins, and so on.
            for puts, removes in changes:
                conn.executemany("DELETE FROM indexes WHERE name = ? AND key = ?", removes)
                conn.executemany(
                    "INSERT OR REPLACE INTO indexes (name, key, value) VALUES (?, ?, ?)", puts
                )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise

    async def close(self) -> None:
        if self._flushing is not None:
            await asyncio.gather(self._flushing, return_exceptions=True)

        def close_conn() -> None:
            if self._conn is not None:
                self._conn.close()

        await asyncio.get_running_loop().run_in_executor(self._thread, close_conn)
        self._thread.shutdown(wait=True)


def _resolve(requests: list[_Append]) -> None:
    """Hand each result back to its event loop: one callback per loop per batch."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Append]] = {}
    for request in requests:
        by_loop.setdefault(request.loop, []).append(request)
    for loop, items in by_loop.items():
        # A closed loop has nobody waiting any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, items)
