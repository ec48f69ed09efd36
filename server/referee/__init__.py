"""dealroom.server.referee: the rules of a negotiation room, without I/O.

Commands in, events or a refusal out (:func:`decide`); state is a fold over
events (:func:`fold`, :func:`replay`). Nothing here touches a socket, a clock
or storage: a test walks these imports and fails on any I/O module.
"""

from __future__ import annotations

from .classify import classify, issue_moves
from .commands import (
    Announce,
    Approve,
    Command,
    End,
    Extend,
    Join,
    Leave,
    Mediate,
    MoveCommand,
    Pause,
    Resume,
    Start,
    Tick,
)
from .decisions import Applied, Decision, Duplicate, Refused
from .fold import fold, initial_state, replay
from .rules import MESSAGE_CHARS_PER_ROLE, decide
from .state import Phase, RoomState, StandingOffer, counterpart
from .table import PHASE_TABLE
from .view import room_view
from .visibility import Audience, audience, can_see

__all__ = [
    "MESSAGE_CHARS_PER_ROLE",
    "PHASE_TABLE",
    "Announce",
    "Applied",
    "Approve",
    "Audience",
    "Command",
    "Decision",
    "Duplicate",
    "End",
    "Extend",
    "Join",
    "Leave",
    "Mediate",
    "MoveCommand",
    "Pause",
    "Phase",
    "Refused",
    "Resume",
    "RoomState",
    "StandingOffer",
    "Start",
    "Tick",
    "audience",
    "can_see",
    "classify",
    "counterpart",
    "decide",
    "fold",
    "initial_state",
    "issue_moves",
    "replay",
    "room_view",
]
