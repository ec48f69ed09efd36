"""Appends per second through each event-log backend, with many rooms appending at once.

    python benchmarks/log_appends.py [--rooms 200] [--moves 50] [--entry-bytes 200]

Each room is a task that appends one entry at a time (as a room does a move),
waiting for each append before the next: throughput comes only from appends
of different rooms sharing a commit (SQLite) or a round trip (Redis). Starts
its own Redis and 3-master Redis Cluster (Debian's redis-server, as the tests
do), both without persistence, so the figures are the log's and the network's
cost, not the disk's; SQLite runs with ``synchronous=full`` in a temp dir.
Prints one line per backend: appends/s, appends per commit or round trip,
the per-append latency, and the CPU each append cost: this process's (the
event loop, and SQLite's writer thread, which does the commit's work outside
the GIL) and, for Redis, the redis-server processes' (read from /proc).
``--sqlite-layout without-rowid`` measures SQLite with the events table that
dealroom made before 2026-11-30 (entries inside the key's B-tree), unconverted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.redisproc

from dealroom.server.log import EventLog, SqliteLog
from dealroom.server.log import sqlite as sqlite_log
from dealroom.server.log.redis import RedisLog
from tests.redisproc import RedisCluster, RedisServer


async def run(log: EventLog, rooms: int, moves: int, entry: bytes) -> tuple[float, list[float]]:
    latencies: list[float] = []

    async def room(n: int) -> None:
        for seq in range(1, moves + 1):
            began = time.perf_counter()
            await log.append(f"room:{n}", seq, [entry])
            latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(room(n) for n in range(rooms)))
    return time.perf_counter() - began, latencies


def cpu_seconds(stat_files: Iterable[str]) -> float:
    """User + system CPU seconds from /proc/PID/stat or /proc/self/task/TID/stat files."""
    total = 0
    for path in stat_files:
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def report(
    name: str, elapsed: float, latencies: list[float], batches: int, cpu: dict[str, float]
) -> None:
    count = len(latencies)
    cuts = statistics.quantiles(latencies, n=100)
    spent = "  ".join(f"{who} {1e6 * seconds / count:5.1f}" for who, seconds in cpu.items())
    print(
        f"{name:14} {count / elapsed:9,.0f} appends/s  {count / batches:6.1f} appends per "
        f"commit/round trip  p50 {cuts[49] * 1000:6.2f} ms  p99 {cuts[98] * 1000:6.2f} ms  "
        f"CPU us per append: {spent}"
    )


def without_rowid(path: Path) -> None:
    """Create the events table as dealroom did before 2026-11-30, and keep it so."""
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE events (stream TEXT NOT NULL, seq INTEGER NOT NULL, entry BLOB NOT NULL,"
        " PRIMARY KEY (stream, seq)) WITHOUT ROWID"
    )
    conn.close()
    sqlite_log._convert_events_table = lambda conn: None


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--moves", type=int, default=50)
    parser.add_argument("--entry-bytes", type=int, default=200)
    parser.add_argument("--sqlite-layout", choices=["current", "without-rowid"], default="current")
    parser.add_argument("--sqlite-only", action="store_true", help="skip Redis")
    args = parser.parse_args()
    entry = b"x" * args.entry_bytes
    with tempfile.TemporaryDirectory() as tmp:
        if args.sqlite_layout == "without-rowid":
            without_rowid(Path(tmp) / "events.db")
        sqlite = SqliteLog(Path(tmp) / "events.db")
        writer = [f"/proc/self/task/{sqlite._writer.native_id}/stat"]
        loop0, writer0 = time.thread_time(), cpu_seconds(writer)
        elapsed, latencies = await run(sqlite, args.rooms, args.moves, entry)
        cpu = {
            "loop": time.thread_time() - loop0,
            "writer": cpu_seconds(writer) - writer0,
        }
        await sqlite.close()
        report(f"sqlite full ({args.sqlite_layout})", elapsed, latencies, sqlite.commits, cpu)
        if args.sqlite_only:
            return

        server = RedisServer(Path(tmp) / "redis")
        cluster = RedisCluster(Path(tmp) / "cluster")
        server.start()
        cluster.start()
        try:
            for name, url, servers in (
                ("redis", server.url, [server]),
                ("redis-cluster", cluster.url, cluster.nodes),
            ):
                log = RedisLog(url)
                pids = [f"/proc/{s.proc.pid}/stat" for s in servers if s.proc is not None]
                loop0, redis0 = time.thread_time(), cpu_seconds(pids)
                elapsed, latencies = await run(log, args.rooms, args.moves, entry)
                cpu = {"loop": time.thread_time() - loop0, "redis": cpu_seconds(pids) - redis0}
                await log.close()
                report(name, elapsed, latencies, log.round_trips, cpu)
        finally:
            server.stop()
            cluster.stop()


if __name__ == "__main__":
    asyncio.run(main())
