"""Redis, three ``dealroom serve --redis`` nodes and Debian's HAProxy, as the deploy tests use them.

See test_load_balancer.py for what is real (everything, on loopback).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests import serverproc
from tests.redisproc import RedisServer
from tests.server.wsclient import MSGPACK_SUB, WsClient
from tests.serverproc import TOKEN, Process

from .haproxyproc import HAProxy

__all__ = [
    "BUDGET",
    "NODE_HEADER",
    "SCENARIO",
    "Deployment",
    "buyer_sees",
    "node_health",
    "price_ladder",
    "seated",
    "wait_for",
]

BUDGET = 90.0
"""Seconds any one test here may take, start-up included."""
NODE_HEADER = "X-Dealroom-Node"
SCENARIO = "equipment-purchase"


@dataclass
class Deployment:
    """Redis, the nodes by their HAProxy server name, and the load balancer."""

    redis: RedisServer
    nodes: dict[str, Process]
    lb: HAProxy
    clients: list[WsClient] = field(default_factory=list)

    async def api(self, method: str, path: str, body: object = None) -> Any:
        """A facilitator API call through the load balancer."""
        headers = {"Authorization": f"Bearer {TOKEN}"}
        timeout = aiohttp.ClientTimeout(total=10)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.request(method, self.lb.base + path, json=body, headers=headers) as r,
        ):
            assert r.status < 300, await r.text()
            return await r.json()

    async def connect(self, subprotocol: str = MSGPACK_SUB) -> tuple[WsClient, str]:
        """A WebSocket through the load balancer, and the node it landed on."""
        client = await WsClient.connect(self.lb.ws_url, subprotocol, open_timeout=10)
        self.clients.append(client)
        return client, client.ws.response.headers[NODE_HEADER]

    async def observe(self, room: dict[str, Any]) -> tuple[WsClient, str]:
        """``room``'s observer seat, welcomed through the load balancer, and its node."""
        observer, node = await self.connect()
        assert (await observer.hello(room["seats"]["observer"]["token"]))["type"] == "welcome"
        return observer, node

    async def health(self) -> dict[str, Any]:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
            session.get(self.lb.base + "/healthz") as r,
        ):
            assert r.status == 200
            return await r.json()  # type: ignore[no-any-return]


async def price_ladder(deployed: Deployment) -> tuple[dict[str, Any], list[int]]:
    return await serverproc.price_ladder(deployed.api, SCENARIO)


async def seated(deployed: Deployment) -> tuple[dict[str, Any], WsClient, str, WsClient, str]:
    """A room created through the LB; buyer and seller joined through it and started."""
    room = await deployed.api("POST", "/api/rooms", {"scenario": SCENARIO})
    buyer, buyer_node = await deployed.connect()
    seller, seller_node = await deployed.connect()
    assert (await buyer.hello(room["seats"]["buyer"]["token"]))["type"] == "welcome"
    assert (await seller.hello(room["seats"]["seller"]["token"]))["type"] == "welcome"
    await buyer.event("started")
    await seller.event("started")
    return room, buyer, buyer_node, seller, seller_node


async def buyer_sees(
    deployed: Deployment, room: dict[str, Any], after: int, upto: int
) -> list[int]:
    """The seqs in (after, upto] the buyer may see, from the room's full log."""
    detail = await deployed.api("GET", f"/api/rooms/{room['id']}")
    return [
        e["seq"]
        for e in detail["events"]
        if after < e["seq"] <= upto
        and not (e["kind"] == "message" and e.get("to") not in (None, "buyer"))
    ]


async def wait_for(predicate: Any, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.1)


async def node_health(node: Process) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
        session.get(node.base + "/healthz") as r,
    ):
        assert r.status == 200  # degraded is still 200: the LB checks the status code only
        return await r.json()  # type: ignore[no-any-return]
