"""The outcome space of a scenario, its Pareto frontier and its Nash bargaining point.

Exact by enumeration: every package of the discretised outcome space is scored
for both roles (the built-in spaces hold 20k-71k packages). The frontier is
the set of packages no other package beats for one role without losing for
the other; the Nash point maximises the product of both gains over the
reservation values. Pure: no I/O.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import msgspec

from dealroom.protocol import Issue, RoleSide, Scenario, Terms, TermValue, issue_points

__all__ = ["Outcome", "OutcomeSpace", "Packages", "outcome_space"]


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


class Packages(Sequence[Outcome]):
    """Every package of a scenario, stored as two columns of scores.

    A package is its index in the enumeration (the last issue varies fastest,
    as in :func:`itertools.product`); its terms are rebuilt from the index on
    access. Two ``array`` columns instead of an object and a dict per package:
    the software-subscription space has 70,785 packages, and that many new
    container objects in a server's heap trigger full garbage collections that
    stall the event loop whichever thread allocates them.
    """

    __slots__ = ("_buyer", "_issues", "_seller")

    def __init__(self, issues: tuple[Issue, ...], buyer: array[float], seller: array[float]):
        self._issues = issues
        self._buyer = buyer
        self._seller = seller

    def __len__(self) -> int:
        return len(self._buyer)

    @overload
    def __getitem__(self, index: int) -> Outcome: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Outcome]: ...
    def __getitem__(self, index: int | slice) -> Outcome | Sequence[Outcome]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return Outcome(self.terms(index), self._buyer[index], self._seller[index])

    def terms(self, index: int) -> Terms:
        """The terms of package ``index``: its digits in the issues' mixed radix."""
        values: list[tuple[str, TermValue]] = []
        for issue in reversed(self._issues):
            index, rank = divmod(index, issue.size())
            values.append((issue.id, issue.value_at(rank)))
        return dict(reversed(values))

    def scores(self) -> Iterator[tuple[float, float]]:
        """(buyer, seller) of every package, in order, without building packages."""
        return zip(self._buyer, self._seller, strict=True)


@dataclass(frozen=True, slots=True)
class OutcomeSpace:
    """Every package of a scenario with both scores, its frontier and Nash point."""

    outcomes: Packages
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


def _pareto(packages: Packages) -> tuple[Outcome, ...]:
    # Sweep by buyer score descending: a package is on the frontier when its
    # seller score beats every package with a higher (or equal) buyer score.
    # Two stable sorts on float keys (seller, then buyer) order like one on
    # (buyer, seller) without a key tuple per package; ties keep enumeration
    # order, so the first package of a tied point stands for it.
    buyer, seller = packages._buyer, packages._seller
    ordered = sorted(range(len(packages)), key=seller.__getitem__, reverse=True)
    ordered.sort(key=buyer.__getitem__, reverse=True)
    frontier: list[int] = []
    best_seller = float("-inf")
    for index in ordered:
        if seller[index] > best_seller:
            frontier.append(index)
            best_seller = seller[index]
    return tuple(packages[i] for i in reversed(frontier))


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


def _column_sums(columns: list[list[float]]) -> array[float]:
    """Each package's total, in enumeration order, summed issue by issue as ``sum`` would."""
    totals = [0.0]  # 0.0 + x is x exactly: the same floats as sum() over the package
    for column in columns:
        totals = [total + points for total in totals for points in column]
    return array("d", totals)


def _space(scenario: Scenario) -> OutcomeSpace:
    issues = tuple(scenario.issues)
    buyer, seller = scenario.roles["buyer"], scenario.roles["seller"]

    def points(role: RoleSide) -> list[list[float]]:
        return [
            [
                issue_points(issue, role.scoring.get(issue.id), role.prefers[issue.id], value)
                for value in (issue.value_at(r) for r in range(issue.size()))
            ]
            for issue in issues
        ]

    packages = Packages(issues, _column_sums(points(buyer)), _column_sums(points(seller)))
    frontier = _pareto(packages)
    rb, rs = buyer.reservation_value, seller.reservation_value
    feasible = [o for o in frontier if o.buyer >= rb and o.seller >= rs]
    nash = max(feasible, key=lambda o: (o.buyer - rb) * (o.seller - rs), default=None)
    return OutcomeSpace(
        outcomes=packages,
        frontier=frontier,
        nash=nash,
        best_joint=max(b + s for b, s in packages.scores()),
    )
