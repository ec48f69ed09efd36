"""Short join codes: a few characters on the projector that lead to a workshop's open link.

A participant types ``HOST/j`` and the code, or scans the lobby's QR code of
``HOST/j/CODE``; the server redirects to the workshop's open link. Six
characters from an alphabet without look-alikes (no 0/O, no 1/I/L): 31**6,
about 887 million codes, so a random draw rarely meets a code in use and a
guesser, paced per address (server/web/lobby.py), finds nothing.

Each code is an index entry ``workshop-code:CODE`` whose one key is the
workshop's id: looking a code up reads one small index, not every workshop.
The workshop's own log holds its code (its creation record, or a ``code``
record for a workshop made before codes existed), so the code survives
restarts and the log stays the truth: an index entry that names a workshop
whose code is another (a race between two nodes, a crash before the record
landed) leads nowhere. Codes are never reused, so an old slide's QR code can
never lead into a newer workshop.
"""

from __future__ import annotations

import secrets

from ..log import EventLog, IndexKey

__all__ = ["ALPHABET", "LENGTH", "draw", "entry", "lookup", "normalise", "shown"]

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Capitals and digits that no font confuses with another: no 0/O, 1/I/L."""
LENGTH = 6
_INDEX = "workshop-code:"
_IGNORED = str.maketrans("", "", " -_.\t")
"""What people type between groups, or a phone's keyboard adds: not part of a code."""


def draw() -> str:
    """A new random code (not yet checked against the codes in use)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str | None:
    """The code ``typed`` means (any case, spaces and dashes ignored), or None if none."""
    code = typed.translate(_IGNORED).upper()
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def shown(code: str) -> str:
    """The code as a screen shows it: two groups of three, easier to read out and type."""
    return f"{code[:3]} {code[3:]}"


def entry(code: str, workshop: str) -> IndexKey:
    """The index entry that leads ``code`` to ``workshop``."""
    return IndexKey(_INDEX + code, workshop)


async def lookup(log: EventLog, code: str) -> list[str]:
    """The workshops whose index entry names ``code``: one, or none (the caller checks each
    one's log: only a workshop whose own record holds the code has it)."""
    return [workshop for workshop, _ in await log.scan_index(_INDEX + code)]
