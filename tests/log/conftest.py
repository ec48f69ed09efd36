"""Event-log backends for the contract suite: every backend, one fixture.

Add a backend here and the whole of ``test_contract.py`` runs against it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dealroom.server.log import EventLog, MemoryLog, SqliteLog

BACKENDS = ["memory", "sqlite"]


def make_log(backend: str, tmp_path: Path) -> EventLog:
    """A fresh, empty log of ``backend``."""
    if backend == "memory":
        return MemoryLog()
    if backend == "sqlite":
        return SqliteLog(tmp_path / "events.db")
    raise ValueError(backend)


@pytest.fixture(params=BACKENDS, ids=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The name of the backend under test."""
    return str(request.param)


@pytest.fixture
async def log(backend: str, tmp_path: Path) -> AsyncIterator[EventLog]:
    """A fresh log of every backend in turn, closed after the test."""
    event_log = make_log(backend, tmp_path)
    yield event_log
    await event_log.close()
