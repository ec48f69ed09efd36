"""dealroom.server.debrief: outcome analytics, pure functions over logs and scenarios."""

from __future__ import annotations

from .analysis import RoomAnalysis, SideAnalysis, analyse_room
from .coaching import Signal, coaching
from .export import CSV_COLUMNS, events_jsonl, read_jsonl, rooms_csv
from .frontier import Outcome, OutcomeSpace, outcome_space

__all__ = [
    "CSV_COLUMNS",
    "Outcome",
    "OutcomeSpace",
    "RoomAnalysis",
    "SideAnalysis",
    "Signal",
    "analyse_room",
    "coaching",
    "events_jsonl",
    "outcome_space",
    "read_jsonl",
    "rooms_csv",
]
