"""Two ``dealroom serve --redis`` nodes on one Redis: one room, a seat on each.

The buyer plays on node A and the seller on node B: each sees the other's
moves live (B learns of A's appends by a wake-up and reads them from Redis).
Then A is SIGKILLed; the buyer resumes on B and receives exactly the events
it missed, and the two close the deal there.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from rich.console import Console

from dealroom.bots.loadtest import LoadTest, run_load_test
from tests.redisproc import RedisServer
from tests.serverproc import TOKEN, Process, price_ladder, priced_terms, start_load_test

from .wsclient import MSGPACK_SUB, WsClient, seat_both


@pytest.fixture
async def two_nodes(
    tmp_path: Path, redis_for_nodes: RedisServer
) -> AsyncIterator[tuple[Process, Process]]:
    """Nodes A and B on the test's Redis, started; killed at the end if still running."""
    nodes = (
        Process(tmp_path / "a" / "data", "--redis", redis_for_nodes.url),
        Process(tmp_path / "b" / "data", "--redis", redis_for_nodes.url),
    )
    try:
        for node in nodes:
            await node.start()
        yield nodes
    finally:
        await _shut([], list(nodes))


async def test_a_buyer_on_one_node_and_a_seller_on_another_agree_and_survive_a_node_kill(
    two_nodes: tuple[Process, Process],
) -> None:
    node_a, node_b = two_nodes
    clients: list[WsClient] = []
    try:
        scenario, prices = await price_ladder(node_a.api)
        room = await node_a.api("POST", "/api/rooms", {"scenario": "equipment-purchase"})
        # A link node A made opens on B.
        buyer, seller, _ = await seat_both(
            room, node_a.ws_url, node_b.ws_url, clients, buyer_subprotocol=MSGPACK_SUB
        )

        for n in range(6):  # alternate, each side on its own node
            side, other = (buyer, seller) if n % 2 == 0 else (seller, buyer)
            role = "buyer" if side is buyer else "seller"
            ack = await side.move("offer", f"m{n}", terms=priced_terms(scenario, prices[n]))
            assert ack["type"] == "ack", ack
            seen = await other.event("offer", by=role)
            assert seen["seq"] == ack["seq"]  # the other node's client saw it, at that seq
        for client in (buyer, seller):
            seqs = [f["seq"] for f in client.events()]
            assert seqs == sorted(set(seqs)), seqs  # in order, no duplicate

        buyer_last = max(f["seq"] for f in buyer.events())
        node_a.kill()  # the buyer's node dies mid-negotiation
        missed = []
        for n in (6, 7):
            ack = await seller.move("message", f"m{n}", text=f"are you there? {n}")
            assert ack["type"] == "ack", ack
            missed.append(ack["seq"])

        back = await WsClient.connect(node_b.ws_url, MSGPACK_SUB)  # as a load balancer would
        clients.append(back)
        welcome = await back.hello(room["seats"]["buyer"]["token"], resume_after=buyer_last)
        assert welcome["type"] == "welcome", welcome
        await back.until(lambda f: f["type"] == "event" and f["seq"] >= welcome["seq"])
        replayed = [f for f in back.events() if f["seq"] <= welcome["seq"]]
        detail = await node_b.api("GET", f"/api/rooms/{room['id']}")
        expected = [
            e["seq"]
            for e in detail["events"]
            if buyer_last < e["seq"] <= welcome["seq"]
            and not (e["kind"] == "message" and e.get("to") not in (None, "buyer"))
        ]
        assert [f["seq"] for f in replayed] == expected  # exactly the gap, in order
        assert set(missed) <= set(expected)

        standing = await seller.move("offer", "m8", terms=priced_terms(scenario, prices[8]))
        assert standing["type"] == "ack"
        await back.event("offer", by="seller")
        accepted = await back.move("accept", "m9", offer=standing["seq"])
        assert accepted["type"] == "ack", accepted
        ended = await seller.event("ended")
        assert ended["outcome"] == "agreed"
        detail = await node_b.api("GET", f"/api/rooms/{room['id']}")
        seqs = [e["seq"] for e in detail["events"]]
        assert seqs == list(range(1, len(seqs) + 1))
        moves = [e["move"] for e in detail["events"] if e.get("move")]
        assert len(moves) == len(set(moves))  # every acked move once
    finally:
        await _shut(clients, [node_a, node_b])


