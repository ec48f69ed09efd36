"""Per-connection flood control: a token bucket, and a tally of refusals.

Frames over the rate are refused with ``rate_limited`` and the connection
stays open; a client that keeps flooding (refusals pile up faster than they
decay) has crossed into protocol abuse and is closed with 1008. Time comes in
as an argument, so the policy is tested without a clock.
"""

from __future__ import annotations

__all__ = ["FloodGate", "RepeatFilter", "Verdict", "log_limited"]

import logging
import time
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


_last_logged: dict[str, float] = {}
_LOG_EVERY_SECONDS = 10.0


def log_limited(logger: logging.Logger, message: str, *args: object) -> None:
    """Log ``message`` as a warning at most once per 10 s: a refusal repeated thousands
    of times a second (a flood, a connection storm) is one line, not a log that fills the disk."""
    now = time.monotonic()
    if now - _last_logged.get(message, -_LOG_EVERY_SECONDS) >= _LOG_EVERY_SECONDS:
        _last_logged[message] = now
        logger.warning(message, *args)


class RepeatFilter(logging.Filter):
    """Lets a log record through at most once per 10 s per message template.

    Installed on the ``asyncio`` logger: at the file-descriptor limit asyncio
    logs a traceback for every refused ``accept()``, thousands a second.
    The next record that passes says how many were held back.
    """

    def __init__(self, every_seconds: float = _LOG_EVERY_SECONDS) -> None:
        super().__init__()
        self._every = every_seconds
        self._last: dict[object, float] = {}
        self._held: dict[object, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = record.msg
        now = time.monotonic()
        if now - self._last.get(key, -self._every) < self._every:
            self._held[key] = self._held.get(key, 0) + 1
            return False
        self._last[key] = now
        held = self._held.pop(key, 0)
        if held:
            record.msg = f"{record.msg} ({held} more like this in the last {self._every:.0f} s)"
        return True

    @classmethod
    def install(cls, logger: logging.Logger) -> None:
        """Add one to ``logger`` unless it has one already."""
        if not any(isinstance(f, cls) for f in logger.filters):
            logger.addFilter(cls())
