"""Latency samples of a load test, kept in an HDR histogram so workers merge exactly.

A worker appends raw samples (microseconds) to a flat array while it plays:
that costs a few tens of nanoseconds, where recording into the histogram costs
microseconds, which at tens of thousands of moves per second would make the
load tool its own bottleneck. The samples are folded into the histogram once,
after play, outside the measured window. Workers hand their histograms to the
parent encoded (HdrHistogram's compressed form), and the parent adds them
count by count: merged percentiles are those of all samples, never an average
of the workers' percentiles.
"""

from __future__ import annotations

from array import array
from typing import Any

from hdrh.histogram import HdrHistogram

__all__ = ["Latencies"]

_LOWEST_US = 1
_HIGHEST_US = 3_600_000_000
"""An hour: a sample above it is clamped to it rather than dropped (and counted)."""
_DIGITS = 3
"""Significant digits: every reported percentile is within 0.1 % of the true sample."""


class Latencies:
    """Latency samples in milliseconds: cheap to append, exact to merge.

    ``record`` appends; ``merge`` adds another's counts; ``summary`` reports
    p50/p90/p99/p99.9/max in milliseconds (to the microsecond).
    """

    __slots__ = ("_histogram", "_pending")

    def __init__(self) -> None:
        self._histogram = HdrHistogram(_LOWEST_US, _HIGHEST_US, _DIGITS)
        self._pending = array("q")

    def record(self, ms: float) -> None:
        """Add one sample (milliseconds; negative clock noise counts as zero)."""
        self._pending.append(int(ms * 1000.0))

    def append(self, ms: float) -> None:
        """The same as :meth:`record`: the report's latencies read like lists."""
        self._pending.append(int(ms * 1000.0))

    def _fold(self) -> HdrHistogram:
        if self._pending:
            record = self._histogram.record_value
            for us in self._pending:
                record(min(max(us, _LOWEST_US), _HIGHEST_US))
            self._pending = array("q")
        return self._histogram

    def merge(self, other: Latencies) -> None:
        """Add every sample of ``other`` to this one."""
        self._fold().add(other._fold())

    @property
    def count(self) -> int:
        """How many samples were recorded."""
        return int(self._fold().get_total_count())

    def summary(self) -> dict[str, float | int | None]:
        """p50/p90/p99/p99.9/max in milliseconds and the count; None when empty."""
        histogram = self._fold()
        count = int(histogram.get_total_count())
        if not count:
            return {"p50": None, "p90": None, "p99": None, "p99_9": None, "max": None, "count": 0}

        def ms(us: int) -> float:
            return round(us / 1000.0, 3)

        at = histogram.get_value_at_percentile
        return {
            "p50": ms(at(50.0)),
            "p90": ms(at(90.0)),
            "p99": ms(at(99.0)),
            "p99_9": ms(at(99.9)),
            "max": ms(histogram.get_max_value()),
            "count": count,
        }

    def encode(self) -> bytes:
        """The histogram in HdrHistogram's compressed, portable form."""
        return bytes(self._fold().encode())

    @classmethod
    def decode(cls, encoded: bytes) -> Latencies:
        """The latencies :meth:`encode` wrote."""
        latencies = cls()
        latencies._histogram.add(HdrHistogram.decode(encoded))
        return latencies

    # Workers send their reports to the parent through a pickle: send the
    # compact encoded histogram, not the raw arrays.
    def __getstate__(self) -> dict[str, Any]:
        return {"encoded": self.encode()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._histogram = HdrHistogram(_LOWEST_US, _HIGHEST_US, _DIGITS)
        self._pending = array("q")
        self._histogram.add(HdrHistogram.decode(state["encoded"]))
