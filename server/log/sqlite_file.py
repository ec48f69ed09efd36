"""What an ``events.db`` holds, checked before the SQLite log opens it.

SQLite opens almost anything without complaint and fails later, mid-request,
or worse, treats a damaged file as a new store: a 0-byte database is "empty",
and opening it deletes a ``-wal`` file beside it, the only copy of its rooms.
So the server looks first, cheaply (the 100-byte header and one page of
schema, never the whole file: start-up time must not grow with history).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .base import LogError

__all__ = ["StoreDamaged", "StoreFile", "inspect_store"]

_MAGIC = b"SQLite format 3\x00"
_HEADER_BYTES = 100


class StoreDamaged(LogError):
    """The file cannot be the event log; ``str()`` says what is wrong with it."""


@dataclass(frozen=True, slots=True)
class StoreFile:
    """What :func:`inspect_store` found."""

    state: str
    """``missing`` (no file), ``empty`` (0 bytes, nothing in a WAL) or ``database``."""
    has_events: bool = False
    """At least one event is stored (a room or a workshop was created)."""


def _wal_bytes(path: Path) -> int:
    try:
        return (path.parent / (path.name + "-wal")).stat().st_size
    except OSError:
        return 0


def inspect_store(path: Path) -> StoreFile:
    """Look at ``path`` without changing it; raise :class:`StoreDamaged` if it cannot be the log."""
    if path.is_dir():
        raise StoreDamaged("is a directory, not a database file")
    wal = _wal_bytes(path)
    if not path.exists() or path.stat().st_size == 0:
        if wal:
            # SQLite would treat the database as new and delete the WAL: refuse.
            raise StoreDamaged(f"is empty but {path.name}-wal beside it holds {wal} bytes")
        return StoreFile("missing" if not path.exists() else "empty")
    size = path.stat().st_size
    try:
        with path.open("rb") as handle:
            header = handle.read(_HEADER_BYTES)
    except OSError as exc:
        raise StoreDamaged(f"cannot be read ({exc.strerror})") from None
    if not header.startswith(_MAGIC):
        raise StoreDamaged("is not an SQLite database")
    if len(header) < _HEADER_BYTES:
        raise StoreDamaged(f"is truncated ({size} bytes, shorter than a database header)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count in the header is valid only when "version-valid-for" matches
    # the change counter (SQLite file format, section 1.3.7); with frames still in
    # the WAL, the database file may legitimately lag behind until a checkpoint.
    count_valid = header[24:28] == header[92:96]
    if count_valid and not wal and size < pages * page_size:
        raise StoreDamaged(f"is truncated ({size} bytes of the {pages * page_size} it should hold)")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True)
    except sqlite3.Error as exc:
        raise StoreDamaged(f"cannot be opened ({exc})") from None
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        has_events = "events" in tables and bool(
            conn.execute("SELECT 1 FROM events LIMIT 1").fetchall()
        )
    except sqlite3.Error as exc:
        raise StoreDamaged(f"cannot be read ({exc})") from None
    finally:
        conn.close()
    return StoreFile("database", has_events)
