"""What one append costs SQLite's writer, by table layout, with thousands of rooms live.

    python benchmarks/sqlite_layouts.py [--rooms 5000] [--history 20] [--batches 17,100]

Plain ``sqlite3`` on one thread, no event loop: the store holds ``--rooms``
streams of ``--history`` entries each (300 bytes, as an offer's event), then
commits batches of appends to rooms drawn at random, as the group commit
does when that many rooms play (open5000 commits 13-17 appends at a time,
tp1000 far more), with ``journal_mode=WAL`` and ``synchronous=FULL``. Prints
the thread's user and system CPU per commit and per append for:

- ``current``: dealroom's ``events`` table (a rowid table with the primary
  key ``(stream, seq)``, whose index entries for rooms appending at once sit
  on different pages: each append rewrites one index page in the WAL);
- ``integer-stream``: the same with an integer stream key (shorter index
  entries, more of them per page);
- ``no-index``: the rows alone, the floor of any layout that must find a
  room's events later.

docs/performance.md (fifth session) has figures and what they say.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import tempfile
from pathlib import Path

LAYOUTS = {
    "current": "stream TEXT NOT NULL, seq INTEGER NOT NULL, entry BLOB NOT NULL,"
    " PRIMARY KEY (stream, seq)",
    "integer-stream": "stream INTEGER NOT NULL, seq INTEGER NOT NULL, entry BLOB NOT NULL,"
    " PRIMARY KEY (stream, seq)",
    "no-index": "stream TEXT NOT NULL, seq INTEGER NOT NULL, entry BLOB NOT NULL",
}


def thread_cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    return usage.ru_utime, usage.ru_stime


def measure(layout: str, rooms: int, history: int, batch: int, appends: int, tmp: Path) -> str:
    conn = sqlite3.connect(tmp / f"{layout}-{batch}.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(f"CREATE TABLE events ({LAYOUTS[layout]})")
    keys: list[str] | list[int]
    if layout == "integer-stream":
        keys = list(range(rooms))
    else:
        keys = [f"room:{os.urandom(8).hex()}" for _ in range(rooms)]
    entry = os.urandom(300)
    seqs = [0] * rooms
    conn.execute("BEGIN")
    for _ in range(history):  # interleaved, as rooms playing at once leave their events
        for room in range(rooms):
            seqs[room] += 1
            conn.execute("INSERT INTO events VALUES (?, ?, ?)", (keys[room], seqs[room], entry))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    commits = max(1, appends // batch)
    user0, system0 = thread_cpu()
    for _ in range(commits):
        rows = []
        for room in random.sample(range(rooms), batch):
            seqs[room] += 1
            rows.append((keys[room], seqs[room], entry))
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO events VALUES (?, ?, ?)", rows)
        conn.execute("COMMIT")
    user1, system1 = thread_cpu()
    conn.close()
    user, system = (user1 - user0) / commits, (system1 - system0) / commits
    return (
        f"{layout:15} {batch:4} appends per commit: per commit user {user * 1e6:6.0f} us, "
        f"system {system * 1e6:6.0f} us; per append {(user + system) * 1e6 / batch:5.1f} us"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rooms", type=int, default=5000)
    parser.add_argument("--history", type=int, default=20, help="entries per room before")
    parser.add_argument("--batches", default="17,100", help="appends per commit, comma-separated")
    parser.add_argument("--appends", type=int, default=50_000, help="appends measured per line")
    args = parser.parse_args()
    print(f"sqlite {sqlite3.sqlite_version}, {args.rooms} rooms x {args.history} entries before")
    with tempfile.TemporaryDirectory() as tmp:
        for batch in (int(b) for b in args.batches.split(",")):
            for layout in LAYOUTS:
                line = measure(layout, args.rooms, args.history, batch, args.appends, Path(tmp))
                print(line, flush=True)


if __name__ == "__main__":
    main()
