"""What ``/metrics`` costs: per move on the hot path, and per scrape.

    python benchmarks/metrics_overhead.py [--rooms 1000] [--repeat 5]

Per move, the instruments exactly as the hot path runs them, in a tight loop
(the best of ``--repeat`` rounds, so the figure is the code's cost rather than
the machine's noise): in the WebSocket handler, a clock read and
``NodeMetrics.moved`` (the arrival's clock read was already there, for the
rate limit); around each log append, two clock reads and a histogram
update in a ``try``/``finally``. A move costs the server about 190 µs of CPU
(docs/performance.md); ``benchmarks/run.py --only tp1000`` on both commits
measures the whole server with and without them.

Per scrape, the whole text (the collector's walk over every connection and
room, the process collector's reads of /proc, the text's making) of an app
holding ``--rooms`` running rooms and two joined connections per room.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import timeit
import weakref
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from prometheus_client.exposition import generate_latest

from dealroom.protocol import JSON, Offer
from dealroom.server.config import Settings
from dealroom.server.log import MemoryLog
from dealroom.server.metrics import Histogram, NodeMetrics
from dealroom.server.rooms import RoomService
from dealroom.server.web import make_app
from dealroom.server.web.keys import CATALOG, CONNECTIONS, LOG, ROOMS
from dealroom.server.web.metrics import EXPOSITION
from dealroom.server.web.ws import Connection

_LOOPS = 200_000


def per_move(repeat: int) -> dict[str, float]:
    """Nanoseconds per move of each instrument, and of a bare call for scale."""
    metrics = NodeMetrics()
    latency = Histogram()
    arrived = time.monotonic()

    def handler() -> None:  # ws._Session._move, after the uncork
        metrics.moved(Offer, time.monotonic() - arrived)

    def append() -> None:  # SqliteLog.append / RedisLog.append around their await
        began = time.monotonic()
        try:
            pass
        finally:
            latency.observe(time.monotonic() - began)

    def nothing() -> None:
        pass

    def best(func: Any) -> float:
        return min(timeit.repeat(func, number=_LOOPS, repeat=repeat)) / _LOOPS * 1e9

    bare = best(nothing)
    return {
        "handler_ns": best(handler) - bare,
        "append_ns": best(append) - bare,
        "empty_call_ns": bare,
    }


async def per_scrape(rooms: int, repeat: int) -> dict[str, float]:
    """Milliseconds per scrape of an app holding ``rooms`` rooms and two connections each."""
    app = make_app(Settings(store="memory", facilitator_token="bench"))
    service = RoomService(MemoryLog())
    app[LOG] = service.log
    app[ROOMS] = service
    scenario = app[CATALOG].get("equipment-purchase")
    assert scenario is not None
    await service.create_many(scenario, None, [str(n) for n in range(rooms)])
    held: list[Connection] = []
    connections: weakref.WeakSet[Connection] = app[CONNECTIONS]
    for n in range(2 * rooms):
        conn = Connection(None, None, JSON, 1 << 20)  # type: ignore[arg-type]
        conn.joined = True
        conn.viewer = "buyer" if n % 2 else "seller"
        held.append(conn)
        connections.add(conn)
    registry = app[EXPOSITION].registry
    size = len(generate_latest(registry))
    loops = 20
    best = min(timeit.repeat(lambda: generate_latest(registry), number=loops, repeat=repeat))
    await service.log.close()
    return {"scrape_ms": best / loops * 1e3, "bytes": size, "connections": len(held)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    move = per_move(args.repeat)
    print(
        f"per move: {move['handler_ns']:.0f} ns in the WebSocket handler, "
        f"{move['append_ns']:.0f} ns around the log append "
        f"({move['handler_ns'] + move['append_ns']:.0f} ns in all; "
        f"an empty Python call here costs {move['empty_call_ns']:.0f} ns)"
    )
    scrape = asyncio.run(per_scrape(args.rooms, args.repeat))
    print(
        f"per scrape: {scrape['scrape_ms']:.2f} ms of CPU for {args.rooms} rooms and "
        f"{scrape['connections']} connections ({scrape['bytes']} bytes of text)"
    )


if __name__ == "__main__":
    main()
