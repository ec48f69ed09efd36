"""dealroom.server.debrief: outcome analytics, pure functions over logs and scenarios."""

from __future__ import annotations

from .frontier import Outcome, OutcomeSpace, outcome_space

__all__ = ["Outcome", "OutcomeSpace", "outcome_space"]
