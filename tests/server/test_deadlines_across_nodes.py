"""A room's deadline on several ``dealroom serve --redis`` nodes fires once, whatever node dies.

The scenario is the shipped equipment purchase with a deadline of a few
seconds (an extra scenario folder, as a trainer would add one). What the
rooms' logs hold is read from Redis itself, so that no node is asked about
the room (asking a node loads the room there, which would arm its clock).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
import pytest

from dealroom.server.log.redis import RedisLog
from tests.redisproc import RedisServer
from tests.serverproc import Process

from .wsclient import WsClient, seat_both

_DEADLINE_SECONDS = 4
_LATER_DEADLINE_SECONDS = 12
"""Long enough for the seats' `left` (after the 5 s presence grace) before the kill."""


def _quick_scenarios(folder: Path) -> Path:
    """``quick-purchase`` and ``later-purchase``: the equipment purchase, on a short clock."""
    builtin = resources.files("dealroom.server.scenarios").joinpath("builtin")
    source = builtin.joinpath("equipment-purchase.toml").read_text()
    assert 'id = "equipment-purchase"' in source and "deadline_seconds = 1500" in source
    folder.mkdir(parents=True, exist_ok=True)
    for name, seconds in (("quick", _DEADLINE_SECONDS), ("later", _LATER_DEADLINE_SECONDS)):
        (folder / f"{name}-purchase.toml").write_text(
            source.replace('id = "equipment-purchase"', f'id = "{name}-purchase"').replace(
                "deadline_seconds = 1500", f"deadline_seconds = {seconds}"
            )
        )
    return folder


def _nodes(tmp_path: Path, redis: RedisServer, names: str) -> list[Process]:
    scenarios = str(_quick_scenarios(tmp_path / "scenarios"))
    return [
        Process(tmp_path / name / "data", "--redis", redis.url, "--scenarios", scenarios)
        for name in names
    ]


def _stored(redis: RedisServer, room_id: str) -> list[dict[str, Any]]:
    """The room's events as Redis holds them (straight from its list: no node is asked)."""
    key = RedisLog(redis.url).stream_key(f"room:{room_id}")
    with redis.client() as client:
        return [msgspec.msgpack.decode(raw) for raw in client.lrange(key, 0, -1)]


async def _until_ended(redis: RedisServer, room_id: str, seconds: float) -> list[dict[str, Any]]:
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        events = _stored(redis, room_id)
        if any(e["kind"] == "ended" for e in events):
            await asyncio.sleep(1.5)  # room for a second `ended`, were there one
            return _stored(redis, room_id)
        await asyncio.sleep(0.2)
    raise AssertionError(f"room {room_id} did not end within {seconds} s")


async def _shut(clients: list[WsClient], nodes: list[Process]) -> None:
    for client in clients:
        with contextlib.suppress(Exception):
            await client.close()
    for node in nodes:
        if node.proc is not None and node.proc.poll() is None:
            node.kill()


async def test_a_deadline_seen_by_two_nodes_ends_the_room_once(
    tmp_path: Path, redis_for_nodes: RedisServer
) -> None:
    """Made through node C (the API's), the buyer on A and the seller on B: the room is
    held by all three and its clock armed on each; its log holds one `ended`."""
    nodes = _nodes(tmp_path, redis_for_nodes, "abc")
    clients: list[WsClient] = []
    try:
        for node in nodes:
            await node.start()
        node_a, node_b, node_c = nodes
        room = await node_c.api("POST", "/api/rooms", {"scenario": "quick-purchase"})
        buyer, seller, started = await seat_both(room, node_a.ws_url, node_b.ws_url, clients)
        assert started["deadline"] is not None

        ends = [await c.event("ended", timeout=_DEADLINE_SECONDS + 10) for c in (buyer, seller)]
        assert [e["outcome"] for e in ends] == ["expired", "expired"]
        assert ends[0]["seq"] == ends[1]["seq"]
        assert ends[0]["at"] >= started["deadline"]
        events = await _until_ended(redis_for_nodes, room["id"], 10)
        ended = [e for e in events if e["kind"] == "ended"]
        assert len(ended) == 1 and ended[0]["outcome"] == "expired", ended
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        for node in nodes:  # every node agrees, and none crashed
            detail = await node.api("GET", f"/api/rooms/{room['id']}")
            assert [e["seq"] for e in detail["events"]] == [e["seq"] for e in events]
            assert node.proc is not None and node.proc.poll() is None
    finally:
        await _shut(clients, nodes)


@pytest.mark.parametrize("seats", ["connected", "gone"])
async def test_a_deadline_fires_on_another_node_when_the_rooms_only_node_is_killed(
    tmp_path: Path, redis_for_nodes: RedisServer, seats: str
) -> None:
    """Node A made the room and held both seats; it is SIGKILLed before the deadline.
    B and C never heard of the room, and nobody asks them: one of them expires it.

    ``gone``: both participants closed their laptops earlier (their `left` is in the
    log), so no seat of the dead node is left for the others to record."""
    nodes = _nodes(tmp_path, redis_for_nodes, "abc")
    clients: list[WsClient] = []
    try:
        for node in nodes:
            await node.start()
        node_a = nodes[0]
        room = await node_a.api("POST", "/api/rooms", {"scenario": "later-purchase"})
        buyer, seller, started = await seat_both(room, node_a.ws_url, node_a.ws_url, clients)
        if seats == "gone":
            for client in (buyer, seller):
                await client.close()
            for _ in range(100):  # `left` once the presence grace (5 s) is over
                if sum(e["kind"] == "left" for e in _stored(redis_for_nodes, room["id"])) == 2:
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the seats' `left` was not recorded")
        node_a.kill()  # before the deadline: its timer dies with it
        killed_at = time.time() * 1000
        assert killed_at < started["deadline"], "the node died after the deadline: too slow"

        # A is dead for the others 10 s after its last beat (TTL), and one of them holds
        # the sweep's lease at its next beat (3 s): within about 15 s of the kill.
        events = await _until_ended(redis_for_nodes, room["id"], 30)
        ended = [e for e in events if e["kind"] == "ended"]
        assert len(ended) == 1 and ended[0]["outcome"] == "expired", ended
        assert ended[0]["at"] >= started["deadline"]
        # Late by at most the lease's move (A's beat ages out: TTL 10 s after its last
        # one), a beat (3 s) and the grace (1 s), plus a little slack.
        latest = max(started["deadline"], killed_at + 10_000) + 3_000 + 1_000 + 3_000
        assert ended[0]["at"] <= latest, (ended[0]["at"] - started["deadline"], killed_at)
        print(f"expired {ended[0]['at'] - started['deadline']} ms after the deadline")
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        for node in nodes[1:]:
            assert node.proc is not None and node.proc.poll() is None
    finally:
        await _shut(clients, nodes)
