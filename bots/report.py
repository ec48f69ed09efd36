"""The load test's report: latency percentiles, move counts, the tool's own CPU, SLO checks."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .latency import Latencies

__all__ = [
    "CONTENDED_SHARE",
    "SATURATED_SHARE",
    "Report",
    "Slo",
    "WorkerCpu",
    "parse_slo",
    "runqueue_wait_s",
]

SATURATED_SHARE = 0.9
"""A worker busier than this share of one core is the limit of the run, not the server."""
CONTENDED_SHARE = 0.1
"""A worker that waited this share of its window for a CPU shared its core with others."""


def runqueue_wait_s() -> float:
    """Seconds this thread has waited on a run queue (Linux schedstat; 0 elsewhere).

    On a shared machine another process on the load tool's core stretches
    the window without using the tool's CPU: this wait shows it.
    """
    try:
        with open("/proc/thread-self/schedstat", encoding="ascii") as stat:
            return int(stat.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


@dataclass(frozen=True, slots=True)
class WorkerCpu:
    """One load-tool worker's CPU time over its play window."""

    cpu_s: float
    wall_s: float
    wait_s: float = 0.0
    """Time spent ready to run but waiting for a CPU (another process had it)."""

    @property
    def share(self) -> float:
        """CPU seconds per wall second: 1.0 is one whole core."""
        return self.cpu_s / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def wait_share(self) -> float:
        """Seconds waiting for a CPU per wall second."""
        return self.wait_s / self.wall_s if self.wall_s > 0 else 0.0


@dataclass
class Report:
    """Everything a load test measured, merged over its workers."""

    rooms: int = 0
    rooms_completed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    moves_acked: int = 0
    seconds: float = 0.0
    window_moves: int | None = None
    """Moves acked (dealroom) or delivered (relay) inside the play window, when it is fixed."""
    moves_scheduled: int = 0
    """Open model: moves whose scheduled send time fell inside the play window."""
    moves_sent: int = 0
    moves_delivered: int = 0
    """Moves whose event (or forwarded frame) reached the counterpart."""
    delivery_ms: Latencies = field(default_factory=Latencies)
    """From a move's send (open model: its scheduled send) to the counterpart's receipt."""
    ack_ms: Latencies = field(default_factory=Latencies)
    """From a move's send (open model: its scheduled send) to the sender's receipt of its ack."""
    tool_cpu: list[WorkerCpu] = field(default_factory=list)
    """Each worker's own CPU over its play window: is the load tool the limit?"""
    play_start: float | None = None
    play_end: float | None = None
    """The play window in seconds since the epoch, to measure a server's CPU over it."""
    errors: Counter[str] = field(default_factory=Counter)
    reconnects: int = 0
    lost: int = 0
    duplicated: int = 0
    verified_rooms: int = 0
    interrupted: bool = False
    """Stopped early (Ctrl-C): the figures cover only what was played until then."""
    settings: dict[str, Any] = field(default_factory=dict)

    def merge(self, other: Report) -> None:
        """Add a worker's figures to this report."""
        self.rooms += other.rooms
        self.rooms_completed += other.rooms_completed
        self.outcomes.update(other.outcomes)
        self.moves_acked += other.moves_acked
        self.seconds = max(self.seconds, other.seconds)
        if other.window_moves is not None:
            self.window_moves = (self.window_moves or 0) + other.window_moves
        self.moves_scheduled += other.moves_scheduled
        self.moves_sent += other.moves_sent
        self.moves_delivered += other.moves_delivered
        self.delivery_ms.merge(other.delivery_ms)
        self.ack_ms.merge(other.ack_ms)
        self.tool_cpu += other.tool_cpu
        if other.play_start is not None:
            self.play_start = min(self.play_start or other.play_start, other.play_start)
        if other.play_end is not None:
            self.play_end = max(self.play_end or other.play_end, other.play_end)
        self.errors.update(other.errors)
        self.reconnects += other.reconnects

    @property
    def moves_per_second(self) -> float:
        """Acknowledged (relay: delivered) moves per second over the play window."""
        moves = self.moves_acked if self.window_moves is None else self.window_moves
        return moves / self.seconds if self.seconds > 0 else 0.0

    @property
    def tool_saturated(self) -> bool:
        """Whether a worker used more than :data:`SATURATED_SHARE` of a core."""
        return any(w.share > SATURATED_SHARE for w in self.tool_cpu)

    def tool_cpu_dict(self) -> dict[str, Any]:
        """The load tool's own CPU for the JSON report."""
        cpu = sum(w.cpu_s for w in self.tool_cpu)
        moves = self.moves_acked if self.window_moves is None else self.window_moves
        return {
            "workers": [
                {
                    "cpu_s": round(w.cpu_s, 3),
                    "wall_s": round(w.wall_s, 3),
                    "share": round(w.share, 3),
                    "waited_for_cpu_s": round(w.wait_s, 3),
                }
                for w in self.tool_cpu
            ],
            "max_share": round(max((w.share for w in self.tool_cpu), default=0.0), 3),
            "moves_per_cpu_s": round(moves / cpu) if cpu > 0 else None,
            "saturated": self.tool_saturated,
            "contended": any(w.wait_share > CONTENDED_SHARE for w in self.tool_cpu),
        }

    def as_dict(self) -> dict[str, Any]:
        """The report for machines (``--json``)."""
        return {
            "settings": self.settings,
            "rooms": self.rooms,
            "rooms_completed": self.rooms_completed,
            "outcomes": dict(self.outcomes),
            "moves_acked": self.moves_acked,
            "seconds": round(self.seconds, 3),
            "moves_per_second": round(self.moves_per_second, 1),
            "window_moves": self.window_moves,
            "moves_scheduled": self.moves_scheduled,
            "moves_sent": self.moves_sent,
            "moves_delivered": self.moves_delivered,
            "delivery_ms": self.delivery_ms.summary(),
            "ack_ms": self.ack_ms.summary(),
            "tool_cpu": self.tool_cpu_dict(),
            "play_window": {"start": self.play_start, "end": self.play_end},
            "errors": dict(self.errors),
            "reconnects": self.reconnects,
            "verified_rooms": self.verified_rooms,
            "lost": self.lost,
            "duplicated": self.duplicated,
            "interrupted": self.interrupted,
        }


