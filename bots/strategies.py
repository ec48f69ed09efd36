"""Negotiating strategies from the literature, each reading only its own side.

Every strategy answers a :class:`~.negotiation.Situation` with an action. They
share two rules:

* **Accept** the counterpart's standing offer when it is worth at least as much
  to me as what I would offer next, and beats my reservation value ("AC_next").
* **Walk away** only when the deal cannot beat the reservation value before the
  deadline: near the end (``time >= 0.95``) with every counterpart offer so far
  below it.

Offers are built by :func:`package_for`: start from an anchor (the
counterpart's latest offer) and move, one notch at a time, the issue that buys
me the most points per notch, until the package reaches my target. So a bot
gives way where it cares least and holds what it values most: concessions
that make trades, not just a falling price.
"""

from __future__ import annotations

from collections.abc import Callable

from dealroom.protocol import Brief, Issue, Terms, TermValue, issue_points

from .negotiation import AcceptOffer, Action, Hold, Leave, Propose, Situation

__all__ = [
    "STRATEGIES",
    "HardLiner",
    "Strategy",
    "TimeDependent",
    "TitForTat",
    "TradeSeeking",
    "best_package",
    "make_strategy",
    "package_for",
]

WALK_AWAY_TIME = 0.95


def _points(brief: Brief, issue: Issue, value: TermValue) -> float:
    return issue_points(issue, brief.scoring.get(issue.id), brief.prefers[issue.id], value)


def best_package(brief: Brief, issues: tuple[Issue, ...]) -> Terms:
    """Every issue at the value worth most to me."""
    return {issue.id: _best_value(brief, issue) for issue in issues}


def _best_value(brief: Brief, issue: Issue) -> TermValue:
    values = [issue.value_at(r) for r in range(issue.size())]
    return max(values, key=lambda value: _points(brief, issue, value))


def package_for(brief: Brief, issues: tuple[Issue, ...], target: float, anchor: Terms) -> Terms:
    """The package nearest ``anchor`` that is worth at least ``target`` to me.

    Greedy: move one issue one notch towards my preferred end at a time,
    choosing the notch with the largest gain, until the target is reached.
    """
    terms = dict(anchor)
    score = brief.score(issues, terms)
    while score < target:
        best_gain, best_move = 0.0, None
        for issue in issues:
            rank = issue.rank(terms[issue.id])
            step = 1 if brief.prefers[issue.id] == "up" else -1
            if not 0 <= rank + step < issue.size():
                continue
            value = issue.value_at(rank + step)
            gain = _points(brief, issue, value) - _points(brief, issue, terms[issue.id])
            if gain > best_gain:
                best_gain, best_move = gain, (issue.id, value)
        if best_move is None:  # nothing left to gain: this is my best
            break
        terms[best_move[0]] = best_move[1]
        score += best_gain
    return terms


def is_concession(brief: Brief, issues: tuple[Issue, ...], previous: Terms, terms: Terms) -> bool:
    """The referee's definition: at least one issue moved my way off, none towards me."""
    gave = False
    for issue in issues:
        delta = issue.rank(terms[issue.id]) - issue.rank(previous[issue.id])
        if delta == 0:
            continue
        if (delta > 0) == (brief.prefers[issue.id] == "up"):
            return False
        gave = True
    return gave


class Strategy:
    """The shared frame: accept, walk away, or propose what :meth:`target` asks for."""

    name = "strategy"

    def target(self, situation: Situation, best: float, floor: float) -> float:
        """The score my next offer should be worth."""
        raise NotImplementedError

    def anchor(self, situation: Situation, best_terms: Terms) -> Terms:
        """Where my next offer starts from (the counterpart's latest offer)."""
        return situation.their_offers[-1][1] if situation.their_offers else best_terms

    def respond(self, situation: Situation) -> Action:
        """Accept, leave, propose or hold, by the shared rules above."""
        brief, issues = situation.brief, situation.issues
        best_terms = best_package(brief, issues)
        best = situation.score(best_terms)
        floor = brief.reservation_value
        if not situation.my_offers:
            next_terms = best_terms
        else:
            target = max(floor, min(best, self.target(situation, best, floor)))
            next_terms = package_for(brief, issues, target, self.anchor(situation, best_terms))
        next_score = situation.score(next_terms)
        standing = situation.standing
        if standing is not None:
            offered = situation.score(standing[1])
            if offered >= floor and offered >= next_score:
                return AcceptOffer(standing[0])
        if situation.time >= WALK_AWAY_TIME and situation.their_offers:
            their_best = max(situation.score(t) for _, t in situation.their_offers)
            if their_best < floor:
                return Leave("We cannot reach a deal that works for us before the deadline.")
        if not situation.my_turn:
            return Hold()
        if situation.my_offers and next_terms == situation.my_offers[-1]:
            return Hold("nothing new to offer")
        concede = bool(situation.my_offers) and is_concession(
            brief, issues, situation.my_offers[-1], next_terms
        )
        return Propose(next_terms, concede=concede)


