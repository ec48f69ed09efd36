"""A scenario's issues compiled once per room for the referee's hot path.

Judging an offer asks three things of every issue: is the value in the
issue's domain, which way did it move from the sender's previous offer, and
is it past the sender's authority limit. Asked of the scenario's Structs, each
is a method call, a string compare of the issue's kind and a ``tuple.index``
per value, twice per offer. Here the answers are laid out by issue position
once (when the room's ``created`` event is folded) and every question is a
rank comparison. The results are exactly those of :meth:`Issue.check`,
:func:`~.classify.classify` and :meth:`Scenario.beyond_authority`, which stay
the definitions (the tests compare the two on random packages); this is
their fast form. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from dealroom.protocol import Issue, OfferClass, Role, Scenario, Terms

__all__ = ["Domain", "Judgement"]

_ROLES: tuple[Role, ...] = ("buyer", "seller")
_KNOWN = 8
"""Packages whose ranks a room's domain remembers (the last offers of both seats, and
a few sign-off requests)."""


_Row = tuple[str, dict[str, int] | None, int, int, int, bool, int | None]


class Judgement(NamedTuple):
    """What :meth:`Domain.judge` finds in an offer's terms."""

    ranks: tuple[int, ...]
    offer_class: OfferClass
    beyond: tuple[str, ...]
    """The issues past the sender's authority limit, in scenario order."""


@dataclass(frozen=True, slots=True)
class Domain:
    """Every issue of a scenario by position: its values' ranks, each role's direction and limit."""

    id_set: frozenset[str]
    rows: dict[Role, tuple[_Row, ...]]
    """Per role, one row per issue in scenario order: its id, option -> rank (None for a
    numeric issue), min, max and step (numeric issues), whether the role prefers higher
    ranks, and the rank of the role's authority limit (None without one)."""
    _known: dict[int, tuple[Terms, tuple[int, ...]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """The ranks of the last few packages judged (by identity): an offer is judged
    against the sender's previous offer, whose ranks were worked out when it was
    judged itself. A cache, so the answers stay those of a pure function."""

    @classmethod
    def of(cls, scenario: Scenario) -> Domain:
        """Compile ``scenario``'s issues."""

        def row(issue: Issue, role: Role) -> _Row:
            side = scenario.roles[role]
            limit = side.authority.get(issue.id)
            up = side.prefers[issue.id] == "up"
            rank = None if limit is None else issue.rank(limit)
            if issue.kind == "options":
                return issue.id, {o: r for r, o in enumerate(issue.options)}, 0, 0, 1, up, rank
            return issue.id, None, issue.min or 0, issue.max or 0, issue.step, up, rank

        return cls(
            id_set=frozenset(i.id for i in scenario.issues),
            rows={role: tuple(row(i, role) for i in scenario.issues) for role in _ROLES},
        )

    def ranks(self, terms: Terms) -> tuple[int, ...] | None:
        """The rank of each issue's value in ``terms``; None if a value is outside its domain.

        ``terms`` must name exactly the scenario's issues (checked before). A
        package is judged once; it must not change afterwards (events' terms do not).
        """
        known = self._known.get(id(terms))
        if known is not None and known[0] is terms:
            return known[1]
        ranks = self._ranks(terms)
        if ranks is not None:
            self._remember(terms, ranks)
        return ranks

    def _remember(self, terms: Terms, ranks: tuple[int, ...]) -> None:
        known = self._known
        if len(known) >= _KNOWN:
            known.clear()
        known[id(terms)] = (terms, ranks)

    def _ranks(self, terms: Terms) -> tuple[int, ...] | None:
        ranks = []
        for issue_id, options, low, high, step, _, _ in self.rows["buyer"]:  # any role's
            rank = _rank(terms[issue_id], options, low, high, step)
            if rank is None:
                return None
            ranks.append(rank)
        return tuple(ranks)

    def judge(self, role: Role, terms: Terms, previous: tuple[int, ...] | None) -> Judgement | None:
        """``terms`` offered by ``role`` after an offer whose ranks were ``previous``:
        their ranks, class and the issues past ``role``'s authority, in one pass over
        the issues; None if a value is outside its issue's domain.

        Answers as :meth:`ranks`, :func:`~.classify.classify` and
        :meth:`Scenario.beyond_authority` do (tests/referee/test_domain.py).
        """
        ranks: list[int] = []
        gave = took = False
        beyond: tuple[str, ...] = ()
        for position, (issue_id, options, low, high, step, up, limit) in enumerate(self.rows[role]):
            rank = _rank(terms[issue_id], options, low, high, step)
            if rank is None:
                return None
            if previous is not None and rank != previous[position]:
                if (rank > previous[position]) == up:
                    took = True
                else:
                    gave = True
            if limit is not None and (rank < limit if up else rank > limit):
                beyond += (issue_id,)
            ranks.append(rank)
        ranked = tuple(ranks)
        self._remember(terms, ranked)
        if previous is None:
            klass = OfferClass.OPENING
        elif gave:
            klass = OfferClass.TRADE if took else OfferClass.CONCESSION
        else:
            klass = OfferClass.HARDENING if took else OfferClass.REPEAT
        return Judgement(ranked, klass, beyond)


def _rank(
    value: object, options: dict[str, int] | None, low: int, high: int, step: int
) -> int | None:
    """``value``'s rank in one issue's domain (options or a stepped range); None if outside."""
    if options is not None:
        return options.get(value) if type(value) is str else None
    if type(value) is not int or not low <= value <= high:  # a bool is not an int here
        return None
    rank, off_step = divmod(value - low, step)
    return None if off_step else rank
