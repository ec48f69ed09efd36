"""Build a data dir that holds a long history: many ended rooms (and a few live ones).

    python benchmarks/history.py DATA_DIR --rooms 100000 [--live 5] [--old-schema]

A year of workshops, quickly: a few template games are played once through
the real referee (decide, then fold, as the room service does), and every
room is a copy of one with its own id, workshop, label and times, encoded
with the store's own encoding (MessagePack event frames) and written as rows
straight into ``events.db`` in big transactions. Rooms come in workshops of
``--per-workshop``; each workshop has its creation record in its own stream.

By default the room directory (the log's indexes) is written too, as this
version of the server keeps it; ``--old-schema`` writes only the events, as
versions before the directory did, so that the server's first start has to
index them (the one-time migration).

Then measure start-up (see docs/performance.md, "Start-up and history")::

    python benchmarks/history.py /tmp/h100k --rooms 100000 --live 5
    python benchmarks/startup.py /tmp/h100k
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import secrets
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec

from dealroom.protocol import (
    MSGPACK,
    Accept,
    Created,
    Event,
    Offer,
    Offered,
    Scenario,
    SendMessage,
    WalkAway,
)
from dealroom.server.log import SqliteLog
from dealroom.server.log import sqlite as sqlite_log
from dealroom.server.referee import (
    Applied,
    Command,
    Join,
    Leave,
    MoveCommand,
    Tick,
    decide,
    fold,
    initial_state,
)
from dealroom.server.rooms import directory
from dealroom.server.rooms.workshop_records import Workshop
from dealroom.server.rooms.workshop_records import encode as encode_workshop_record
from dealroom.server.rooms.workshops import BUILT as WORKSHOPS_BUILT
from dealroom.server.rooms.workshops import INDEX as WORKSHOP_INDEX
from dealroom.server.scenarios import Catalog
from dealroom.server.web.bot_seats import BUILT as BOTS_BUILT

__all__ = ["main", "write_history"]

_DAY_MS = 86_400_000
_BATCH_ROOMS = 5_000


def _package(scenario: Scenario, toward: str) -> dict[str, int | str]:
    """A valid package at one end of every issue (``toward`` = "buyer" or "seller" wins)."""
    terms: dict[str, int | str] = {}
    for issue in scenario.issues:
        prefers = scenario.roles["buyer" if toward == "buyer" else "seller"].prefers[issue.id]
        if issue.kind == "options":
            terms[issue.id] = issue.options[0] if prefers == "down" else issue.options[-1]
        else:
            assert issue.min is not None and issue.max is not None
            terms[issue.id] = issue.min if prefers == "down" else issue.max
    return terms


def _play(scenario: Scenario, commands: list[Command], at: int) -> list[Event]:
    """The events the referee records for ``commands`` in a fresh room."""
    created = Created(seq=1, at=at, by="facilitator", room="template", scenario=scenario)
    state = initial_state(created)
    events: list[Event] = [created]
    for command in commands:
        decision = decide(state, command)
        assert isinstance(decision, Applied), decision
        for event in decision.events:
            fold(state, event)
        events.extend(decision.events)
    return events


def templates(scenario: Scenario, t0: int) -> list[list[Event]]:
    """Three ended games: an agreement, a walk-away, a deadline that expired."""
    buyer_wins, seller_wins = _package(scenario, "buyer"), _package(scenario, "seller")
    ids = (f"m{n}" for n in itertools.count())

    def move(role: str, kind: object, at: int) -> MoveCommand:
        return MoveCommand(role=role, move=kind, now=at)  # type: ignore[arg-type]

    opening: list[Command] = [
        Join(role="buyer", now=t0 + 1_000, name="Ana"),
        Join(role="seller", now=t0 + 2_000, name="Budi"),
        move("seller", Offer(id=next(ids), terms=seller_wins), t0 + 30_000),
        move("buyer", SendMessage(id=next(ids), text="Can you do better on that?"), t0 + 40_000),
        move("buyer", Offer(id=next(ids), terms=buyer_wins), t0 + 60_000),
    ]
    standing = max(e.seq for e in _play(scenario, opening, t0) if isinstance(e, Offered))
    accept = move("seller", Accept(id=next(ids), offer=standing), t0 + 90_000)
    agreed = _play(scenario, [*opening, accept], t0)
    walked = _play(
        scenario,
        [*opening, move("seller", WalkAway(id=next(ids), reason="too low"), t0 + 90_000)],
        t0,
    )
    deadline = t0 + 2_000 + scenario.rules.deadline_seconds * 1_000
    expired = _play(
        scenario,
        [*opening, Leave(role="buyer", now=t0 + 70_000), Tick(now=deadline + 1)],
        t0,
    )
    return [agreed, walked, expired]


def _room_rows(
    template: list[Event], room_id: str, workshop: str, label: str, shift: int
) -> Iterator[tuple[str, int, bytes]]:
    stream = f"room:{room_id}"
    for event in template:
        if isinstance(event, Created):
            event = msgspec.structs.replace(
                event, room=room_id, workshop=workshop, label=label, at=event.at + shift
            )
        else:
            event = msgspec.structs.replace(event, at=event.at + shift)
        deadline = getattr(event, "deadline", None)
        if deadline is not None:  # started, resumed, extended: the clock moves with the room
            event = msgspec.structs.replace(event, deadline=deadline + shift)
        yield stream, event.seq, MSGPACK.encode(event)


def _room_id() -> str:
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")


def write_history(
    data_dir: Path,
    rooms: int,
    live: int = 0,
    per_workshop: int = 25,
    scenario_id: str = "fleet-lease",
    old_schema: bool = False,
    now_ms: int | None = None,
) -> dict[str, float]:
    """Write ``rooms`` ended rooms (and ``live`` running ones) into ``data_dir/events.db``.

    Answers what it wrote and how long it took.
    """
    began = time.monotonic()
    scenario = Catalog([]).get(scenario_id)
    if scenario is None:
        raise SystemExit(f"no built-in scenario {scenario_id!r}")
    now = now_ms if now_ms is not None else time.time_ns() // 1_000_000
    t0 = now - 365 * _DAY_MS  # a year ago
    games = templates(scenario, t0)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "events.db"
    if path.exists():
        raise SystemExit(f"{path} exists: give an empty data dir")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")  # a generator: a crash means run it again
    if old_schema:  # as dealroom wrote it before the indexes (and before rowid storage)
        conn.execute(
            "CREATE TABLE events (stream TEXT NOT NULL, seq INTEGER NOT NULL, entry BLOB NOT NULL,"
            " PRIMARY KEY (stream, seq)) WITHOUT ROWID"
        )
    else:
        conn.executescript(sqlite_log.SCHEMA)
    step = max(1, 365 * _DAY_MS // max(rooms, 1))  # spread over the year
    events = 0
    workshop = ""
    conn.execute("BEGIN")
    for n in range(rooms + live):
        if n % per_workshop == 0:
            workshop = "w" + secrets.token_hex(4)
            record = Workshop(
                id=workshop,
                title=f"Sales academy {n // per_workshop + 1}",
                scenario=scenario.id,
                created_at=t0 + n * step,
            )
            conn.execute(
                "INSERT INTO events VALUES (?, 1, ?)",
                (f"workshop:{workshop}", encode_workshop_record(record)),
            )
            if not old_schema:
                conn.execute(
                    "INSERT INTO indexes VALUES (?, ?, ?)",
                    (WORKSHOP_INDEX, workshop, encode_workshop_record(record)),
                )
        room_id, label = _room_id(), f"Room {n % per_workshop + 1}"
        if n < rooms:
            template, shift = games[n % len(games)], n * step
        else:  # live: started a minute ago, its deadline still ahead
            template, shift = games[0][:4], now - 60_000 - t0
        rows = list(_room_rows(template, room_id, workshop, label, shift))
        conn.executemany("INSERT INTO events VALUES (?, ?, ?)", rows)
        events += len(rows)
        if not old_schema:
            created = msgspec.msgpack.decode(rows[0][2], type=Created)
            entries = directory.entries(created, live=n >= rooms)
            conn.executemany(
                "INSERT OR REPLACE INTO indexes VALUES (?, ?, ?)",
                [(key.name, key.key, value) for key, value in entries.items()],
            )
        if n % _BATCH_ROOMS == _BATCH_ROOMS - 1:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
    if not old_schema:  # every index complete, as this version keeps them from the start
        for key in (directory.BUILT, WORKSHOPS_BUILT, BOTS_BUILT):
            conn.execute("INSERT INTO indexes VALUES (?, ?, ?)", (key.name, key.key, b""))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    # Open it once as the server will: the schema is the store's own.
    if not old_schema:
        _check(path)
    return {
        "rooms": rooms,
        "live": live,
        "workshops": -(-(rooms + live) // per_workshop),
        "events": events,
        "bytes": path.stat().st_size,
        "seconds": round(time.monotonic() - began, 1),
    }


def _check(path: Path) -> None:
    """Open the file as the server will: the store's own schema must accept it as it is."""

    async def check() -> None:
        await SqliteLog(path).close()

    asyncio.run(check())


def main(argv: list[str] | None = None) -> int:
    """The command line above."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--rooms", type=int, default=100_000, help="ended rooms")
    parser.add_argument("--live", type=int, default=0, help="running rooms besides them")
    parser.add_argument("--per-workshop", type=int, default=25)
    parser.add_argument("--scenario", default="fleet-lease")
    parser.add_argument(
        "--old-schema", action="store_true", help="no room directory, as older versions wrote"
    )
    args = parser.parse_args(argv)
    written = write_history(
        args.data_dir, args.rooms, args.live, args.per_workshop, args.scenario, args.old_schema
    )
    print(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
