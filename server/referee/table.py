"""The phase table: which command may happen in which phase.

Rules of this file (after h11's ``_state.py``):

1. Whether a command is *allowed at all* in a phase lives here and only here,
   as one table. Everything the table allows is then judged on its content by
   :mod:`.rules` (terms, turns, standing offers); nothing there re-decides what
   this table decides.
2. A refusal changes nothing (DESIGN.md principle 1: a refused move is a value).
3. ``IGNORE`` means "allowed, records nothing": joining an ended room to read
   its result, or a clock tick while paused. DESIGN.md: nothing happens after
   the end, so the ended row holds only refusals and ``IGNORE``.

Phase changes are not in this table: they are the effect of events, folded in
:mod:`.fold` (started -> running, paused -> paused, resumed -> running,
ended -> ended).
"""

from __future__ import annotations

from typing import Final, Literal

from dealroom.protocol import ErrorCode

from .state import Phase

__all__ = ["ALLOW", "COMMAND_NAMES", "IGNORE", "PHASE_TABLE", "Verdict"]

ALLOW: Final = "allow"
IGNORE: Final = "ignore"
Verdict = Literal["allow", "ignore"] | ErrorCode

MOVES = ("offer", "concede", "accept", "reject", "walk_away")
ACTIONS = ("start", "pause", "resume", "extend", "announce", "mediate", "end", "approve")
COMMAND_NAMES = (*MOVES, "message", "join", "leave", *ACTIONS, "tick")

_E = ErrorCode

PHASE_TABLE: Final[dict[Phase, dict[str, Verdict]]] = {
    Phase.WAITING: {
        **dict.fromkeys(MOVES, _E.NOT_STARTED),
        "message": ALLOW,
        "join": ALLOW,
        "leave": ALLOW,
        # Only a held room with both seats in may start: judged on content in rules.py.
        "start": ALLOW,
        "pause": _E.NOT_STARTED,
        "resume": _E.INVALID_ACTION,
        "extend": ALLOW,
        "announce": ALLOW,
        "mediate": ALLOW,
        "end": ALLOW,
        "approve": _E.NOT_STARTED,
        "tick": IGNORE,
    },
    Phase.RUNNING: {
        **dict.fromkeys(MOVES, ALLOW),
        "message": ALLOW,
        "join": ALLOW,
        "leave": ALLOW,
        "start": _E.INVALID_ACTION,
        "pause": ALLOW,
        "resume": _E.INVALID_ACTION,
        "extend": ALLOW,
        "announce": ALLOW,
        "mediate": ALLOW,
        "end": ALLOW,
        "approve": ALLOW,
        "tick": ALLOW,
    },
    Phase.PAUSED: {
        **dict.fromkeys(MOVES, _E.ROOM_PAUSED),
        "message": _E.ROOM_PAUSED,
        "join": ALLOW,
        "leave": ALLOW,
        "start": _E.INVALID_ACTION,
        "pause": _E.INVALID_ACTION,
        "resume": ALLOW,
        "extend": ALLOW,
        "announce": ALLOW,
        "mediate": ALLOW,
        "end": ALLOW,
        "approve": _E.ROOM_PAUSED,
        "tick": IGNORE,
    },
    Phase.ENDED: {
        **dict.fromkeys((*MOVES, "message", *ACTIONS), _E.ROOM_ENDED),
        "join": IGNORE,
        "leave": IGNORE,
        "tick": IGNORE,
    },
}
