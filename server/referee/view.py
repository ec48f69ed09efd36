"""The room view seats receive in ``welcome``: public parts of the state only."""

from __future__ import annotations

from dealroom.protocol import RoomView, Standing

from .state import Phase, RoomState

__all__ = ["room_view"]


def room_view(state: RoomState) -> RoomView:
    """What every seat may know about the room as of ``state.seq``."""
    return RoomView(
        phase=state.phase.value,
        seq=state.seq,
        deadline=state.deadline,
        remaining_ms=state.remaining_ms,
        turn=state.turn,
        joined=tuple(r for r in ("buyer", "seller") if r in state.joined),
        standing={
            role: Standing(seq=s.seq, terms=s.terms, offer_class=s.offer_class)
            for role, s in state.standing.items()
        },
        offers=state.offers,
        deadlocks=state.deadlocks,
        outcome=state.outcome,
        agreement=state.agreement,
        duration_ms=state.duration_ms if state.phase is Phase.WAITING else None,
    )
