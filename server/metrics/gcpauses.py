"""Pauses of Python's cyclic garbage collector, timed from the collector's own callbacks.

A collection holds the interpreter for as long as it walks its generations:
every socket on the node waits meanwhile. Young collections take a few ms;
one right after thousands of connections were opened at once walked every
object they had made (about 70 ms at 10,000 connections, docs/performance.md),
and a full collection walks everything not frozen at start-up. Their
durations, per generation, are what ``dealroom_gc_pause_seconds`` shows; the
cost is two clock reads per collection, nothing per move.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

from .node import NodeMetrics

__all__ = ["time_collections"]


def time_collections(metrics: NodeMetrics) -> Callable[[], None]:
    """Record every collection's duration into ``metrics.gc_pauses``; returns the undo."""
    began = 0.0
    pauses = metrics.gc_pauses

    def timed(phase: str, info: dict[str, Any]) -> None:
        nonlocal began
        if phase == "start":
            began = time.perf_counter()
        elif began:
            pauses[info["generation"]].observe(time.perf_counter() - began)
            began = 0.0

    gc.callbacks.append(timed)
    return lambda: gc.callbacks.remove(timed)
