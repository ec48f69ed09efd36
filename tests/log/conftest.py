"""Event-log backends for the contract suite: every backend, one fixture.

Add a backend here and the whole of ``test_contract.py`` runs against it. The
Redis backends use the session's real servers (``tests/conftest.py``), each
test under a namespace of its own, so each starts from an empty store.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dealroom.server.log import EventLog, MemoryLog, SqliteLog
from dealroom.server.log.redis import RedisLog

BACKENDS = ["memory", "sqlite", "redis", "redis-cluster"]


def make_log(backend: str, tmp_path: Path, redis_url: str | None = None) -> EventLog:
    """A fresh, empty log of ``backend`` (Redis ones at ``redis_url``, in a new namespace)."""
    if backend == "memory":
        return MemoryLog()
    if backend == "sqlite":
        return SqliteLog(tmp_path / "events.db")
    if backend in ("redis", "redis-cluster"):
        assert redis_url is not None
        return RedisLog(redis_url, namespace=f"test-{uuid.uuid4().hex[:12]}:")
    raise ValueError(backend)


@pytest.fixture(params=BACKENDS, ids=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The name of the backend under test."""
    return str(request.param)


@pytest.fixture
def redis_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    """The URL of the session's Redis for a Redis backend (started on first use), else None."""
    if backend == "redis":
        return str(request.getfixturevalue("redis_server").url)
    if backend == "redis-cluster":
        return str(request.getfixturevalue("redis_cluster").url)
    return None


@pytest.fixture
async def log(backend: str, tmp_path: Path, redis_url: str | None) -> AsyncIterator[EventLog]:
    """A fresh log of every backend in turn, closed after the test."""
    event_log = make_log(backend, tmp_path, redis_url)
    yield event_log
    await event_log.close()
