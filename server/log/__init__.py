"""dealroom.server.log: the event log interface and its backends."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from .base import EventLog, HistoryLost, IndexKey, LogError, LogUnavailable, SeqConflict
from .memory import MemoryLog
from .sqlite import SqliteLog, Synchronous, create_store

__all__ = [
    "EventLog",
    "HistoryLost",
    "IndexKey",
    "LogError",
    "LogUnavailable",
    "MemoryLog",
    "SeqConflict",
    "SqliteLog",
    "Synchronous",
    "create_store",
    "open_log",
]

Store = Literal["sqlite", "memory", "redis"]


def open_log(
    store: Store,
    data_dir: Path,
    synchronous: Synchronous = "full",
    redis_url: str | None = None,
) -> EventLog:
    """The backend ``dealroom serve --store`` (or ``--redis URL``) names.

    SQLite keeps ``events.db`` in ``data_dir``; Redis is at ``redis_url``
    (``redis://HOST:PORT/DB``, or ``redis+cluster://HOST:PORT`` for a Redis Cluster).
    """
    if store == "memory":
        return MemoryLog()
    if store == "redis":
        if redis_url is None:
            raise ValueError("the redis store needs a URL")
        from .redis import RedisLog  # redis-py costs a fifth of a second to import

        return RedisLog(redis_url)
    return SqliteLog(data_dir / "events.db", synchronous=synchronous)
