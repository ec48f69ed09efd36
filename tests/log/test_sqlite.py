"""SqliteLog beyond the contract: persistence, group commit, close, durability."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dealroom.server.log import (
    IndexKey,
    LogError,
    LogUnavailable,
    SeqConflict,
    SqliteLog,
    open_log,
)


@pytest.fixture
async def log(tmp_path: Path) -> AsyncIterator[SqliteLog]:
    sqlite_log = SqliteLog(tmp_path / "events.db")
    yield sqlite_log
    await sqlite_log.close()


# --- persistence -----------------------------------------------------------------------


async def test_an_index_survives_a_reopen_and_refuses_writes_once_closed(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    first = SqliteLog(path)
    await first.put_index({IndexKey("live", "r1"): b"w1", IndexKey("live", "r2"): b""})
    await first.remove_index([IndexKey("live", "r2")])
    await first.close()
    with pytest.raises(LogUnavailable):
        await first.put_index({IndexKey("live", "r3"): b""})
    second = SqliteLog(path)
    try:
        assert await second.scan_index("live") == [("r1", b"w1")]
    finally:
        await second.close()


async def test_an_old_file_without_the_index_table_opens_and_keeps_its_events(
    tmp_path: Path,
) -> None:
    """A data dir written before indexes existed: the table is added, and the events table
    (WITHOUT ROWID then) is rewritten as a rowid table with the same rows."""
    path = tmp_path / "events.db"
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE events (stream TEXT NOT NULL, seq INTEGER NOT NULL, entry BLOB NOT NULL,"
        " PRIMARY KEY (stream, seq)) WITHOUT ROWID"
    )
    conn.executemany("INSERT INTO events VALUES (?, 1, ?)", [("room:a", b"x"), ("room:b", b"y")])
    conn.commit()
    conn.close()
    log = SqliteLog(path)
    try:
        assert await log.streams("room:") == ["room:a", "room:b"]
        assert await log.read("room:a") == [(1, b"x")]
        await log.append("room:a", 2, [b"x2"])  # the converted table keeps compare-and-set
        with pytest.raises(SeqConflict):
            await log.append("room:b", 1, [b"again"])
        assert await log.read("room:a") == [(1, b"x"), (2, b"x2")]
        assert await log.scan_index("live") == []
        await log.put_index({IndexKey("live", "a"): b""})
        assert await log.scan_index("live") == [("a", b"")]
    finally:
        await log.close()
    conn = sqlite3.connect(path)
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'events'").fetchone()
    conn.close()
    assert "WITHOUT ROWID" not in sql.upper()


async def test_streams_reads_one_row_per_stream_not_every_event(tmp_path: Path) -> None:
    """Listing streams seeks once per stream: the query plan never scans the events table."""
    log = SqliteLog(tmp_path / "events.db")
    try:
        await log.append("room:a", 1, [b"x"] * 50)
        plan = await log._read("EXPLAIN QUERY PLAN " + _streams_sql(), {"prefix": "w", "length": 1})
        details = " ".join(str(row[-1]) for row in plan)
        assert "SCAN events" not in details, details
        # the primary key's index holds the stream names: the table's rows are never read
        assert "SEARCH events USING COVERING INDEX sqlite_autoindex_events_1" in details, details
    finally:
        await log.close()


def _streams_sql() -> str:
    from dealroom.server.log import sqlite as module

    return module._STREAMS


async def test_a_reopened_file_reads_everything_back(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    first = SqliteLog(path)
    for i in range(5):
        await first.append(f"room-{i}", 1, [b"created", b"joined"])
        await first.append(f"room-{i}", 3, [b"offer-%d" % i])
    await first.close()

    second = SqliteLog(path)
    try:
        assert await second.streams() == [f"room-{i}" for i in range(5)]
        for i in range(5):
            assert await second.read(f"room-{i}") == [
                (1, b"created"),
                (2, b"joined"),
                (3, b"offer-%d" % i),
            ]
        # compare-and-set picks up where the file left off, not at seq 1
        with pytest.raises(SeqConflict) as raised:
            await second.append("room-0", 1, [b"again"])
        assert raised.value.actual == 4
        await second.append("room-0", 4, [b"accepted"])
        assert len(await second.read("room-0")) == 4
    finally:
        await second.close()


async def test_open_log_names_the_backends(tmp_path: Path) -> None:
    log = open_log("sqlite", tmp_path / "data")
    assert isinstance(log, SqliteLog)
    assert log.path == tmp_path / "data" / "events.db"
    await log.append("s", 1, [b"x"])
    await log.close()
    assert log.path.exists()


async def test_the_file_uses_wal(log: SqliteLog) -> None:
    await log.append("s", 1, [b"x"])
    conn = sqlite3.connect(log.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


# --- group commit ----------------------------------------------------------------------


@pytest.mark.parametrize("synchronous", ["full", "normal"])
async def test_concurrent_appends_share_commits(tmp_path: Path, synchronous: str) -> None:
    log = SqliteLog(tmp_path / "events.db", synchronous=synchronous)  # type: ignore[arg-type]
    try:
        rooms = 500
        await asyncio.gather(
            *(log.append(f"room-{i:03d}", 1, [b"event-%d" % i]) for i in range(rooms))
        )
        assert log.appends == rooms
        # One commit per append would be 500; group commit takes what queued up meanwhile.
        assert log.commits <= rooms // 10, f"{log.commits} commits for {rooms} appends"
        assert len(await log.streams("room-")) == rooms
        for i in range(rooms):
            assert await log.read(f"room-{i:03d}") == [(1, b"event-%d" % i)]
    finally:
        await log.close()


async def test_seq_conflict_in_a_batch_fails_only_that_request(log: SqliteLog) -> None:
    await log.append("taken", 1, [b"t1"])
    before = log.commits
    # Hold SQLite's write lock from another connection: the writer thread waits on
    # BEGIN IMMEDIATE (busy_timeout) while every request below queues up behind it.
    blocker = sqlite3.connect(log.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        tasks = [asyncio.ensure_future(log.append("plug", 1, [b"p"]))]
        await asyncio.sleep(0.05)
        tasks += [asyncio.ensure_future(log.append(f"ok-{i}", 1, [b"o%d" % i])) for i in range(5)]
        tasks.append(asyncio.ensure_future(log.append("taken", 1, [b"stale"])))  # stale seq
        tasks.append(asyncio.ensure_future(log.append("dup", 1, [b"first"])))
        tasks.append(asyncio.ensure_future(log.append("dup", 1, [b"second"])))  # same seq
        tasks += [
            asyncio.ensure_future(log.append(f"ok-{i}", 1, [b"o%d" % i])) for i in range(5, 10)
        ]
        await asyncio.sleep(0.05)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    results = await asyncio.gather(*tasks, return_exceptions=True)

    assert log.commits - before <= 2  # the plug, then everything else in one transaction
    assert results[0] is None
    assert results[1:6] == [None] * 5
    assert isinstance(results[6], SeqConflict)
    assert results[7] is None
    assert isinstance(results[8], SeqConflict)
    assert results[9:] == [None] * 5
    assert await log.read("taken") == [(1, b"t1")]
    assert await log.read("dup") == [(1, b"first")]
    for i in range(10):
        assert await log.read(f"ok-{i}") == [(1, b"o%d" % i)]


async def test_a_failed_batch_appends_nothing_and_the_writer_carries_on(log: SqliteLog) -> None:
    await log.append("s", 1, [b"a"])
    with pytest.raises(LogUnavailable):
        await log.append("s", 2, [b"b", None])  # type: ignore[list-item]  # NOT NULL fails
    assert await log.read("s") == [(1, b"a")]  # not even b"b": the transaction rolled back
    await log.append("s", 2, [b"b"])
    assert await log.read("s") == [(1, b"a"), (2, b"b")]


async def test_two_instances_never_both_append_one_seq(tmp_path: Path) -> None:
    """The primary key backs compare-and-set even when a writer's seq cache is stale."""
    path = tmp_path / "events.db"
    a, b = SqliteLog(path), SqliteLog(path)
    try:
        await a.append("s", 1, [b"a1"])
        with pytest.raises(SeqConflict):
            await b.append("s", 1, [b"b1"])  # b loads the stream's seq from the file
        await a.append("s", 2, [b"a2"])  # b's cache still says the stream is at 1
        with pytest.raises(LogError):
            await b.append("s", 2, [b"b2"])
        with pytest.raises(SeqConflict):  # the cache was reloaded after the failure
            await b.append("s", 2, [b"b2"])
        await b.append("s", 3, [b"b3"])
        assert await a.read("s") == [(1, b"a1"), (2, b"a2"), (3, b"b3")]
    finally:
        await a.close()
        await b.close()


