"""Which node a load-test seat connects to when the rooms are spread over several nodes."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

__all__ = ["seat_url"]


def seat_url(nodes: Sequence[str], fallback: str, room: str, seat: int) -> str:
    """The URL of ``room``'s seat number ``seat`` (0 buyer, 1 seller, 2+ observers).

    A room's seats sit on consecutive nodes from one picked by the room's id,
    so a buyer and its seller are always on different nodes (given two or
    more), and the rooms spread evenly. Without nodes, every seat uses
    ``fallback``.
    """
    if not nodes:
        return fallback
    return nodes[(zlib.crc32(room.encode()) + seat) % len(nodes)]
