"""In-memory event log: for tests and for ``dealroom serve --store memory``.

Nothing survives the process; appends are "durable" as soon as they return.
Several :class:`~dealroom.server.rooms.RoomService` sharing one ``MemoryLog``
behave as several nodes sharing a store: each watcher is woken after every
append to a stream it watches (tests of the cross-node paths use that).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping, Sequence

from ..metrics.histogram import Histogram
from .base import EventLog, IndexKey, SeqConflict, Wake

__all__ = ["MemoryLog"]


class MemoryLog(EventLog):
    """Streams held in a dict of lists."""

    def __init__(self) -> None:
        self._streams: dict[str, list[bytes]] = {}
        self._indexes: dict[str, dict[str, bytes]] = {}
        self._watchers: dict[str, list[Wake]] = {}
        self.append_latency = Histogram()

    async def append(self, stream: str, expected_seq: int, entries: Sequence[bytes]) -> None:
        """See :meth:`EventLog.append`."""
        began = time.monotonic()
        try:
            self._append(stream, expected_seq, entries)
        finally:
            self.append_latency.observe(time.monotonic() - began)

    def _append(self, stream: str, expected_seq: int, entries: Sequence[bytes]) -> None:
        log = self._streams.setdefault(stream, [])
        if expected_seq != len(log) + 1:
            raise SeqConflict(stream, expected_seq, len(log) + 1)
        log.extend(entries)
        watchers = self._watchers.get(stream)
        if watchers:
            loop = asyncio.get_running_loop()
            for wake in watchers:  # later, as a notification from another node would be
                loop.call_soon(wake, stream, len(log))

    async def read(self, stream: str, after: int = 0) -> list[tuple[int, bytes]]:
        """See :meth:`EventLog.read`."""
        log = self._streams.get(stream, [])
        after = max(after, 0)  # a negative slice start would count from the end
        return [(seq, entry) for seq, entry in enumerate(log[after:], start=after + 1)]

    async def streams(self, prefix: str = "") -> list[str]:
        """See :meth:`EventLog.streams`."""
        return sorted(s for s, log in self._streams.items() if log and s.startswith(prefix))

    async def put_index(self, entries: Mapping[IndexKey, bytes]) -> None:
        """See :meth:`EventLog.put_index`."""
        for (index, key), value in entries.items():
            self._indexes.setdefault(index, {})[key] = bytes(value)

    async def remove_index(self, keys: Iterable[IndexKey]) -> None:
        """See :meth:`EventLog.remove_index`."""
        for index, key in keys:
            self._indexes.get(index, {}).pop(key, None)

    async def scan_index(self, index: str) -> list[tuple[str, bytes]]:
        """See :meth:`EventLog.scan_index`."""
        return sorted(self._indexes.get(index, {}).items())

    def watch(self, stream: str, wake: Wake) -> None:
        """See :meth:`EventLog.watch`."""
        watchers = self._watchers.setdefault(stream, [])
        if wake not in watchers:
            watchers.append(wake)

    def unwatch(self, stream: str, wake: Wake) -> None:
        """See :meth:`EventLog.unwatch`."""
        watchers = self._watchers.get(stream)
        if watchers is not None and wake in watchers:
            watchers.remove(wake)
            if not watchers:
                del self._watchers[stream]

    async def close(self) -> None:
        """Nothing to flush."""
