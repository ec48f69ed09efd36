"""What a workshop's projector shows at the facilitator's word, besides the reveal.

Two things, each a record of the workshop's log stream (:mod:`.workshop_records`)
folded into a :class:`ProjectorView`, so that a projector that reloads, another
node, or a restarted server shows the same thing:

- a room in the **spotlight**: the projector shows that one room's negotiation
  replayed, instead of the cohort, until the facilitator stops it
  (:class:`.workshop_records.SpotlightChanged`, ``room`` None for the stop);
- **labels** on the scatter: each deal's point carries its room's label
  (:class:`.workshop_records.LabelsChanged`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .workshop_records import LabelsChanged, ProjectorRecord

__all__ = ["ProjectorView", "Spotlight"]


@dataclass(frozen=True, slots=True)
class Spotlight:
    """The room the projector shows, and since when (epoch ms): the projector's replay
    runs from that moment, so every reload shows the same step."""

    room: str
    since: int


@dataclass(frozen=True, slots=True)
class ProjectorView:
    """What the facilitator has put on the workshop's projector."""

    spotlight: Spotlight | None = None
    labels: bool = False
    """Whether each deal's point on the scatter carries its room's label."""

    def fold(self, record: ProjectorRecord) -> ProjectorView:
        """The view after ``record``; the same view when it changes nothing (the room
        already in the spotlight keeps its start, so its replay does not restart)."""
        if isinstance(record, LabelsChanged):
            return dataclasses.replace(self, labels=record.shown)
        if record.room is None:
            return dataclasses.replace(self, spotlight=None)
        if self.spotlight is not None and self.spotlight.room == record.room:
            return self
        return dataclasses.replace(self, spotlight=Spotlight(record.room, record.at))
