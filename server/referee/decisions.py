"""What the referee answers: events to append, a refusal, or a known retry."""

from __future__ import annotations

import msgspec

from dealroom.protocol import ErrorCode, Event

__all__ = ["Applied", "Decision", "Duplicate", "Refused"]


class Applied(msgspec.Struct, frozen=True, gc=False):
    """The command is allowed; these events (maybe none) record it, in order."""

    events: tuple[Event, ...]


class Refused(msgspec.Struct, frozen=True, gc=False):
    """The command is refused; nothing happens. ``code`` is stable."""

    code: ErrorCode
    message: str


class Duplicate(msgspec.Struct, frozen=True, gc=False):
    """The move id was applied before, as event ``seq``; acknowledge it again."""

    seq: int


Decision = Applied | Refused | Duplicate
