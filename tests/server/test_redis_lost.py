"""A Redis restarted empty (no persistence) under a running node.

The node's copy of a live room is ahead of the store: the store lost
acknowledged events. Moves get a typed ``unavailable`` that says so (not
``internal_error``), the node logs it once per room, ``/healthz`` says
``degraded`` with the reason, the node keeps running, and nothing is written
over the gap (the room's stream in Redis stays empty).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any

import aiohttp

from dealroom.server.log.redis import RedisLog
from tests.redisproc import RedisServer
from tests.serverproc import Process, price_ladder, priced_terms

from .wsclient import WsClient, seat_both

_LOUD = "THE STORE LOST THIS ROOM'S HISTORY"


async def test_moves_after_redis_restarted_empty_get_unavailable_and_nothing_is_rewritten(
    tmp_path: Path,
) -> None:
    redis = RedisServer(tmp_path / "redis")  # no RDB, no AOF: a restart starts empty
    redis.start()
    node = Process(tmp_path / "node" / "data", "--redis", redis.url)
    clients: list[WsClient] = []
    try:
        await node.start()
        scenario, prices = await price_ladder(node.api)
        room = await node.api("POST", "/api/rooms", {"scenario": "equipment-purchase"})
        buyer, seller, _ = await seat_both(room, node.ws_url, node.ws_url, clients)
        first = await buyer.move("offer", "b1", terms=priced_terms(scenario, prices[0]))
        assert first["type"] == "ack", first

        redis.kill()
        redis.start()  # the same port, nothing in it
        answers: list[dict[str, Any]] = []
        began = time.monotonic()
        while time.monotonic() - began < 15:  # the node reconnects by itself
            answer = await seller.move(
                "offer", f"s{len(answers)}", terms=priced_terms(scenario, prices[-1])
            )
            answers.append(answer)
            if answer["type"] == "error" and "lost" in answer["message"]:
                break
            await asyncio.sleep(0.2)
        assert all(a["type"] == "error" and a["code"] == "unavailable" for a in answers), answers
        assert "lost this room's history" in answers[-1]["message"], answers
        again = await buyer.move("message", "b2", text="hello?")
        assert again["type"] == "error" and again["code"] == "unavailable", again
        assert "lost" in again["message"], again

        health = await _health(node)
        assert health["status"] == "degraded", health
        assert room["id"] in health["lost"] and "lost the history" in health["lost"], health
        stream_key = RedisLog(redis.url).stream_key(f"room:{room['id']}")
        with redis.client() as client:
            assert client.llen(stream_key) == 0  # no event written over the gap
        assert node.proc is not None and node.proc.poll() is None  # still running
        logged = (tmp_path / "node" / "server.log").read_text(errors="replace")
        assert logged.count(_LOUD) == 1, logged[-3000:]  # once for the room, however many moves
        assert "Traceback" not in logged, logged[-3000:]
    finally:
        for client in clients:
            with contextlib.suppress(Exception):
                await client.close()
        if node.proc is not None and node.proc.poll() is None:
            node.kill()
        redis.kill()


async def _health(node: Process) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.get(node.base + "/healthz") as r:
        assert r.status == 200
        return await r.json()  # type: ignore[no-any-return]
