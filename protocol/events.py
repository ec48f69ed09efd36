"""Room events: the entries of a room's log, and the ``event`` frames clients see.

A room *is* its log (DESIGN.md principle 2): a gapless sequence of these
events, seq 1, 2, 3 ... Every event frame is ``{"type": "event", "seq": S,
"at": T, "kind": K, "by": B, ...}``; ``at`` is milliseconds since the Unix
epoch, ``by`` who caused it (a role, ``facilitator`` or ``system``).

The same classes are the referee's output, the stored log entries (MessagePack)
and the frames sent to clients, so there is one declaration of each.
"""

from __future__ import annotations

import enum
from typing import Literal

import msgspec

from .scenario import Role, Scenario, Terms

__all__ = [
    "Accepted",
    "Actor",
    "Agreement",
    "Announcement",
    "ApprovalDecided",
    "ApprovalRequested",
    "Created",
    "Deadlock",
    "Ended",
    "Event",
    "EventBase",
    "Extended",
    "Intent",
    "Joined",
    "Left",
    "Message",
    "OfferClass",
    "Offered",
    "Outcome",
    "Paused",
    "Rejected",
    "Resumed",
    "Started",
    "WalkedAway",
]

Actor = Literal["buyer", "seller", "facilitator", "observer", "system"]


class OfferClass(enum.StrEnum):
    """The referee's class of an offer, against the sender's previous offer."""

    OPENING = "opening"
    """The sender's first offer."""
    CONCESSION = "concession"
    """Moves at least one issue towards the counterpart and none away."""
    TRADE = "trade"
    """Gives on some issues and takes on others."""
    HARDENING = "hardening"
    """Moves at least one issue away from the counterpart and none towards."""
    REPEAT = "repeat"
    """The same terms as the sender's previous offer."""


class Intent(enum.StrEnum):
    """What a message is for (active listening, handling objections)."""

    QUESTION = "question"
    OBJECTION = "objection"
    INTEREST = "interest"
    INFO = "info"


class Outcome(enum.StrEnum):
    """How a room ended."""

    AGREED = "agreed"
    WALKED_AWAY = "walked_away"
    EXPIRED = "expired"
    CLOSED = "closed"


class EventBase(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", gc=False):
    """Fields every event carries.

    ``gc=False``: an event is an immutable tree of plain values (no cycles), and
    a server keeps every event of its live rooms; the cyclic collector need
    never walk them (dealroom/server/collector.py).
    """

    type: Literal["event"] = "event"
    seq: int
    at: int
    by: Actor


class Created(EventBase, frozen=True, tag="created"):
    """Seq 1 of every room: the scenario it runs, frozen at creation.

    Facilitator-only (it holds both private briefs); seats get the public
    scenario and their own brief in ``welcome`` instead.
    """

    room: str
    scenario: Scenario
    workshop: str | None = None
    label: str = ""
    held: bool = False
    """The room waits for the facilitator's start once both seats have joined (a
    workshop's round: every room starts together) instead of starting by itself."""


class Joined(EventBase, frozen=True, tag="joined"):
    """A seat's first connection opened (``by`` is the seat's role)."""

    name: str = ""
    lang: str = ""
    """The language the seat's client shows, from its ``hello``: a bot writes to its
    counterpart in it. ``""`` when the client named none (or asked for every one)."""


class Left(EventBase, frozen=True, tag="left"):
    """A seat's last connection closed."""


class Started(EventBase, frozen=True, tag="started"):
    """Both seats have joined; the clock runs. ``deadline`` is epoch ms or null."""

    deadline: int | None


class Offered(EventBase, frozen=True, tag="offer"):
    """A package offer, classified by the referee."""

    move: str
    terms: Terms
    offer_class: OfferClass = msgspec.field(name="class")
    concede: bool = False
    """True when it was sent as a ``concede`` move."""


class Accepted(EventBase, frozen=True, tag="accepted"):
    """``by`` accepted the counterpart's standing offer ``offer`` (a seq)."""

    move: str
    offer: int


class Rejected(EventBase, frozen=True, tag="rejected"):
    """``by`` rejected the counterpart's standing offer; it stands no more."""

    move: str
    offer: int
    reason: str = ""


class Message(EventBase, frozen=True, tag="message"):
    """A message. With ``to`` set (facilitator to one role) it is private."""

    text: str
    move: str | None = None
    intent: Intent | None = None
    to: Role | None = None


class WalkedAway(EventBase, frozen=True, tag="walked_away"):
    """``by`` left the table for good."""

    move: str
    reason: str = ""


class Deadlock(EventBase, frozen=True, tag="deadlock"):
    """``offers`` offers in a row without a concession from either side."""

    offers: int


class Agreement(EventBase, frozen=True, tag="agreement"):
    """The deal: the complete terms of the accepted offer ``offer``."""

    offer: int
    terms: Terms
    proposer: Role
    acceptor: Role


class Paused(EventBase, frozen=True, tag="paused"):
    """The facilitator paused the room; ``remaining_ms`` is kept until resume."""

    remaining_ms: int | None


class Resumed(EventBase, frozen=True, tag="resumed"):
    """The room runs again; ``deadline`` is the new epoch-ms deadline or null."""

    deadline: int | None


class Extended(EventBase, frozen=True, tag="extended"):
    """The deadline moved ``seconds`` later."""

    seconds: int
    deadline: int | None
    remaining_ms: int | None


class Announcement(EventBase, frozen=True, tag="announcement"):
    """A facilitator's announcement to the room."""

    text: str


class ApprovalRequested(EventBase, frozen=True, tag="approval_requested"):
    """``by`` made a move past its authority limits: it waits for the facilitator's sign-off.

    Private to ``by`` and the facilitator (acting as the manager). The move has
    not happened: the counterpart sees nothing until it is approved.
    """

    move: str
    action: Literal["offer", "concede", "accept"]
    terms: Terms
    """The package that needs sign-off (for ``accept``: the standing offer's terms)."""
    issues: tuple[str, ...]
    """The issues on which ``terms`` go past the role's limits."""
    offer: int | None = None
    """For ``accept``: the seq of the standing offer it would accept."""


class ApprovalDecided(EventBase, frozen=True, tag="approval_decided"):
    """The facilitator approved or declined request ``request`` of ``role``.

    Private to ``role`` and the facilitator. On approval the move is judged
    again as it stands now: ``applied`` says whether it then happened (its
    events follow in the same decision) and ``reason`` why not.
    """

    request: int
    role: Role
    approved: bool
    applied: bool = False
    reason: str = ""
    note: str = ""


class Ended(EventBase, frozen=True, tag="ended"):
    """The room is over. Nothing happens after this event."""

    outcome: Outcome


Event = (
    Created
    | Joined
    | Left
    | Started
    | Offered
    | Accepted
    | Rejected
    | Message
    | WalkedAway
    | Deadlock
    | Agreement
    | Paused
    | Resumed
    | Extended
    | Announcement
    | ApprovalRequested
    | ApprovalDecided
    | Ended
)
