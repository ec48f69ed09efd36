"""Who may see which event (DESIGN.md principle 6).

Seats see public events; a role also sees events addressed to it; the
facilitator sees everything. The ``created`` event holds both private briefs,
so only the facilitator sees it; approval requests and decisions are between
one role and the facilitator.
"""

from __future__ import annotations

from typing import Literal

from dealroom.protocol import Actor, ApprovalDecided, ApprovalRequested, Created, Event, Message

__all__ = ["Audience", "audience", "can_see"]

Audience = Literal["all", "buyer", "seller", "facilitator"]


def audience(event: Event) -> Audience:
    """The narrowest audience that may see ``event`` (the facilitator is in every one)."""
    if isinstance(event, Created):
        return "facilitator"
    if isinstance(event, Message) and event.to is not None:
        return event.to
    # A request for sign-off is between a role and its manager (the facilitator).
    if isinstance(event, ApprovalRequested) and event.by in ("buyer", "seller"):
        return event.by
    if isinstance(event, ApprovalDecided):
        return event.role
    return "all"


def can_see(viewer: Actor, event_audience: Audience) -> bool:
    """Whether ``viewer`` (a seat's role, an observer, or the facilitator) sees it."""
    return viewer == "facilitator" or event_audience == "all" or event_audience == viewer
