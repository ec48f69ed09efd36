"""Three ``dealroom serve --redis`` nodes behind Debian's HAProxy running ``deploy/haproxy.cfg``.

Everything is real and on loopback: one ``redis-server`` (AOF, ``appendfsync
always``), three node processes and HAProxy started from the very file that
ships, its ports and node addresses given through the environment. Which node
holds a WebSocket is read from the ``X-Dealroom-Node`` header HAProxy puts on
the handshake's 101 response, and cross-checked with HAProxy's own statistics.
Every test is bounded by :data:`BUDGET`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.serverproc import priced_terms

from .deployment import (
    BUDGET,
    SCENARIO,
    Deployment,
    buyer_sees,
    node_health,
    price_ladder,
    seated,
    wait_for,
)
from .haproxyproc import CONFIG, config_env, require_haproxy


async def test_connections_spread_over_the_nodes_and_a_room_agrees_across_them(
    deployment: Deployment,
) -> None:
    async with asyncio.timeout(BUDGET):
        scenario, prices = await price_ladder(deployment)
        room, buyer, buyer_node, seller, seller_node = await seated(deployment)
        observer, observer_node = await deployment.observe(room)
        # leastconn: each new WebSocket goes to a node holding none yet.
        assert sorted({buyer_node, seller_node, observer_node}) == ["node1", "node2", "node3"]
        servers = await deployment.lb.servers()
        assert {name: int(row["scur"]) for name, row in servers.items()} == {
            "node1": 1,
            "node2": 1,
            "node3": 1,
        }

        for n in range(6):  # the seats alternate, each on its own node
            side, other = (buyer, seller) if n % 2 == 0 else (seller, buyer)
            role = "buyer" if side is buyer else "seller"
            ack = await side.move("offer", f"m{n}", terms=priced_terms(scenario, prices[n]))
            assert ack["type"] == "ack", ack
            assert (await other.event("offer", by=role))["seq"] == ack["seq"]
        standing = await seller.move("offer", "s-last", terms=priced_terms(scenario, prices[8]))
        assert standing["type"] == "ack", standing
        await buyer.event("offer", by="seller")
        accepted = await buyer.move("accept", "b-accept", offer=standing["seq"])
        assert accepted["type"] == "ack", accepted
        for client in (buyer, seller, observer):  # the third node's client sees it end too
            assert (await client.event("ended"))["outcome"] == "agreed"

        detail = await deployment.api("GET", f"/api/rooms/{room['id']}")
        seqs = [e["seq"] for e in detail["events"]]
        assert seqs == list(range(1, len(seqs) + 1))
        for client in (buyer, seller):
            seen = [f["seq"] for f in client.events()]
            assert seen == sorted(set(seen)), seen  # in order, none twice

        # Each node counts the moves that arrived on it; together they are the room's.
        # The balancer refuses /metrics: scrapers reach the nodes themselves.
        await asyncio.sleep(1.0)  # past the figures a node repeats within a second
        moves: dict[str, float] = {}
        for node in deployment.nodes.values():
            for labels, value in (await node.metric("dealroom_moves")).items():
                kind = dict(labels)["kind"]
                moves[kind] = moves.get(kind, 0) + value
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
            session.get(deployment.lb.base + "/metrics") as r,
        ):
            assert r.status == 403
        assert moves["offer"] == 7 and moves["accept"] == 1, moves


async def test_a_killed_node_s_client_resumes_through_the_lb_with_exactly_the_missed_events(
    deployment: Deployment,
) -> None:
    async with asyncio.timeout(BUDGET):
        scenario, prices = await price_ladder(deployment)
        room, buyer, buyer_node, seller, seller_node = await seated(deployment)
        _, observer_node = await deployment.observe(room)
        assert len({buyer_node, seller_node, observer_node}) == 3
        for n in range(4):
            side = buyer if n % 2 == 0 else seller
            ack = await side.move("offer", f"m{n}", terms=priced_terms(scenario, prices[n]))
            assert ack["type"] == "ack", ack
        await buyer.until(lambda f: f["type"] == "event" and f["seq"] >= ack["seq"])
        buyer_last = max(f["seq"] for f in buyer.events())

        deployment.nodes[buyer_node].kill()  # SIGKILL: no goodbye, no flush
        with contextlib.suppress(Exception):
            await asyncio.wait_for(buyer.ws.wait_closed(), 5)  # HAProxy closes the client's side
        missed = []
        for n in (4, 5):  # the seller plays on while the buyer is away
            ack = await seller.move("message", f"m{n}", text=f"still there? {n}")
            assert ack["type"] == "ack", ack
            missed.append(ack["seq"])

        # Reconnect at once, before any health check can have marked the node down:
        # HAProxy's leastconn prefers the dead node (it holds nothing now), and the
        # refused connect is redispatched to a live one inside HAProxy.
        back, back_node = await deployment.connect()
        assert back_node not in (buyer_node, ""), back_node
        dead = (await deployment.lb.servers())[buyer_node]
        # It was tried and redispatched, or (on a slow machine) already marked down.
        assert int(dead["wredis"]) >= 1 or dead["status"].startswith("DOWN"), dead
        welcome = await back.hello(room["seats"]["buyer"]["token"], resume_after=buyer_last)
        assert welcome["type"] == "welcome", welcome
        await back.until(lambda f: f["type"] == "event" and f["seq"] >= welcome["seq"])
        replayed = [f["seq"] for f in back.events() if f["seq"] <= welcome["seq"]]
        expected = await buyer_sees(deployment, room, buyer_last, welcome["seq"])
        assert replayed == expected  # exactly the gap, in order, nothing twice
        assert set(missed) <= set(expected)

        standing = await seller.move("offer", "s-last", terms=priced_terms(scenario, prices[8]))
        assert standing["type"] == "ack", standing
        await back.event("offer", by="seller")
        accepted = await back.move("accept", "b-accept", offer=standing["seq"])
        assert accepted["type"] == "ack", accepted
        assert (await seller.event("ended"))["outcome"] == "agreed"
        assert (await back.event("ended"))["outcome"] == "agreed"
        detail = await deployment.api("GET", f"/api/rooms/{room['id']}")
        seqs = [e["seq"] for e in detail["events"]]
        assert seqs == list(range(1, len(seqs) + 1))
        moves = [e["move"] for e in detail["events"] if e.get("move")]
        assert len(moves) == len(set(moves))  # every acked move once


async def test_health_checks_take_a_dead_node_out_and_bring_it_back(
    deployment: Deployment,
) -> None:
    async with asyncio.timeout(BUDGET):
        lb = deployment.lb
        deployment.nodes["node2"].kill()
        killed_at = time.monotonic()

        async def node2_down() -> bool:
            return (await lb.servers())["node2"]["status"].startswith("DOWN")

        await wait_for(node2_down, "node2 marked DOWN", 10)
        assert time.monotonic() - killed_at < 6  # inter 2 s, then fall 3 at fastinter 0.5 s
        sessions_before = int((await lb.servers())["node2"]["stot"])
        landed = [(await deployment.connect())[1] for _ in range(6)]
        assert "node2" not in landed and set(landed) == {"node1", "node3"}, landed
        assert int((await lb.servers())["node2"]["stot"]) == sessions_before
        assert (await deployment.health())["status"] == "ok"  # answered by a live node

        await deployment.nodes["node2"].start()  # back on its port: rise 2, then slowstart

        async def node2_up() -> bool:
            return (await lb.servers())["node2"]["status"] == "UP"

        await wait_for(node2_up, "node2 back UP", 15)
        # slowstart ramps its weight up: within the ramp, new WebSockets reach it again.
        for _ in range(60):
            if (await deployment.connect())[1] == "node2":
                break
            await asyncio.sleep(0.5)
        else:
            raise AssertionError("no new connection reached node2 after it came back")


async def test_an_upgrade_drains_a_node_then_stops_it_and_its_clients_resume_elsewhere(
    deployment: Deployment,
) -> None:
    """The procedure of docs/operations.md for one node: drain, SIGTERM, start, ready."""
    async with asyncio.timeout(BUDGET):
        lb = deployment.lb
        scenario, prices = await price_ladder(deployment)
        room, buyer, buyer_node, seller, _ = await seated(deployment)
        observer, _ = await deployment.observe(room)
        ack = await buyer.move("offer", "b0", terms=priced_terms(scenario, prices[0]))
        assert ack["type"] == "ack", ack
        await buyer.until(lambda f: f["type"] == "event" and f["seq"] >= ack["seq"])

        lb.admin(f"set server nodes/{buyer_node} state drain")  # no new connections there
        assert (await lb.servers())[buyer_node]["status"] == "DRAIN"
        landed = {(await deployment.connect())[1] for _ in range(4)}
        assert buyer_node not in landed, landed
        buyer_last = max(f["seq"] for f in buyer.events())
        assert deployment.nodes[buyer_node].stop() == 0  # SIGTERM: a clean stop
        await asyncio.wait_for(buyer.ws.wait_closed(), 5)
        assert buyer.ws.close_code == 1001  # going away, passed through HAProxy's tunnel
        missed = await seller.move("message", "s-while-away", text="are you there?")
        assert missed["type"] == "ack", missed

        back, back_node = await deployment.connect()
        assert back_node != buyer_node
        welcome = await back.hello(room["seats"]["buyer"]["token"], resume_after=buyer_last)
        assert welcome["type"] == "welcome", welcome
        await back.until(lambda f: f["type"] == "event" and f["seq"] >= welcome["seq"])
        replayed = [f["seq"] for f in back.events() if f["seq"] <= welcome["seq"]]
        assert replayed == await buyer_sees(deployment, room, buyer_last, welcome["seq"])
        assert missed["seq"] in replayed

        await deployment.nodes[buyer_node].start()  # the upgraded node, on its port

        async def drained_and_up() -> bool:
            return (await lb.servers())[buyer_node]["status"] == "DRAIN"  # up, still drained

        await wait_for(drained_and_up, f"{buyer_node} up and still drained", 15)
        lb.admin(f"set server nodes/{buyer_node} state ready")
        assert (await lb.servers())[buyer_node]["status"] == "UP"

        standing = await seller.move("offer", "s-last", terms=priced_terms(scenario, prices[8]))
        assert standing["type"] == "ack", standing
        await back.event("offer", by="seller")
        accepted = await back.move("accept", "b-accept", offer=standing["seq"])
        assert accepted["type"] == "ack", accepted
        assert (await observer.event("ended"))["outcome"] == "agreed"


async def test_a_redis_outage_leaves_every_node_in_rotation(deployment: Deployment) -> None:
    """/healthz says degraded (still 200) while Redis is down: no node is taken out for it.

    Every node fails alike when the Redis they share fails; taking them out
    would turn a Redis blip into a full outage and close every WebSocket.
    """
    async with asyncio.timeout(BUDGET):
        lb = deployment.lb
        scenario, prices = await price_ladder(deployment)
        room, buyer, _, seller, _ = await seated(deployment)
        observer, _ = await deployment.observe(room)  # every node now holds (and watches) the room

        deployment.redis.kill()
        outage = time.monotonic()
        refused = await buyer.move("offer", "during", terms=priced_terms(scenario, prices[0]))
        assert refused["type"] == "error" and refused["code"] == "unavailable", refused

        async def all_degraded() -> bool:
            states = [await node_health(node) for node in deployment.nodes.values()]
            return all(state["status"] == "degraded" for state in states)

        await wait_for(all_degraded, "every node's /healthz degraded", 10)
        # Longer than a dead node takes to be marked down (inter + fall x fastinter).
        while time.monotonic() - outage < 6:
            states = {name: row["status"] for name, row in (await lb.servers()).items()}
            assert set(states.values()) == {"UP"}, states
            await asyncio.sleep(0.5)
        landed = {(await deployment.connect())[1] for _ in range(3)}
        assert landed == {"node1", "node2", "node3"}  # new WebSockets still reach every node

        deployment.redis.start()  # the same directory: its AOF
        ack: dict[str, Any] = {}
        for _ in range(50):  # the nodes reconnect by themselves
            ack = await seller.move("offer", "after", terms=priced_terms(scenario, prices[8]))
            if ack["type"] == "ack":
                break
            assert ack["code"] == "unavailable", ack
            await asyncio.sleep(0.2)
        assert ack["type"] == "ack", ack
        await buyer.event("offer", by="seller", timeout=10)
        accepted = await buyer.move("accept", "deal", offer=ack["seq"])
        assert accepted["type"] == "ack", accepted
        assert (await observer.event("ended", timeout=10))["outcome"] == "agreed"
        # The WebSockets held through the outage are the ones that finished the room.
        assert not any(client.ws.close_code for client in (buyer, seller, observer))


def test_the_config_checks_clean_and_names_the_variables_it_lacks(tmp_path: Path) -> None:
    """``haproxy -c`` in zero-warning mode: valid as shipped; a missing node says which."""
    binary = require_haproxy()
    env = config_env(["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"], tmp_path, 8080, 8404)
    check = [binary, "-dW", "-c", "-f", str(CONFIG)]
    for extra in ({}, {"DEALROOM_LB_USER": "haproxy"}):  # as the tests run it; as Debian's
        ok = subprocess.run(check, env={**os.environ, **env, **extra}, capture_output=True)
        assert ok.returncode == 0, ok.stdout + ok.stderr
    del env["DEALROOM_NODE3"]
    missing = subprocess.run(check, env={**os.environ, **env}, capture_output=True, text=True)
    assert missing.returncode != 0
    assert (
        "set DEALROOM_NODE1, DEALROOM_NODE2 and DEALROOM_NODE3" in missing.stdout + missing.stderr
    )


async def test_the_open_link_paces_each_participant_not_the_balancer(
    deployment: Deployment,
) -> None:
    """HAProxy appends the client's address to X-Forwarded-For; the nodes trust it from
    the balancer alone (``--trusted-proxy``), so one busy client does not use up
    everyone's budget, and a header a client writes itself changes nothing."""
    async with asyncio.timeout(BUDGET):
        workshop = await deployment.api(
            "POST", "/api/workshops", {"scenario": SCENARIO, "capacity": 0}
        )
        url = f"{deployment.lb.base}/open/{workshop['open_link']['token']}/seat"

        async def arrive(address: str, spoofed: str = "") -> int:
            connector = aiohttp.TCPConnector(local_addr=(address, 0), force_close=True)
            headers = {"X-Forwarded-For": spoofed} if spoofed else {}
            async with (
                aiohttp.ClientSession(connector=connector) as session,
                session.post(url, json={"name": "P"}, headers=headers) as r,
            ):
                return r.status

        # Capacity 0: each arrival is refused as full, but spends its address's pace,
        # which each node counts on its own: until every node has refused it.
        answers: list[int] = []
        while answers[-3:] != [429] * 3:
            answers.append(await arrive("127.0.0.2", spoofed=f"10.9.{len(answers)}.1"))
            assert len(answers) <= 3 * 40 + 30, answers
        assert answers.index(429) >= 40 and set(answers) == {409, 429}, answers
        # Another participant behind the same balancer has its own budget on every node.
        assert [await arrive("127.0.0.3") for _ in range(3)] == [409] * 3
