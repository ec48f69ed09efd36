"""Fold: the only way a room's state changes (DESIGN.md principle 2).

``replay(log)`` of a room's events from seq 1 gives the same state as the live
room that appended them; a property test checks it. Folding trusts its input:
the events were judged by :func:`~.rules.decide` before they were appended.
"""

from __future__ import annotations

from collections.abc import Iterable

from dealroom.protocol import (
    Accepted,
    Agreement,
    ApprovalDecided,
    ApprovalRequested,
    Created,
    Deadlock,
    Ended,
    Event,
    Extended,
    Joined,
    Left,
    OfferClass,
    Offered,
    Paused,
    Rejected,
    Resumed,
    Started,
    WalkedAway,
)
from dealroom.protocol import Message as MessageEvent

from .domain import Domain
from .state import PendingApproval, Phase, RoomState, StandingOffer, counterpart

__all__ = ["fold", "initial_state", "replay"]


def initial_state(created: Created) -> RoomState:
    """The state a room's first event establishes."""
    scenario = created.scenario
    rules = scenario.rules
    return RoomState(
        room=created.room,
        scenario=scenario,
        domain=Domain.of(scenario),
        workshop=created.workshop,
        label=created.label,
        created_at=created.at,
        held=created.held,
        seq=created.seq,
        duration_ms=rules.deadline_seconds * 1000 if rules.deadline_seconds else None,
        turn=None if rules.turns == "free" or rules.first_mover == "either" else rules.first_mover,
    )


def fold(state: RoomState, event: Event) -> RoomState:
    """Apply one event to ``state`` (in place) and return it."""
    state.seq = event.seq
    match event:
        # The most frequent events first: a match tries its cases in order.
        case Offered(by=role, terms=terms, offer_class=klass, move=move_id) if role in (
            "buyer",
            "seller",
        ):
            state.standing[role] = StandingOffer(event.seq, terms, klass)
            state.previous_terms[role] = terms
            state.pending.pop(role, None)
            state.moves[role][move_id] = event.seq
            state.offers += 1
            if klass is OfferClass.CONCESSION:
                state.since_concession = 0
                state.deadlock_armed = True
            else:
                state.since_concession += 1
            if state.scenario.rules.turns == "alternating":
                state.turn = counterpart(role)
        case Joined(by=role) if role in ("buyer", "seller"):
            state.joined.add(role)
            state.present.add(role)
        case Left(by=role) if role in ("buyer", "seller"):
            state.present.discard(role)
        case Started(deadline=deadline):
            state.phase = Phase.RUNNING
            state.deadline = deadline
        case ApprovalRequested(by=role, move=move_id) if role in ("buyer", "seller"):
            state.pending[role] = PendingApproval(
                event.seq, move_id, event.action, event.terms, event.offer, event.issues
            )
            state.moves[role][move_id] = event.seq
        case ApprovalDecided(role=role):
            state.pending.pop(role, None)
        case Deadlock():
            state.deadlocks += 1
            state.deadlock_armed = False
        case Rejected(by=role, move=move_id) if role in ("buyer", "seller"):
            state.standing.pop(counterpart(role), None)
            state.moves[role][move_id] = event.seq
        case Accepted(by=role, move=move_id) | WalkedAway(by=role, move=move_id) if role in (
            "buyer",
            "seller",
        ):
            state.moves[role][move_id] = event.seq
        case MessageEvent(by=role, move=str(move_id), text=text) if role in ("buyer", "seller"):
            state.moves[role][move_id] = event.seq
            state.message_chars[role] = state.message_chars.get(role, 0) + len(text)
        case Agreement(terms=terms):
            state.agreement = terms
        case Paused(remaining_ms=remaining):
            state.phase = Phase.PAUSED
            state.deadline = None
            state.remaining_ms = remaining
        case Resumed(deadline=deadline):
            state.phase = Phase.RUNNING
            state.deadline = deadline
            state.remaining_ms = None
        case Extended(deadline=deadline, remaining_ms=remaining):
            if state.phase is Phase.WAITING:
                state.duration_ms = remaining
            else:
                state.deadline = deadline
                state.remaining_ms = remaining
        case Ended(outcome=outcome):
            state.phase = Phase.ENDED
            state.outcome = outcome
            state.deadline = None
            state.remaining_ms = None
        case _:
            pass  # created, announcements and facilitator messages change no state
    return state


def replay(events: Iterable[Event]) -> RoomState:
    """Fold a room's log from its first event (which must be ``created``)."""
    iterator = iter(events)
    first = next(iterator)
    if not isinstance(first, Created):
        raise ValueError(f"a room's log starts with 'created', not {type(first).__name__}")
    state = initial_state(first)
    for event in iterator:
        fold(state, event)
    return state
