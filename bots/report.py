"""The load test's report: percentiles, outcome counts, SLO checks."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Report", "Slo", "parse_slo", "percentiles"]


def percentiles(samples: list[float]) -> dict[str, float | None]:
    """p50/p90/p99/max of ``samples`` (nearest rank), None when there are none."""
    if not samples:
        return {"p50": None, "p90": None, "p99": None, "max": None, "count": 0}
    ordered = sorted(samples)

    def rank(q: float) -> float:
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    return {
        "p50": round(rank(0.50), 3),
        "p90": round(rank(0.90), 3),
        "p99": round(rank(0.99), 3),
        "max": round(ordered[-1], 3),
        "count": len(ordered),
    }


@dataclass
class Report:
    """Everything a load test measured, merged over its workers."""

    rooms: int = 0
    rooms_completed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    moves_acked: int = 0
    seconds: float = 0.0
    delivery_ms: list[float] = field(default_factory=list)
    """From a move's send to the counterpart's receipt of its event."""
    ack_ms: list[float] = field(default_factory=list)
    """From a move's send to the sender's receipt of its ack."""
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
        self.delivery_ms += other.delivery_ms
        self.ack_ms += other.ack_ms
        self.errors.update(other.errors)
        self.reconnects += other.reconnects

    @property
    def moves_per_second(self) -> float:
        """Acknowledged moves per second over the play phase."""
        return self.moves_acked / self.seconds if self.seconds > 0 else 0.0

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
            "delivery_ms": percentiles(self.delivery_ms),
            "ack_ms": percentiles(self.ack_ms),
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
    "delivery_max_ms": "delivery_ms.max",
    "ack_p50_ms": "ack_ms.p50",
    "ack_p90_ms": "ack_ms.p90",
    "ack_p99_ms": "ack_ms.p99",
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
