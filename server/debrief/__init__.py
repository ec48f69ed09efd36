"""dealroom.server.debrief: outcome analytics, pure functions over logs and scenarios."""

from __future__ import annotations

from .analysis import RoomAnalysis, SideAnalysis, analyse_room
from .export import CSV_COLUMNS, events_jsonl, read_jsonl, rooms_csv
from .frontier import Outcome, OutcomeSpace, outcome_space

__all__ = [
    "CSV_COLUMNS",
    "Outcome",
    "OutcomeSpace",
    "RoomAnalysis",
    "SideAnalysis",
    "analyse_room",
    "events_jsonl",
    "outcome_space",
    "read_jsonl",
    "rooms_csv",
]
