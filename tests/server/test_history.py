"""A data dir with a long history: the server holds the live rooms, loads the rest on demand.

Issue 11 / DESIGN.md principle 7: start-up and memory grow with the rooms that
are live, not with history. The data dirs here are built by
benchmarks/history.py (2,000 ended rooms and 3 live ones in workshops of 25);
the same script builds the 100,000-room one that docs/performance.md measures.
These tests assert behaviour, never speed.
"""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import socket
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import msgspec
import pytest
from aiohttp.test_utils import TestServer

from dealroom.server.config import Settings
from dealroom.server.log import IndexKey, SqliteLog
from dealroom.server.referee import Phase
from dealroom.server.rooms import RoomService, directory
from dealroom.server.rooms.service import now_ms
from dealroom.server.rooms.workshops import Workshops
from dealroom.server.web import make_app
from dealroom.server.web.bot_seats import BotSeat
from dealroom.server.web.keys import BOT_TASKS, LOG, ROOMS, TOKENS, WORKSHOPS

from .wsclient import WsClient

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "history-test-token"
ENDED, LIVE, PER_WORKSHOP = 2000, 3, 25


def _history() -> ModuleType:
    spec = importlib.util.spec_from_file_location("history", ROOT / "benchmarks" / "history.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One generated data dir per module; each test gets a copy."""
    data = tmp_path_factory.mktemp("history") / "data"
    _history().write_history(data, ENDED, LIVE, PER_WORKSHOP)
    return data


@pytest.fixture
def data_dir(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(built, copy)
    return copy


def _streams(data: Path) -> dict[str, list[str]]:
    """Room ids by state, read straight from the file (the test's own view of the truth)."""
    conn = sqlite3.connect(data / "events.db")
    try:
        counts = dict(
            conn.execute(
                "SELECT stream, MAX(seq) FROM events WHERE stream >= 'room:' GROUP BY stream"
            )
        )
    finally:
        conn.close()
    rooms = {s.removeprefix("room:"): n for s, n in counts.items() if s.startswith("room:")}
    return {  # a live room of benchmarks/history.py: created, two joins, started
        "live": sorted(r for r, n in rooms.items() if n == 4),
        "ended": sorted(r for r, n in rooms.items() if n != 4),
    }


@dataclass
class Served:
    base: str
    ws_url: str
    session: aiohttp.ClientSession
    app: Any

    async def api(self, method: str, path: str) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with self.session.request(method, self.base + path, headers=headers) as r:
            body = await (r.json() if r.content_type == "application/json" else r.text())
            return r.status, body


Serve = Callable[[Path], Awaitable[Served]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    running: list[tuple[TestServer, aiohttp.ClientSession]] = []

    async def start(data: Path) -> Served:
        with socket.socket() as sock:  # the app's own port: resumed bots connect to it
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        app = make_app(Settings(data_dir=data, facilitator_token=TOKEN, port=port))
        server = TestServer(app, host="127.0.0.1", port=port)
        await server.start_server()
        session = aiohttp.ClientSession()
        running.append((server, session))
        base = str(server.make_url("")).rstrip("/")
        return Served(base, base.replace("http", "ws", 1) + "/ws", session, app)

    yield start
    for server, session in running:
        await session.close()
        await server.close()


# --- start-up ----------------------------------------------------------------------------


async def test_start_holds_the_live_rooms_and_no_ended_one(data_dir: Path, serve: Serve) -> None:
    truth = _streams(data_dir)
    assert len(truth["ended"]) == ENDED and len(truth["live"]) == LIVE
    served = await serve(data_dir)
    rooms: RoomService = served.app[ROOMS]
    assert sorted(rooms.rooms) == sorted(truth["live"])
    assert all(r.state.phase is not Phase.ENDED for r in rooms.rooms.values())
    assert len(rooms.ended) == 0
    assert all(r.timer is not None for r in rooms.rooms.values())  # deadlines re-armed
    assert len(served.app[WORKSHOPS]._held) == 0  # workshops too are read when asked for
    status, health = await served.api("GET", "/healthz")
    assert status == 200 and health["rooms"] == LIVE


async def test_listings_show_live_rooms_and_page_workshops(data_dir: Path, serve: Serve) -> None:
    served = await serve(data_dir)
    status, rooms = await served.api("GET", "/api/rooms")
    assert status == 200 and sorted(r["id"] for r in rooms) == sorted(_streams(data_dir)["live"])
    status, workshops = await served.api("GET", "/api/workshops")
    total = -(-(ENDED + LIVE) // PER_WORKSHOP)
    assert status == 200 and len(workshops) == min(total, 100)
    status, newest = await served.api("GET", "/api/workshops?limit=5")
    assert [w["id"] for w in newest] == [w["id"] for w in workshops[-5:]]
    assert [w["room_count"] for w in newest[:-1]] == [PER_WORKSHOP] * 4
    assert (await served.api("GET", "/api/workshops?limit=0"))[0] == 400
    assert (await served.api("GET", "/api/workshops?limit=x"))[0] == 400
    # Listing counted rooms in the directory: no ended room was loaded for it.
    assert len(served.app[ROOMS].ended) == 0


# --- ended rooms on demand -----------------------------------------------------------------


async def test_an_ended_rooms_seat_gets_its_welcome_and_replay(
    data_dir: Path, serve: Serve
) -> None:
    ended = _streams(data_dir)["ended"][7]
    served = await serve(data_dir)
    token = served.app[TOKENS].seat(ended, "buyer")
    client = await WsClient.connect(served.ws_url)
    try:
        welcome = await client.hello(token)
        assert welcome["type"] == "welcome" and welcome["room"] == ended
        last = await client.event("ended")
        assert last["seq"] == welcome["seq"]
    finally:
        await client.close()
    rooms: RoomService = served.app[ROOMS]
    assert ended in rooms.ended and ended not in rooms.rooms


async def test_detail_replay_cohort_and_export_load_ended_rooms(
    data_dir: Path, serve: Serve
) -> None:
    served = await serve(data_dir)
    _, workshops = await served.api("GET", "/api/workshops?limit=1000")
    workshop = workshops[0]["id"]  # the oldest: every room ended
    status, detail = await served.api("GET", f"/api/workshops/{workshop}")
    assert status == 200 and len(detail["rooms"]) == PER_WORKSHOP
    assert [r["label"] for r in detail["rooms"]] == [f"Room {n + 1}" for n in range(25)]
    room = detail["rooms"][3]["id"]
    status, one = await served.api("GET", f"/api/rooms/{room}")
    assert status == 200 and one["events"][-1]["kind"] == "ended"
    status, replay = await served.api("GET", f"/api/rooms/{room}/replay")
    assert status == 200 and replay["steps"][-1]["kind"] == "ended"
    status, cohort = await served.api("GET", f"/api/workshops/{workshop}/cohort")
    assert status == 200 and len(cohort["rooms"]) == PER_WORKSHOP
    status, csv = await served.api("GET", f"/api/workshops/{workshop}/export.csv")
    assert status == 200 and len(csv.strip().splitlines()) == PER_WORKSHOP + 1
    status, listed = await served.api("GET", f"/api/rooms?workshop={workshop}")
    assert status == 200 and len(listed) == PER_WORKSHOP
    rooms: RoomService = served.app[ROOMS]
    assert len(rooms.rooms) == LIVE  # the ended rooms went to the cache, not the live set
    assert set(rooms.ended) == {r["id"] for r in detail["rooms"]}


async def test_the_ended_room_cache_is_bounded_but_keeps_watched_rooms(data_dir: Path) -> None:
    ended = _streams(data_dir)["ended"]
    log = SqliteLog(data_dir / "events.db")
    rooms = RoomService(log, ended_cache=5)
    try:
        await rooms.start()
        watched = await rooms.room(ended[0])
        assert watched is not None
        watched.subscribers.add(object())  # type: ignore[arg-type]  # someone still looks at it
        for room_id in ended[1:40]:
            assert await rooms.room(room_id) is not None
        assert len(rooms.ended) == 5
        assert ended[0] in rooms.ended
        assert list(rooms.ended)[-1] == ended[39]  # the most recent stay
        assert await rooms.room(ended[1]) is not None  # evicted, loaded again on demand
        assert len(rooms.ended) == 5
    finally:
        await rooms.stop()
        await log.close()


# --- live rooms --------------------------------------------------------------------------


async def test_restored_deadlines_fire_and_take_the_rooms_out_of_the_directory(
    data_dir: Path,
) -> None:
    log = SqliteLog(data_dir / "events.db")
    late = RoomService(log, clock=lambda: now_ms() + 86_400_000)  # a day later: all past due
    try:
        await late.start()
        assert len(late.rooms) == LIVE
        for _ in range(200):
            if not late.rooms:
                break
            await asyncio.sleep(0.05)
        assert late.rooms == {}
        assert all(r.events[-1].outcome == "expired" for r in late.ended.values())  # type: ignore[union-attr]
        await late.stop()  # waits for the directory's removals
        assert await directory.live(log) == []
        again = RoomService(log)
        await again.start()
        assert again.rooms == {}
        await again.stop()
    finally:
        await log.close()


async def test_stale_directory_entries_are_dropped_at_start(data_dir: Path) -> None:
    """The two crash windows: an entry before `created` landed, one after `ended` landed."""
    truth = _streams(data_dir)
    log = SqliteLog(data_dir / "events.db")
    try:
        never = IndexKey(directory.LIVE, "neverMade")
        in_workshop = IndexKey(directory.workshop_index("wghost"), "neverMade")
        creating = IndexKey(directory.LIVE, "beingMade")  # another node, between its writes
        ref = msgspec.msgpack.encode
        await log.put_index(
            {
                never: ref(directory.LiveRef("wghost", now_ms() - 3_600_000)),
                in_workshop: ref(directory.RoomRef(now_ms() - 3_600_000, "Room 1")),
                creating: ref(directory.LiveRef(None, now_ms())),
                IndexKey(directory.LIVE, truth["ended"][0]): ref(directory.LiveRef(None, 1)),
            }
        )
        rooms = RoomService(log)
        await rooms.start()
        assert sorted(rooms.rooms) == sorted(truth["live"])
        live = [room_id for room_id, _ in await directory.live(log)]
        assert sorted(live) == sorted([*truth["live"], "beingMade"])
        assert await log.scan_index(in_workshop.name) == []
        await rooms.stop()
    finally:
        await log.close()


async def test_a_room_that_ends_leaves_the_live_set_and_the_directory(
    data_dir: Path, serve: Serve
) -> None:
    served = await serve(data_dir)
    rooms: RoomService = served.app[ROOMS]
    room_id = sorted(rooms.rooms)[0]
    status, _ = await served.api("POST", f"/api/rooms/{room_id}/end")
    assert status == 200
    assert room_id not in rooms.rooms and room_id in rooms.ended
    for _ in range(100):  # the removal is its own index write, after `ended` is durable
        if room_id not in dict(await directory.live(rooms.log)):
            break
        await asyncio.sleep(0.02)
    assert room_id not in dict(await directory.live(rooms.log))


# --- a data dir from before the directory ------------------------------------------------


async def test_an_old_data_dir_is_indexed_once_and_then_starts_from_the_index(
    tmp_path: Path, serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "old"
    _history().write_history(data, 300, LIVE, PER_WORKSHOP, old_schema=True)
    truth = _streams(data)
    caplog.set_level("INFO")
    served = await serve(data)
    assert sorted(served.app[ROOMS].rooms) == sorted(truth["live"])
    assert "indexed the 303 rooms" in caplog.text
    assert "indexed the 13 workshops" in caplog.text
    _, workshops = await served.api("GET", "/api/workshops")
    assert len(workshops) == 13 and sum(w["room_count"] for w in workshops) == 303
    caplog.clear()
    log = SqliteLog(data / "events.db")  # a second start (beside the first: WAL allows it)
    try:
        rooms, workshops_again = RoomService(log), Workshops(log)
        await workshops_again.start()
        await rooms.start()
        assert "indexed" not in caplog.text  # built once: the second start reads the index
        assert sorted(rooms.rooms) == sorted(truth["live"])
        assert len(await workshops_again.listing()) == 13
        await rooms.stop()
    finally:
        await log.close()


async def test_an_old_data_dirs_bot_seats_are_indexed_and_the_live_ones_resumed(
    tmp_path: Path, serve: Serve
) -> None:
    data = tmp_path / "old"
    _history().write_history(data, 10, 1, PER_WORKSHOP, old_schema=True)
    truth = _streams(data)
    [live], ended = truth["live"], truth["ended"][0]
    conn = sqlite3.connect(data / "events.db")
    for room in (live, ended):  # as the version before the index recorded bot seats
        seat = BotSeat(room=room, role="seller", persona="driver", pace=0)
        conn.execute(
            "INSERT INTO events VALUES (?, 1, ?)", (f"bots:{room}", msgspec.msgpack.encode(seat))
        )
    conn.commit()
    conn.close()
    served = await serve(data)
    assert [key for key, _ in await served.app[LOG].scan_index("bots:live")] == [f"{live}:seller"]
    # Only the live room's bot is seated again (once the server listens); the
    # ended room's is not. Task names say which.
    tasks = served.app[BOT_TASKS]
    for _ in range(200):
        if {task.get_name() for task in tasks if not task.done()} == {f"bot {live}:seller"}:
            break
        await asyncio.sleep(0.05)
    assert {task.get_name() for task in tasks if not task.done()} == {f"bot {live}:seller"}


async def test_a_workshops_rooms_list_in_creation_order_even_in_one_millisecond(
    data_dir: Path, serve: Serve
) -> None:
    served = await serve(data_dir)
    rooms: RoomService = served.app[ROOMS]
    rooms.clock = lambda: 1_800_000_000_000  # every room of the call in the same millisecond
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = {"scenario": "fleet-lease", "rooms": 40}
    async with served.session.post(served.base + "/api/workshops", json=body, headers=headers) as r:
        assert r.status == 201
        created = await r.json()
    labels = [f"Room {n + 1}" for n in range(40)]
    assert [room["label"] for room in created["rooms"]] == labels
    status, listed = await served.api("GET", f"/api/workshops/{created['id']}")
    assert status == 200 and [room["label"] for room in listed["rooms"]] == labels
    assert len(rooms.rooms) == LIVE + 40
