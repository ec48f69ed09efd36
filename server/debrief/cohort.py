"""A workshop's cohort: every room's debrief side by side, on one outcome space.

Pure: room analyses and their scenario in, one :class:`Cohort` out. The
facilitator's cohort view, the projector and the printable debrief all draw
this one value: the table of rooms, the scatter of outcomes against the
Pareto frontier and both reservation values, the distribution of the main
money issue, each room's concession curves and the counts of rooms agreed,
deadlocked and walked away.

Example::

    analyses = [analyse_room(log) for log in logs]   # logs: each room's events
    view = cohort(scenario, analyses)
    view.counts["agreed"], [(p.buyer, p.seller) for p in view.frontier]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from dealroom.protocol import Issue, Role, Scenario

from .analysis import RoomAnalysis
from .frontier import outcome_space

__all__ = ["COUNT_KEYS", "Cohort", "Point", "cohort", "main_money_issue"]

COUNT_KEYS = (
    "rooms",
    "waiting",
    "running",
    "paused",
    "agreed",
    "walked_away",
    "expired",
    "closed",
    "deadlocked",
)
"""The keys of :attr:`Cohort.counts`: rooms in each phase, ended rooms by outcome,
and rooms left in an unbroken deadlock without a deal."""


@dataclass(frozen=True, slots=True)
class Point:
    """A position in (buyer score, seller score) space."""

    buyer: float
    seller: float


@dataclass(frozen=True, slots=True)
class Cohort:
    """Everything the cohort view draws for one workshop."""

    scenario: Scenario
    money: Issue | None
    """The main money issue (the first money issue), if the scenario has one."""
    reservation: dict[Role, float]
    max_score: dict[Role, float]
    frontier: tuple[Point, ...]
    """The Pareto frontier, buyer score ascending."""
    nash: Point | None
    best_joint: float
    counts: dict[str, int]
    rooms: tuple[RoomAnalysis, ...]

    def points(self) -> list[Point]:
        """Where each agreed room's deal lies (the scatter); see :func:`cohort`."""
        return [
            Point(r.buyer.score, r.seller.score)
            for r in self.rooms
            if r.buyer.score is not None and r.seller.score is not None
        ]


def main_money_issue(scenario: Scenario) -> Issue | None:
    """The issue the price talk is about: the scenario's first money issue.

    >>> from dealroom.server.debrief.example import example_scenario
    >>> main_money_issue(example_scenario()).id
    'price'
    """
    return next((i for i in scenario.issues if i.kind == "money"), None)


def cohort(scenario: Scenario, rooms: Sequence[RoomAnalysis]) -> Cohort:
    """The cohort of ``rooms`` (analyses of rooms that run ``scenario``).

    >>> from dealroom.server.debrief import analyse_room
    >>> from dealroom.server.debrief.example import example_log, example_scenario
    >>> view = cohort(example_scenario(), [analyse_room(example_log())])
    >>> view.counts["rooms"], view.counts["agreed"], view.points()
    (1, 1, [Point(buyer=52.5, seller=50.0)])
    >>> view.reservation, len(view.frontier), view.nash
    ({'buyer': 30, 'seller': 25}, 37, Point(buyer=60.0, seller=60.0))
    """
    space = outcome_space(scenario)
    counts: Counter[str] = Counter({key: 0 for key in COUNT_KEYS})
    for room in rooms:
        counts["rooms"] += 1
        counts[room.outcome if room.outcome is not None else room.phase] += 1
        if room.deadlocked:
            counts["deadlocked"] += 1
    nash = None if space.nash is None else Point(space.nash.buyer, space.nash.seller)
    return Cohort(
        scenario=scenario,
        money=main_money_issue(scenario),
        reservation={r: scenario.roles[r].reservation_value for r in ("buyer", "seller")},
        max_score={r: scenario.max_score(r) for r in ("buyer", "seller")},
        frontier=tuple(Point(o.buyer, o.seller) for o in space.frontier),
        nash=nash,
        best_joint=space.best_joint,
        counts=dict(counts),
        rooms=tuple(rooms),
    )
