"""A real dealroom server on a loopback socket, per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import msgspec
import pytest
from aiohttp.test_utils import TestServer

from dealroom.server.config import Settings
from dealroom.server.web import make_app
from dealroom.server.web.keys import CATALOG
from tests.redisproc import RedisServer
from tests.support import small_scenario

from .wsclient import JSON_SUB, WsClient

TOKEN = "facilitator-test-token"


@dataclass
class Running:
    """A running server and what a test needs to talk to it."""

    base: str
    ws_url: str
    session: aiohttp.ClientSession
    app: Any

    async def api(self, method: str, path: str, json: Any = None, token: str = TOKEN) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.session.request(method, self.base + path, json=json, headers=headers) as r:
            body = await r.json()
            return r.status, body

    async def room(self, scenario: str = "small", **extra: Any) -> dict[str, Any]:
        status, body = await self.api("POST", "/api/rooms", {"scenario": scenario, **extra})
        assert status == 201, body
        return body  # type: ignore[no-any-return]

    async def client(self, subprotocol: str = JSON_SUB) -> WsClient:
        return await WsClient.connect(self.ws_url, subprotocol)

    async def seated(
        self, subprotocol: str = JSON_SUB, scenario: str = "small"
    ) -> tuple[dict[str, Any], WsClient, WsClient]:
        """A room with buyer and seller connected and the room started."""
        room = await self.room(scenario)
        buyer = await self.client(subprotocol)
        seller = await self.client(subprotocol)
        assert (await buyer.hello(room["seats"]["buyer"]["token"]))["type"] == "welcome"
        assert (await seller.hello(room["seats"]["seller"]["token"]))["type"] == "welcome"
        await buyer.event("started")
        await seller.event("started")
        return room, buyer, seller


MakeServer = Callable[..., Awaitable[Running]]


@pytest.fixture
async def make_server(tmp_path: Path) -> AsyncIterator[MakeServer]:
    servers: list[tuple[TestServer, aiohttp.ClientSession]] = []

    async def start(**overrides: Any) -> Running:
        settings = Settings(
            data_dir=tmp_path / f"data{len(servers)}",
            facilitator_token=TOKEN,
            **overrides,
        )
        app = make_app(settings)
        app[CATALOG].add(small_scenario())
        turns = small_scenario(turns="alternating", first_mover="buyer")
        app[CATALOG].add(msgspec.structs.replace(turns, id="small-turns"))
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        session = aiohttp.ClientSession()
        servers.append((server, session))
        base = str(server.make_url("")).rstrip("/")
        return Running(
            base=base, ws_url=base.replace("http", "ws", 1) + "/ws", session=session, app=app
        )

    yield start
    for server, session in servers:
        await session.close()
        await server.close()


@pytest.fixture
async def server(make_server: MakeServer) -> Running:
    return await make_server()


@pytest.fixture
def redis_for_nodes(tmp_path: Path) -> Iterator[RedisServer]:
    """A real Redis with an fsynced AOF, for several ``dealroom serve --redis`` processes."""
    server = RedisServer(tmp_path / "redis", "--appendonly", "yes", "--appendfsync", "always")
    server.start()
    yield server
    server.kill()
