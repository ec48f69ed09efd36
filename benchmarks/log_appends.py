"""Appends per second through each event-log backend, with many rooms appending at once.

    python benchmarks/log_appends.py [--rooms 200] [--moves 50] [--entry-bytes 200]

Each room is a task that appends one entry at a time (as a room does a move),
waiting for each append before the next: throughput comes only from appends
of different rooms sharing a commit (SQLite) or a round trip (Redis). Starts
its own Redis and 3-master Redis Cluster (Debian's redis-server, as the tests
do), both without persistence, so the figures are the log's and the network's
cost, not the disk's; SQLite runs with ``synchronous=full`` in a temp dir.
Prints one line per backend: appends/s, appends per commit or round trip,
and the per-append latency.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.redisproc

from dealroom.server.log import EventLog, SqliteLog
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


def report(name: str, elapsed: float, latencies: list[float], batches: int) -> None:
    count = len(latencies)
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"{name:14} {count / elapsed:9,.0f} appends/s  {count / batches:6.1f} appends per "
        f"commit/round trip  p50 {cuts[49] * 1000:6.2f} ms  p99 {cuts[98] * 1000:6.2f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--moves", type=int, default=50)
    parser.add_argument("--entry-bytes", type=int, default=200)
    args = parser.parse_args()
    entry = b"x" * args.entry_bytes
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = SqliteLog(Path(tmp) / "events.db")
        elapsed, latencies = await run(sqlite, args.rooms, args.moves, entry)
        await sqlite.close()
        report("sqlite full", elapsed, latencies, sqlite.commits)

        server = RedisServer(Path(tmp) / "redis")
        cluster = RedisCluster(Path(tmp) / "cluster")
        server.start()
        cluster.start()
        try:
            for name, url in (("redis", server.url), ("redis-cluster", cluster.url)):
                log = RedisLog(url)
                elapsed, latencies = await run(log, args.rooms, args.moves, entry)
                await log.close()
                report(name, elapsed, latencies, log.round_trips)
        finally:
            server.stop()
            cluster.stop()


if __name__ == "__main__":
    asyncio.run(main())
