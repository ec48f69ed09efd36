"""Event-loop lag: how late a timer fires, sampled a few times a second.

A callback that hogs the loop (a large replay encoded at once, a slow
synchronous call) delays every socket on the node; the delay shows here
before clients see timeouts. The sampler costs one timer wake-up per
``interval``, nothing per move.
"""

from __future__ import annotations

import asyncio

from .node import NodeMetrics

__all__ = ["sample_loop_lag"]

INTERVAL = 0.25
"""Seconds between samples."""


async def sample_loop_lag(metrics: NodeMetrics, interval: float = INTERVAL) -> None:
    """Record the loop's lag into ``metrics`` every ``interval`` seconds, until cancelled."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + interval
        await asyncio.sleep(interval)
        lag = max(0.0, loop.time() - due)
        metrics.loop_lag.observe(lag)
        metrics.loop_lag_last = lag
