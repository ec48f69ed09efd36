"""What a node counts as it serves: moves, errors, refused connections, latencies.

Updated on the hot path as plain attributes (no lock, no library call); the
scrape reads them on the same event loop. Everything here is per node and
since the process started: Prometheus's ``rate()`` and ``increase()`` handle
restarts, and a cluster's figure is the sum over its nodes.
"""

from __future__ import annotations

import typing
from bisect import bisect_left

from dealroom.protocol import ErrorCode, Move

from .histogram import LOOP_LAG_BOUNDS, Histogram

__all__ = ["NodeMetrics"]


class NodeMetrics:
    """One node's counters, kept by the WebSocket layer and the loop-lag sampler."""

    __slots__ = (
        "connections_dropped",
        "connections_opened",
        "connections_refused",
        "errors",
        "gc_pauses",
        "loop_lag",
        "loop_lag_last",
        "move_latency",
        "moves",
        "pings",
        "retries",
    )

    def __init__(self) -> None:
        self.moves: dict[type, int] = dict.fromkeys(typing.get_args(Move), 0)
        """Moves applied (acked, not retries), by the move's frame class (its ``kind``)."""
        self.retries = 0
        """Moves acked again as a duplicate of one already applied (a retried id)."""
        self.errors: dict[ErrorCode, int] = dict.fromkeys(ErrorCode, 0)
        """Error frames sent, by code (every code present, so a rate starts at zero)."""
        self.connections_opened = 0
        """WebSocket connections upgraded (whether or not a hello followed)."""
        self.connections_refused = 0
        """WebSocket upgrades refused with HTTP 503 at the connection limit."""
        self.connections_dropped = 0
        """Connections the liveness sweep closed: silent, and no answer to its ping."""
        self.pings = 0
        """Application ``ping`` frames answered with a ``pong`` (the room page's heartbeat)."""
        self.move_latency = Histogram()
        """Seconds from a move frame's arrival to its events written to this node's
        subscribers and its ack written to the mover."""
        self.loop_lag = Histogram(LOOP_LAG_BOUNDS)
        """Seconds the loop-lag sampler's timer fired late by."""
        self.loop_lag_last = 0.0
        self.gc_pauses = tuple(Histogram(LOOP_LAG_BOUNDS) for _ in range(3))
        """Seconds each cyclic garbage collection paused the process, by generation
        (0 young, 1 middle, 2 full); see :mod:`.gcpauses`."""

    def moved(self, kind: type, seconds: float) -> None:
        """Count an applied move of frame class ``kind`` (one of :data:`Move`) that took
        ``seconds``."""
        # Once per move: Histogram.observe inlined (a Python call is a third of its cost).
        self.moves[kind] += 1
        latency = self.move_latency
        latency.counts[bisect_left(latency.bounds, seconds)] += 1
        latency.sum += seconds
