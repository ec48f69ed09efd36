"""Per-address pacing of the open link: a token bucket for each client address.

The open link needs no facilitator token, so what one client can take from a
workshop must be paced (DESIGN.md principle 7). Each client address gets a
bucket of ``burst`` seats refilled at ``per_minute``; a request past it is
told how many seconds to wait. A classroom behind one NAT address shares a
bucket, so the burst is sized for a class arriving at once, and the open page
waits and retries by itself.

The table is bounded: at most ``max_addresses`` buckets, the least recently
seen evicted first. An evicted address starts again with a full bucket, which
is what an address idle that long would have anyway. Time comes in as an
argument, so the policy is tested without a clock.
"""

from __future__ import annotations

import math
from collections import OrderedDict

__all__ = ["ArrivalRate"]


class ArrivalRate:
    """Decides, arrival by arrival, whether an address may take a seat now."""

    def __init__(self, per_minute: float, burst: int, max_addresses: int = 4096) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._max = max_addresses
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        """address -> (tokens, when they were counted), least recently seen first."""

    def __len__(self) -> int:
        return len(self._buckets)

    def wait(self, address: str, now: float) -> float:
        """The seconds until ``address`` may come in again (0: now), spending nothing.

        For a pace that charges only some requests (a wrong join code, not a
        right one): ask first, :meth:`admit` once the request turns out to cost.
        """
        tokens, then = self._buckets.get(address, (self._burst, now))
        tokens = min(self._burst, tokens + max(0.0, now - then) * self._rate)
        if tokens >= 1.0:
            return 0.0
        return (1.0 - tokens) / self._rate if self._rate > 0 else math.inf

    def admit(self, address: str, now: float) -> float:
        """0 to let the arrival in (and spend a token), else the seconds to wait."""
        tokens, then = self._buckets.pop(address, (self._burst, now))
        tokens = min(self._burst, tokens + max(0.0, now - then) * self._rate)
        if tokens >= 1.0:
            wait, tokens = 0.0, tokens - 1.0
        else:
            wait = (1.0 - tokens) / self._rate if self._rate > 0 else math.inf
        self._buckets[address] = (tokens, now)
        while len(self._buckets) > self._max:
            self._buckets.popitem(last=False)
        return wait