@dataclass(frozen=True, slots=True)
class Slo:
    """One threshold: ``metric`` (a dotted path into the JSON report) ``op`` ``limit``."""

    metric: str
    op: str
    limit: float

    def check(self, report: dict[str, Any]) -> tuple[bool, float | None]:
        """Whether the report meets it, and the measured value."""
        value: Any = report
        for part in self.metric.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, int | float):
            return False, None
        ok = {
            "<=": value <= self.limit,
            ">=": value >= self.limit,
            "<": value < self.limit,
            ">": value > self.limit,
            "==": value == self.limit,
        }[self.op]
        return ok, float(value)


_ALIASES = {
    "delivery_p50_ms": "delivery_ms.p50",
    "delivery_p90_ms": "delivery_ms.p90",
    "delivery_p99_ms": "delivery_ms.p99",
    "delivery_p99_9_ms": "delivery_ms.p99_9",
    "delivery_max_ms": "delivery_ms.max",
    "ack_p50_ms": "ack_ms.p50",
    "ack_p90_ms": "ack_ms.p90",
    "ack_p99_ms": "ack_ms.p99",
    "ack_p99_9_ms": "ack_ms.p99_9",
    "ack_max_ms": "ack_ms.max",
}
_SLO = re.compile(r"^\s*([a-z_.0-9]+)\s*(<=|>=|==|<|>)\s*(-?[0-9.]+)\s*$")


def parse_slo(text: str) -> list[Slo]:
    """``"delivery_p99_ms<=25,lost==0,moves_per_second>=1000"`` -> thresholds.

    Raises:
        ValueError: with the part that is not a threshold.
    """
    slos = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _SLO.match(part)
        if match is None:
            raise ValueError(f"not a threshold: {part!r} (expected e.g. delivery_p99_ms<=25)")
        metric, op, limit = match.groups()
        slos.append(Slo(_ALIASES.get(metric, metric), op, float(limit)))
    return slos
