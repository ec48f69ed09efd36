"""Per-connection flood control: a token bucket, and a tally of refusals.

Frames over the rate are refused with ``rate_limited`` and the connection
stays open; a client that keeps flooding (refusals pile up faster than they
decay) has crossed into protocol abuse and is closed with 1008. Time comes in
as an argument, so the policy is tested without a clock.
"""

from __future__ import annotations

__all__ = ["FloodGate", "Verdict"]

from typing import Literal

Verdict = Literal["pass", "refuse", "close"]


class FloodGate:
    """Decides, frame by frame, whether a connection's frame is read."""

    __slots__ = ("_burst", "_rate", "_refused", "_threshold", "_tokens", "_updated")

    def __init__(self, rate: float, burst: int, abuse_threshold: int, now: float) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._threshold = float(abuse_threshold)
        self._tokens = float(burst)
        self._refused = 0.0
        self._updated = now

    def admit(self, now: float) -> Verdict:
        """``pass`` to read the frame, ``refuse`` to answer ``rate_limited``, ``close`` on abuse."""
        if self._rate <= 0:
            return "pass"
        elapsed = max(0.0, now - self._updated)
        self._updated = now
        self._tokens = min(self._burst, self._tokens + elapsed * self._rate)
        self._refused = max(0.0, self._refused - elapsed * self._rate)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return "pass"
        self._refused += 1.0
        return "close" if self._refused > self._threshold else "refuse"
