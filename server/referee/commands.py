"""Commands: everything that can ask a room to change.

A command says who wants what, and carries ``now`` (epoch ms) because the
referee never reads a clock (DESIGN.md principle 1). Moves wrap the protocol's
move frames; facilitator actions and the clock's :class:`Tick` are their own
small types.
"""

from __future__ import annotations

import msgspec

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
    "Start",
    "Tick",
]


class MoveCommand(msgspec.Struct, frozen=True, gc=False):
    """A participant's move."""

    role: Role
    move: Move
    now: int


class Join(msgspec.Struct, frozen=True, gc=False):
    """A seat's first connection opened."""

    role: Role
    now: int
    name: str = ""
    lang: str = ""


class Leave(msgspec.Struct, frozen=True, gc=False):
    """A seat's last connection closed."""

    role: Role
    now: int


class Start(msgspec.Struct, frozen=True, gc=False):
    """Facilitator: start a held room (both seats in) now, with the round's ``deadline``.

    Every room of a round gets the same ``deadline`` (epoch ms; None: no time
    limit), so one countdown holds for the whole group, whenever a room starts.
    """

    deadline: int | None
    now: int


class Pause(msgspec.Struct, frozen=True, gc=False):
    """Facilitator: stop the clock and the moves."""

    now: int


class Resume(msgspec.Struct, frozen=True, gc=False):
    """Facilitator: run again with the time that was left."""

    now: int


class Extend(msgspec.Struct, frozen=True, gc=False):
    """Facilitator: move the deadline ``seconds`` later."""

    seconds: int
    now: int


class Announce(msgspec.Struct, frozen=True, gc=False):
    """Facilitator: an announcement to the room."""

    text: str
    now: int


class Mediate(msgspec.Struct, frozen=True, gc=False):
    """Facilitator: a mediator's message to the room, or privately to one role."""

    text: str
    now: int
    to: Role | None = None


class End(msgspec.Struct, frozen=True, gc=False):
    """Facilitator: end the room now (outcome ``closed``)."""

    now: int


class Approve(msgspec.Struct, frozen=True, gc=False):
    """Facilitator, as the manager: sign off (or not) a move past a role's authority."""

    request: int
    """The seq of the ``approval_requested`` event."""
    approved: bool
    now: int
    note: str = ""


class Tick(msgspec.Struct, frozen=True, gc=False):
    """The clock: it is now ``now``; expire the room if its deadline passed."""

    now: int


Command = (
    MoveCommand
    | Join
    | Leave
    | Start
    | Pause
    | Resume
    | Extend
    | Announce
    | Mediate
    | End
    | Approve
    | Tick
)
