"""dealroom.server.log: the event log interface and its backends."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from .base import EventLog, IndexKey, LogError, LogUnavailable, SeqConflict
from .memory import MemoryLog
from .sqlite import SqliteLog, Synchronous, create_store

__all__ = [
    "EventLog",
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

Store = Literal["sqlite", "memory"]


def open_log(store: Store, data_dir: Path, synchronous: Synchronous = "full") -> EventLog:
    """The backend ``dealroom serve --store`` names; SQLite keeps ``events.db`` in ``data_dir``."""
    if store == "memory":
        return MemoryLog()
    return SqliteLog(data_dir / "events.db", synchronous=synchronous)