class TimeDependent(Strategy):
    """Concedes as a function of time: ``target = rv + (best - rv) * (1 - t ** e)``.

    ``e`` > 1 is Boulware (little early, much late), 1 linear, < 1 conceder.
    """

    def __init__(self, exponent: float, name: str) -> None:
        self.exponent = exponent
        self.name = name

    def target(self, situation: Situation, best: float, floor: float) -> float:
        return floor + (best - floor) * (1.0 - float(situation.time**self.exponent))


class TitForTat(Strategy):
    """Reciprocates: concedes (in my points) what the counterpart's last move gave me."""

    name = "tit_for_tat"

    def target(self, situation: Situation, best: float, floor: float) -> float:
        mine = situation.score(situation.my_offers[-1])
        theirs = [situation.score(t) for _, t in situation.their_offers]
        if len(theirs) < 2:  # open the exchange with a small, friendly step
            return mine - 0.03 * (best - floor)
        given = theirs[-1] - theirs[-2]
        # Near the deadline keep moving a little even if they do not, or nobody will.
        nudge = 0.05 * (best - floor) if situation.time > 0.7 else 0.0
        return mine - max(given, nudge)


class HardLiner(Strategy):
    """Holds its best; gives ground only in the last 15 % of the time, and not all of it."""

    name = "hardliner"

    def target(self, situation: Situation, best: float, floor: float) -> float:
        late = max(0.0, (situation.time - 0.85) / 0.15)
        return best - (best - floor) * 0.6 * late


class TradeSeeking(Strategy):
    """Concedes on the issues it values least, from its own previous offer, keeping a floor."""

    name = "trade_seeking"

    def target(self, situation: Situation, best: float, floor: float) -> float:
        return floor + (best - floor) * (1.0 - situation.time)

    def anchor(self, situation: Situation, best_terms: Terms) -> Terms:
        """My previous offer with its least-valued movable issue one notch towards them."""
        brief, issues = situation.brief, situation.issues
        previous = dict(situation.my_offers[-1]) if situation.my_offers else dict(best_terms)
        by_stake = sorted(issues, key=lambda i: _stake(brief, i))
        for issue in by_stake:
            rank = issue.rank(previous[issue.id])
            towards_them = -1 if brief.prefers[issue.id] == "up" else 1
            if 0 <= rank + towards_them < issue.size():
                moved = dict(previous)
                moved[issue.id] = issue.value_at(rank + towards_them)
                return moved
        return previous


def _stake(brief: Brief, issue: Issue) -> float:
    values = [_points(brief, issue, issue.value_at(r)) for r in range(issue.size())]
    return max(values) - min(values)


STRATEGIES: dict[str, Callable[[], Strategy]] = {
    "boulware": lambda: TimeDependent(4.0, "boulware"),
    "linear": lambda: TimeDependent(1.0, "linear"),
    "conceder": lambda: TimeDependent(0.25, "conceder"),
    "tit_for_tat": TitForTat,
    "hardliner": HardLiner,
    "trade_seeking": TradeSeeking,
}


def make_strategy(name: str) -> Strategy:
    """A fresh strategy by name (KeyError names the choices)."""
    try:
        return STRATEGIES[name]()
    except KeyError:
        raise KeyError(f"unknown strategy {name!r}; choose from {', '.join(STRATEGIES)}") from None