async def test_a_redis_outage_gives_unavailable_quickly_and_the_rooms_finish_after_it(
    two_nodes: tuple[Process, Process], redis_for_nodes: RedisServer
) -> None:
    node_a, node_b = two_nodes
    clients: list[WsClient] = []
    try:
        scenario, prices = await price_ladder(node_a.api)
        within_authority = prices[8]  # the buyer may accept it unaided
        room = await node_a.api("POST", "/api/rooms", {"scenario": "equipment-purchase"})
        buyer, seller, _ = await seat_both(room, node_a.ws_url, node_b.ws_url, clients)

        redis_for_nodes.kill()  # Redis is gone for 5 s
        outage = time.monotonic()
        began = time.monotonic()
        refused = await buyer.move("offer", "during", terms=priced_terms(scenario, prices[0]))
        assert refused["type"] == "error" and refused["code"] == "unavailable", refused
        assert time.monotonic() - began < 5.0
        health = await _health(node_a)
        assert health["status"] == "degraded" and "redis" in health["store"], health
        await asyncio.sleep(max(0.0, 5.0 - (time.monotonic() - outage)))
        redis_for_nodes.start()  # the same directory: its AOF

        ack = None
        for _ in range(50):  # the nodes reconnect by themselves
            ack = await seller.move(
                "offer", "after", terms=priced_terms(scenario, within_authority)
            )
            if ack["type"] == "ack":
                break
            assert ack["code"] == "unavailable", ack
            await asyncio.sleep(0.2)
        assert ack is not None and ack["type"] == "ack", ack
        await buyer.event("offer", by="seller", timeout=10)
        accepted = await buyer.move("accept", "deal", offer=ack["seq"])
        assert accepted["type"] == "ack", accepted
        assert (await seller.event("ended", timeout=10))["outcome"] == "agreed"
        for node in (node_a, node_b):
            assert (await _health(node))["status"] == "ok"
            assert node.proc is not None and node.proc.poll() is None  # neither crashed
        detail = await node_b.api("GET", f"/api/rooms/{room['id']}")
        assert [e.get("move") for e in detail["events"]].count("during") == 0
    finally:
        await _shut(clients, [node_a, node_b])


async def _health(node: Process) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.get(node.base + "/healthz") as r:
        assert r.status == 200
        return await r.json()  # type: ignore[no-any-return]


async def _shut(clients: list[WsClient], nodes: list[Process]) -> None:
    for client in clients:
        with contextlib.suppress(Exception):  # a client of a killed node is gone already
            await client.close()
    for node in nodes:
        if node.proc is not None and node.proc.poll() is None:
            node.kill()


