"""dealroom.server.metrics: the figures a node keeps for ``GET /metrics``.

Plain integers and fixed-bucket histograms, updated on the hot path without a
lock or a call into a metrics library; :mod:`dealroom.server.web.metrics` turns
them into the Prometheus text format when a scraper asks. Nothing here
imports ``prometheus_client`` (the log backends use the histogram too).
"""

from __future__ import annotations

from .gcpauses import time_collections
from .histogram import LATENCY_BOUNDS, LOOP_LAG_BOUNDS, Histogram
from .looplag import sample_loop_lag
from .node import NodeMetrics

__all__ = [
    "LATENCY_BOUNDS",
    "LOOP_LAG_BOUNDS",
    "Histogram",
    "NodeMetrics",
    "sample_loop_lag",
    "time_collections",
]
