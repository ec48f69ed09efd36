"""What the referee answers: events to append, a refusal, or a known retry."""

from __future__ import annotations

from dataclasses import dataclass

from dealroom.protocol import ErrorCode, Event

__all__ = ["Applied", "Decision", "Duplicate", "Refused"]


@dataclass(frozen=True, slots=True)
class Applied:
    """The command is allowed; these events (maybe none) record it, in order."""

    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True)
class Refused:
    """The command is refused; nothing happens. ``code`` is stable."""

    code: ErrorCode
    message: str


@dataclass(frozen=True, slots=True)
class Duplicate:
    """The move id was applied before, as event ``seq``; acknowledge it again."""

    seq: int


Decision = Applied | Refused | Duplicate
