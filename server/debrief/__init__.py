"""dealroom.server.debrief: outcome analytics, pure functions over logs and scenarios."""

from __future__ import annotations

from .analysis import CurvePoint, RoomAnalysis, SideAnalysis, analyse_room
from .coaching import Signal, coaching
from .cohort import COUNT_KEYS, Cohort, Point, cohort, main_money_issue
from .export import CSV_COLUMNS, events_jsonl, read_jsonl, rooms_csv
from .frontier import Outcome, OutcomeSpace, outcome_space
from .replay import PROJECTED_KINDS, Step, Tabled, projected_steps, replay_steps

__all__ = [
    "COUNT_KEYS",
    "CSV_COLUMNS",
    "PROJECTED_KINDS",
    "Cohort",
    "CurvePoint",
    "Outcome",
    "OutcomeSpace",
    "Point",
    "RoomAnalysis",
    "SideAnalysis",
    "Signal",
    "Step",
    "Tabled",
    "analyse_room",
    "coaching",
    "cohort",
    "events_jsonl",
    "main_money_issue",
    "outcome_space",
    "projected_steps",
    "read_jsonl",
    "replay_steps",
    "rooms_csv",
]
