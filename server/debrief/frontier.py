"""The outcome space of a scenario, its Pareto frontier and its Nash bargaining point.

Exact by enumeration: every package of the discretised outcome space is scored
for both roles (the built-in spaces hold 20k-71k packages). The frontier is
the set of packages no other package beats for one role without losing for
the other; the Nash point maximises the product of both gains over the
reservation values. Pure: no I/O.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import msgspec

from dealroom.protocol import Scenario, Terms, issue_points

__all__ = ["Outcome", "OutcomeSpace", "outcome_space"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One package and what it is worth to each role."""

    terms: Terms
    buyer: float
    seller: float

    @property
    def joint(self) -> float:
        """Value for both sides together (win-win is judged on this)."""
        return self.buyer + self.seller


@dataclass(frozen=True, slots=True)
class OutcomeSpace:
    """Every package of a scenario with both scores, its frontier and Nash point."""

    outcomes: tuple[Outcome, ...]
    frontier: tuple[Outcome, ...]
    """Pareto-optimal outcomes, by buyer score ascending (seller descending): one package
    for each non-dominated pair of scores (packages that tie on both share its point)."""
    nash: Outcome | None
    """Maximises (buyer - rv_b) * (seller - rv_s) among deals both prefer to no deal."""
    best_joint: float

    def distance(self, buyer: float, seller: float) -> float:
        """How far (buyer, seller) lies from the frontier: the smallest Euclidean gap.

        >>> from dealroom.server.debrief.example import example_scenario
        >>> round(outcome_space(example_scenario()).distance(52.5, 50.0), 3)
        10.296
        """
        return min(math.hypot(o.buyer - buyer, o.seller - seller) for o in self.frontier)


def _pareto(outcomes: list[Outcome]) -> tuple[Outcome, ...]:
    # Sweep by buyer score descending: an outcome is on the frontier when its
    # seller score beats every outcome with a higher (or equal) buyer score.
    ordered = sorted(outcomes, key=lambda o: (-o.buyer, -o.seller))
    frontier: list[Outcome] = []
    best_seller = float("-inf")
    for outcome in ordered:
        if outcome.seller > best_seller:
            frontier.append(outcome)
            best_seller = outcome.seller
    frontier.reverse()
    return tuple(frontier)


_CACHE: dict[bytes, OutcomeSpace] = {}


def outcome_space(scenario: Scenario) -> OutcomeSpace:
    """The scenario's full outcome space (cached by the scenario's content).

    >>> from dealroom.server.debrief.example import example_scenario
    >>> space = outcome_space(example_scenario())
    >>> len(space.outcomes), len(space.frontier), space.best_joint
    (363, 37, 125.0)
    >>> space.nash.terms, space.nash.buyer, space.nash.seller
    ({'price': 150, 'warranty': '1 year', 'delivery': 2}, 60.0, 60.0)
    """
    key = msgspec.msgpack.encode(scenario)
    space = _CACHE.get(key)
    if space is None:
        if len(_CACHE) >= 16:
            _CACHE.clear()
        space = _CACHE[key] = _space(scenario)
    return space


def _space(scenario: Scenario) -> OutcomeSpace:
    issues = scenario.issues
    buyer, seller = scenario.roles["buyer"], scenario.roles["seller"]
    columns = []
    for issue in issues:
        values = [issue.value_at(r) for r in range(issue.size())]
        columns.append(
            [
                (
                    value,
                    issue_points(
                        issue, buyer.scoring.get(issue.id), buyer.prefers[issue.id], value
                    ),
                    issue_points(
                        issue, seller.scoring.get(issue.id), seller.prefers[issue.id], value
                    ),
                )
                for value in values
            ]
        )
    outcomes = []
    for combo in itertools.product(*columns):
        terms = {issue.id: cell[0] for issue, cell in zip(issues, combo, strict=True)}
        outcomes.append(Outcome(terms, sum(c[1] for c in combo), sum(c[2] for c in combo)))
    frontier = _pareto(outcomes)
    rb, rs = buyer.reservation_value, seller.reservation_value
    feasible = [o for o in frontier if o.buyer >= rb and o.seller >= rs]
    nash = max(feasible, key=lambda o: (o.buyer - rb) * (o.seller - rs), default=None)
    return OutcomeSpace(
        outcomes=tuple(outcomes),
        frontier=frontier,
        nash=nash,
        best_joint=max(o.joint for o in outcomes),
    )
