"""A histogram with fixed buckets: a list of counts and a sum, updated with ``bisect``.

``prometheus_client``'s own Histogram takes a lock on every ``observe``; this
one is a bisect over a tuple of a dozen floats, an integer increment and a
float addition (a few hundred nanoseconds), and is read only by the scrape,
on the same event loop. Buckets are upper bounds in seconds, inclusive (Prometheus's
``le``); the last count is the ``+Inf`` bucket's own share.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable

__all__ = ["LATENCY_BOUNDS", "LOOP_LAG_BOUNDS", "Histogram"]

LATENCY_BOUNDS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
"""Seconds: a move on an idle node takes well under a millisecond plus the store's
commit (an fsync: 1-10 ms on SSDs); a saturated node queues for hundreds of ms;
a Redis that stops answering fails calls after about 4 s."""

LOOP_LAG_BOUNDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
"""Seconds a timer fired late by."""


class Histogram:
    """Counts of observations per bucket, and their sum."""

    __slots__ = ("bounds", "counts", "sum")

    def __init__(self, bounds: Iterable[float] = LATENCY_BOUNDS) -> None:
        self.bounds = tuple(bounds)
        if list(self.bounds) != sorted(set(self.bounds)):
            raise ValueError(f"bucket bounds must increase: {self.bounds}")
        self.counts = [0] * (len(self.bounds) + 1)
        """Per bucket, not cumulative; the last one counts what exceeds every bound."""
        self.sum = 0.0

    def observe(self, seconds: float) -> None:
        """Count one observation."""
        self.counts[bisect_left(self.bounds, seconds)] += 1
        self.sum += seconds

    @property
    def count(self) -> int:
        """Observations so far."""
        return sum(self.counts)

    def cumulative(self) -> list[tuple[float, int]]:
        """``(upper bound, observations up to it)`` per bucket, as Prometheus counts
        them; the last bound is infinity."""
        pairs: list[tuple[float, int]] = []
        total = 0
        for bound, count in zip((*self.bounds, math.inf), self.counts, strict=True):
            total += count
            pairs.append((bound, total))
        return pairs
