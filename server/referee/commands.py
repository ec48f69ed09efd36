"""Commands: everything that can ask a room to change.

A command says who wants what, and carries ``now`` (epoch ms) because the
referee never reads a clock (DESIGN.md principle 1). Moves wrap the protocol's
move frames; facilitator actions and the clock's :class:`Tick` are their own
small types.
"""

from __future__ import annotations

from dataclasses import dataclass

from dealroom.protocol import Move, Role

__all__ = [
    "Announce",
    "Approve",
    "Command",
    "End",
    "Extend",
    "Join",
    "Leave",
    "Mediate",
    "MoveCommand",
    "Pause",
    "Resume",
    "Tick",
]


@dataclass(frozen=True, slots=True)
class MoveCommand:
    """A participant's move."""

    role: Role
    move: Move
    now: int


@dataclass(frozen=True, slots=True)
class Join:
    """A seat's first connection opened."""

    role: Role
    now: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class Leave:
    """A seat's last connection closed."""

    role: Role
    now: int


@dataclass(frozen=True, slots=True)
class Pause:
    """Facilitator: stop the clock and the moves."""

    now: int


@dataclass(frozen=True, slots=True)
class Resume:
    """Facilitator: run again with the time that was left."""

    now: int


@dataclass(frozen=True, slots=True)
class Extend:
    """Facilitator: move the deadline ``seconds`` later."""

    seconds: int
    now: int


@dataclass(frozen=True, slots=True)
class Announce:
    """Facilitator: an announcement to the room."""

    text: str
    now: int


@dataclass(frozen=True, slots=True)
class Mediate:
    """Facilitator: a mediator's message to the room, or privately to one role."""

    text: str
    now: int
    to: Role | None = None


@dataclass(frozen=True, slots=True)
class End:
    """Facilitator: end the room now (outcome ``closed``)."""

    now: int


@dataclass(frozen=True, slots=True)
class Approve:
    """Facilitator, as the manager: sign off (or not) a move past a role's authority."""

    request: int
    """The seq of the ``approval_requested`` event."""
    approved: bool
    now: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class Tick:
    """The clock: it is now ``now``; expire the room if its deadline passed."""

    now: int


Command = (
    MoveCommand | Join | Leave | Pause | Resume | Extend | Announce | Mediate | End | Approve | Tick
)