async def test_an_unexpected_error_in_the_writer_fails_one_request_not_the_log(
    log: SqliteLog,
) -> None:
    with pytest.raises(LogError):
        await asyncio.wait_for(log.append("room-\ud800", 1, [b"x"]), timeout=1)
    await asyncio.wait_for(log.append("room-ok", 1, [b"x"]), timeout=1)
    assert await log.read("room-ok") == [(1, b"x")]


# --- close -----------------------------------------------------------------------------


async def test_appends_after_close_raise_log_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    log = SqliteLog(path)
    await log.append("s", 1, [b"a"])
    await log.close()
    with pytest.raises(LogUnavailable):
        await log.append("s", 2, [b"b"])
    with pytest.raises(LogUnavailable):
        await log.append("new", 1, [b"x"])
    reopened = SqliteLog(path)
    try:
        assert await reopened.read("s") == [(1, b"a")]
        assert await reopened.streams() == ["s"]
    finally:
        await reopened.close()


async def test_close_commits_what_is_queued(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    log = SqliteLog(path)
    tasks = [asyncio.ensure_future(log.append(f"r{i}", 1, [b"x%d" % i])) for i in range(50)]
    await asyncio.sleep(0)  # every append has queued its request
    await log.close()
    assert await asyncio.gather(*tasks) == [None] * 50
    reopened = SqliteLog(path)
    try:
        assert len(await reopened.streams("r")) == 50
    finally:
        await reopened.close()


# --- durability: an acked append survives the process being killed ----------------------

CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from dealroom.server.log import SqliteLog

    async def room(log, stream):
        seq = 1
        while True:
            await log.append(stream, seq, [f"{stream}/{seq}".encode()])
            print(f"acked {stream} {seq}", flush=True)  # only after append returned
            seq += 1

    async def main():
        log = SqliteLog(sys.argv[1], synchronous=sys.argv[2])
        print("ready", flush=True)
        await asyncio.gather(*(room(log, f"room-{i}") for i in range(8)))

    asyncio.run(main())
    """
)


@pytest.mark.parametrize("synchronous", ["full", "normal"])
async def test_acked_appends_survive_sigkill(tmp_path: Path, synchronous: str) -> None:
    path = tmp_path / "events.db"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        str(path),
        synchronous,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.stdout is not None and proc.stderr is not None
    lines: list[bytes] = []
    try:
        while sum(line.startswith(b"acked") for line in lines) < 300:
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
            if not line:
                stderr = (await proc.stderr.read()).decode(errors="replace")
                pytest.fail(f"the writer process exited early:\n{stderr}")
            lines.append(line)
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # mid-stream: appends are still in flight
        await proc.wait()
    assert proc.returncode == -signal.SIGKILL
    lines += (await proc.stdout.read()).splitlines(keepends=True)  # acks still in the pipe

    acked: dict[str, int] = {}
    for line in lines:
        if line.startswith(b"acked") and line.endswith(b"\n"):  # skip a torn last line
            _, stream, acked_seq = line.decode().split()
            acked[stream] = max(acked.get(stream, 0), int(acked_seq))
    assert sum(acked.values()) >= 300

    reopened = SqliteLog(path)
    try:
        for stream, last_acked in acked.items():
            read = await reopened.read(stream)
            seqs = [seq for seq, _ in read]
            assert seqs == list(range(1, len(read) + 1)), f"{stream} has a gap"
            assert len(read) >= last_acked, f"{stream}: acked {last_acked}, found {len(read)}"
            for seq, entry in read:
                assert entry == f"{stream}/{seq}".encode()
    finally:
        await reopened.close()
