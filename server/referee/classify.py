"""Offer classification: opening, concession, trade, hardening, repeat.

An offer is compared issue by issue with the sender's previous offer, using
the sender's preferred direction on each issue (scenario ``prefers``). Every
issue domain is ordered (see :class:`dealroom.protocol.Issue`), so "towards
the counterpart" is defined for money, integers and options alike.
"""

from __future__ import annotations

from dealroom.protocol import OfferClass, Role, Scenario, Terms

__all__ = ["classify", "issue_moves"]


def issue_moves(scenario: Scenario, role: Role, previous: Terms, terms: Terms) -> dict[str, int]:
    """Per issue: +1 if ``role`` moved it its own way, -1 if it gave ground, 0 if unchanged."""
    prefers = scenario.roles[role].prefers
    moves: dict[str, int] = {}
    for issue in scenario.issues:
        delta = issue.rank(terms[issue.id]) - issue.rank(previous[issue.id])
        if delta == 0:
            moves[issue.id] = 0
        else:
            towards_self = (delta > 0) == (prefers[issue.id] == "up")
            moves[issue.id] = 1 if towards_self else -1
    return moves


def classify(scenario: Scenario, role: Role, previous: Terms | None, terms: Terms) -> OfferClass:
    """The referee's class of ``terms`` offered by ``role`` after ``previous``.

    A buyer who prefers a low price and a long warranty, moving from
    (price 100, 1 year) to (price 110, 1 year) makes a concession; to
    (price 110, 2 years) a trade; to (price 90, 1 year) a hardening.
    """
    if previous is None:
        return OfferClass.OPENING
    moves = issue_moves(scenario, role, previous, terms).values()
    gave = -1 in moves
    took = 1 in moves
    if gave and took:
        return OfferClass.TRADE
    if gave:
        return OfferClass.CONCESSION
    if took:
        return OfferClass.HARDENING
    return OfferClass.REPEAT
