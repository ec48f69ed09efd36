"""The ``deployment`` fixture: Redis (AOF, ``appendfsync always``), three nodes, HAProxy."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.redisproc import RedisServer
from tests.serverproc import Process

from .deployment import Deployment
from .haproxyproc import HAProxy


@pytest.fixture
async def deployment(tmp_path: Path) -> AsyncIterator[Deployment]:
    redis = RedisServer(tmp_path / "redis", "--appendonly", "yes", "--appendfsync", "always")
    nodes = {
        f"node{n}": Process(
            tmp_path / f"node{n}" / "data", "--redis", redis.url, "--trusted-proxy", "127.0.0.1"
        )
        for n in (1, 2, 3)
    }
    lb = HAProxy(tmp_path / "haproxy", [f"127.0.0.1:{node.port}" for node in nodes.values()])
    deployed = Deployment(redis, nodes, lb)
    try:
        redis.start()
        await asyncio.gather(*(node.start() for node in nodes.values()))
        await lb.start()
        yield deployed
    finally:
        for client in deployed.clients:
            with contextlib.suppress(Exception):  # a client of a killed node is gone already
                await asyncio.wait_for(client.close(), 2)
        lb.stop()
        for node in nodes.values():
            if node.proc is not None and node.proc.poll() is None:
                node.kill()
        redis.kill()
