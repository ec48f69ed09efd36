"""The SQLite log writer's CPU per append, under group commit, on this machine.

    python benchmarks/log_append.py                  # 1,000 rooms x 30 rounds
    python benchmarks/log_append.py --rooms 5000 --rounds 10

Each round appends one entry (an offer-sized 220 bytes) to every room's
stream at once, as 1,000 rooms in ping-pong do, so each commit takes a round's
appends together. Prints the writer thread's CPU per append (read from
/proc for that thread: the commit's SQLite work runs there, outside the GIL),
the event loop thread's, and the appends per commit. ``--layout without-rowid``
creates the file with the events table of dealroom before 2026-11-30 and
measures it as it was, unconverted, for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from dealroom.server.log import SqliteLog
from dealroom.server.log import sqlite as sqlite_log

ENTRY_BYTES = 220


def thread_cpu(native_id: int) -> float:
    """CPU seconds (user + system) of one thread of this process."""
    with open(f"/proc/self/task/{native_id}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def old_layout(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE events (stream TEXT NOT NULL, seq INTEGER NOT NULL, entry BLOB NOT NULL,"
        " PRIMARY KEY (stream, seq)) WITHOUT ROWID"
    )
    conn.close()


async def measure(path: Path, rooms: int, rounds: int) -> dict[str, float]:
    log = SqliteLog(path)
    entry = os.urandom(ENTRY_BYTES)
    streams = [f"room:{n:06d}-bench" for n in range(rooms)]
    await asyncio.gather(*(log.append(s, 1, [entry]) for s in streams))
    writer = next(t for t in threading.enumerate() if t.name == "sqlite-log-writer")
    assert writer.native_id is not None
    cpu0, main0, commits0 = thread_cpu(writer.native_id), time.thread_time(), log.commits
    for seq in range(2, rounds + 2):
        await asyncio.gather(*(log.append(s, seq, [entry]) for s in streams))
    appends = rooms * rounds
    result = {
        "writer_cpu_us_per_append": 1e6 * (thread_cpu(writer.native_id) - cpu0) / appends,
        "loop_cpu_us_per_append": 1e6 * (time.thread_time() - main0) / appends,
        "appends_per_commit": appends / max(1, log.commits - commits0),
    }
    await log.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--layout", choices=["current", "without-rowid"], default="current")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.db"
        if args.layout == "without-rowid":
            old_layout(path)
            sqlite_log._convert_events_table = lambda conn: None  # measure it unconverted
        result = asyncio.run(measure(path, args.rooms, args.rounds))
    print(
        f"{args.layout}: writer {result['writer_cpu_us_per_append']:.1f} us CPU per append,"
        f" event loop {result['loop_cpu_us_per_append']:.1f} us,"
        f" {result['appends_per_commit']:.0f} appends per commit"
        f" ({args.rooms} rooms x {args.rounds} rounds)"
    )


if __name__ == "__main__":
    main()