async def test_a_facilitators_bot_keeps_playing_when_its_node_is_killed(
    two_nodes: tuple[Process, Process],
) -> None:
    node_a, node_b = two_nodes
    clients: list[WsClient] = []
    try:
        scenario, prices = await price_ladder(node_a.api)
        room = await node_a.api("POST", "/api/rooms", {"scenario": "equipment-purchase"})
        seated = await node_a.api(
            "POST", f"/api/rooms/{room['id']}/bots", {"role": "seller", "pace": 0}
        )
        assert seated["role"] == "seller", seated
        buyer = await WsClient.connect(node_b.ws_url)  # the human on the other node
        clients.append(buyer)
        await buyer.hello(room["seats"]["buyer"]["token"])
        await buyer.event("started", timeout=10)
        low = priced_terms(scenario, prices[0])
        assert (await buyer.move("offer", "b1", terms=low))["type"] == "ack"
        await buyer.until(
            lambda f: f["type"] == "event" and f["by"] == "seller" and f["seq"] > 4, 10
        )

        node_a.kill()  # the bot's node dies; node B takes its seat within a beat or three
        rejoined = await buyer.event("joined", by="seller", timeout=30)
        assert (await buyer.move("offer", "b2", terms=priced_terms(scenario, prices[1])))[
            "type"
        ] == "ack"
        answer = await buyer.until(
            lambda f: f["type"] == "event" and f["by"] == "seller" and f["seq"] > rejoined["seq"],
            15,
        )
        assert answer["kind"] in ("offer", "message", "accept", "reject"), answer
        detail = await node_b.api("GET", f"/api/rooms/{room['id']}")
        seller_moves = [
            e["move"] for e in detail["events"] if e["by"] == "seller" and e.get("move")
        ]
        assert len(seller_moves) == len(set(seller_moves))  # one bot at a time: no move twice
    finally:
        await _shut(clients, [node_a, node_b])


async def test_a_load_test_across_three_nodes_survives_one_of_them_killed(
    tmp_path: Path, redis_for_nodes: RedisServer
) -> None:
    """Rooms with their seats on different nodes; one node SIGKILLed mid-run: its seats
    reconnect to a live node, resume by seq, and every room completes with every ack
    in the log once (the load tool's own log check)."""
    nodes = [Process(tmp_path / name / "data", "--redis", redis_for_nodes.url) for name in "abc"]
    try:
        for node in nodes:
            await node.start()
        report_file = tmp_path / "report.json"
        run = await start_load_test(
            nodes[2].base,  # the API, and where a seat goes when its node is gone
            nodes,
            report_file,
            # About 8 s of play per room (40 moves, 0.2 s apart): with 24 moves 0.1 s
            # apart, a faster server had every room done before the kill at 4 s.
            *("--rooms", "60", "--moves", "40", "--think", "0.2", "--codec", "msgpack"),
            *("--timeout", "120"),
        )
        await asyncio.sleep(4)  # mid-run: every room is playing
        assert run.returncode is None, "the load test ended before the kill"
        nodes[0].kill()
        output, _ = await asyncio.wait_for(run.communicate(), 150)
        assert run.returncode == 0, output.decode(errors="replace")[-3000:]
        report = json.loads(report_file.read_text())
        assert report["rooms_completed"] == 60, report
        assert report["reconnects"] > 0, report  # the killed node's seats came back elsewhere
        assert report["verified_rooms"] == 60, report
        assert report["lost"] == 0 and report["duplicated"] == 0, report
        assert not report["errors"], report["errors"]
    finally:
        await _shut([], nodes)


@pytest.mark.parametrize("client", ["picows", "aiohttp"])
async def test_lean_load_seats_spread_over_two_nodes(
    two_nodes: tuple[Process, Process], client: str
) -> None:
    """The benchmark's seats (lean, no reconnect) with ``--node``: each room's buyer on
    one node and its seller on the other, every room agreed, every ack in the log once."""
    node_a, node_b = two_nodes
    test = LoadTest(
        url=node_a.base,
        nodes=(node_a.base, node_b.base),
        token=TOKEN,
        rooms=20,
        moves=6,
        lean=True,
        client=client,
        codec="msgpack",
    )
    data = (await run_load_test(test, Console(file=io.StringIO()))).as_dict()
    assert data["outcomes"] == {"agreed": 20} and not data["errors"], data
    assert data["moves_acked"] == 20 * 7 and data["lost"] == 0 == data["duplicated"], data
    moves = [sum((await node.metric("dealroom_moves")).values()) for node in two_nodes]
    assert sum(moves) == 20 * 7 and min(moves) > 0, moves  # both nodes took moves
