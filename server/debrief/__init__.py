"""dealroom.server.debrief: outcome analytics, pure functions over logs and scenarios."""

from __future__ import annotations

from .analysis import RoomAnalysis, SideAnalysis, analyse_room
from .frontier import Outcome, OutcomeSpace, outcome_space

__all__ = [
    "Outcome",
    "OutcomeSpace",
    "RoomAnalysis",
    "SideAnalysis",
    "analyse_room",
    "outcome_space",
]
