"""Negotiating strategies from the literature, each reading only its own side.

A strategy answers a :class:`~.negotiation.Situation` with one action. It may
use its own brief and the offers on the table, never the counterpart's scoring
(DESIGN.md, principle 6), and it keeps no memory between calls: everything it
needs is in the Situation, so a bot that reconnects decides exactly as before.

What this module owns:

* **the shared rules** (:class:`Negotiator`): accept the counterpart's standing
  offer when it is worth at least what I would offer next and beats my
  reservation value (AC_next; in the last moments any offer above the
  reservation value, AC_time), walk away only when time is nearly up and
  nothing they offered beats the reservation value, never propose out of
  turn or below the reservation value, and flag a proposal as a concession
  only when the referee will agree it is one;
* **the strategies** that decide what to offer next: time-dependent
  (Boulware, linear, conceder), tit-for-tat, hard-liner and trade-seeking;
* **the registry** :data:`STRATEGIES` the CLI, the HTTP API and seats use.

Offers are picked in the role's :class:`~.space.PackageSpace`: among the
packages worth about what the strategy wants, the one nearest the
counterpart's latest offer. So bots trade (give where the counterpart seems
to care, hold where they care themselves) rather than only drop the price.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .negotiation import AcceptOffer, Action, Hold, Leave, Propose, Situation
from .space import PackageSpace, Ranks, counterpart_ends, is_concession, space_for

__all__ = [
    "STRATEGIES",
    "HardLiner",
    "Negotiator",
    "Reading",
    "Strategy",
    "TimeDependent",
    "TitForTat",
    "TradeSeeking",
    "make_strategy",
]

WALK_AWAY_TIME = 0.95
"""From here a bot may walk away, when no counterpart offer beats its reservation value."""
ACCEPT_ANY_TIME = 0.97
"""From here any offer above the reservation value beats the no-deal that is coming."""
BAND = 0.03
"""Width of the score band an offer is chosen from, as a share of (best - reservation)."""


class Strategy:
    """Anything that answers a Situation with an Action (the bot runner's interface)."""

    name = "strategy"

    def respond(self, situation: Situation) -> Action:
        """The action to take now."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Reading:
    """A Situation read into my package space: what every strategy needs, computed once."""

    situation: Situation
    space: PackageSpace
    reservation: float
    best: float
    mine: tuple[Ranks, ...]
    theirs: tuple[Ranks, ...]
    their_scores: tuple[float, ...]
    """My score of each of their offers, oldest first."""

    @classmethod
    def of(cls, situation: Situation) -> Reading:
        """Read ``situation`` (the space comes from the per-role cache)."""
        space = space_for(situation.brief, situation.issues)
        theirs = tuple(space.ranks(terms) for _, terms in situation.their_offers)
        return cls(
            situation=situation,
            space=space,
            reservation=situation.brief.reservation_value,
            best=space.max_score,
            mine=tuple(space.ranks(terms) for terms in situation.my_offers),
            theirs=theirs,
            their_scores=tuple(map(space.score, theirs)),
        )

    @property
    def time(self) -> float:
        """Fraction of the negotiation elapsed."""
        return self.situation.time

    @property
    def room(self) -> float:
        """Points between my best and my reservation value: all I can give."""
        return max(self.best - self.reservation, 0.0)

    def offer_near(self, target: float, ceiling: float | None = None) -> Ranks:
        """A package worth at least ``target`` (and ≥ rv), nearest their latest offer.

        Chosen within ``[target, target + band]`` (capped at ``ceiling``); when
        that band is empty, within the next scores up. Before they have offered,
        "nearest them" means nearest the opposite of my preferences.
        """
        space = self.space
        lo = min(max(target, self.reservation), self.best)
        hi = lo + max(BAND * self.room, 1e-9)
        if ceiling is not None:
            hi = max(lo, min(hi, ceiling))
        reachable = space.lowest_at_least(lo)
        if reachable is None:
            return space.best()
        anchor = self.theirs[-1] if self.theirs else counterpart_ends(space, ())
        found = space.closest(anchor, lo, max(hi, reachable))
        return found if found is not None else space.best()


class Negotiator(Strategy):
    """The shared rules; a subclass says what it would offer next in :meth:`plan`."""

    def plan(self, reading: Reading) -> Ranks:
        """The package I would offer next (before the shared safety rules)."""
        raise NotImplementedError

    def accepts(self, reading: Reading, offered: float, planned: float) -> bool:
        """Whether to accept a standing offer worth ``offered`` when I would offer ``planned``."""
        if offered < reading.reservation:
            return False
        return offered >= planned or reading.time >= ACCEPT_ANY_TIME

    def respond(self, situation: Situation) -> Action:
        """Accept, walk away, hold or propose, by the shared rules in the module docstring."""
        reading = Reading.of(situation)
        space, rv = reading.space, reading.reservation
        planned = self.plan(reading)
        if reading.theirs:
            # Never ask for less than they already offered: propose their best
            # offer back instead (they showed they could sign it).
            top = max(range(len(reading.theirs)), key=reading.their_scores.__getitem__)
            if reading.their_scores[top] >= space.score(planned):
                planned = reading.theirs[top]
        if space.score(planned) < rv:
            planned = reading.offer_near(rv)
        # Bots stay inside their authority limits: no sign-off to wait for.
        planned = space.within_authority(planned)
        planned_score = space.score(planned)
        if situation.standing is not None:
            standing = space.ranks(situation.standing[1])
            offered = space.score(standing)
            if not space.beyond_authority(standing) and self.accepts(
                reading, offered, planned_score
            ):
                return AcceptOffer(situation.standing[0])
        if situation.time >= WALK_AWAY_TIME and reading.theirs and max(reading.their_scores) < rv:
            return Leave("We cannot reach a deal that beats our alternative before the deadline.")
        if not situation.my_turn:
            return Hold()
        if planned_score < rv:  # no package beats my alternative: nothing to propose
            return Hold("no package beats the reservation value")
        if reading.mine and planned == reading.mine[-1] and len(reading.theirs) < len(reading.mine):
            # Repeating my offer is an answer to theirs, not a way to fill silence.
            return Hold("waiting for their answer")
        concede = bool(reading.mine) and is_concession(space, reading.mine[-1], planned)
        return Propose(space.terms(planned), concede=concede)


class TimeDependent(Negotiator):
    """Concedes with time: target ``a(t) = rv + (best - rv) * (1 - t ** exponent)``.

    ``exponent`` > 1 is Boulware (little early, much late), 1 linear, < 1 a
    conceder (much early). Faratin, Sierra & Jennings (1998).
    """

    def __init__(self, exponent: float, name: str = "time_dependent") -> None:
        """A time-dependent strategy with this concession ``exponent``."""
        if exponent <= 0:
            raise ValueError("the exponent must be positive")
        self.exponent = exponent
        self.name = name

    def target(self, situation: Situation) -> float:
        """The own score the next offer aims at, at ``situation.time``."""
        reading = Reading.of(situation)
        return self._target(reading)

    def _target(self, reading: Reading) -> float:
        time = min(max(reading.time, 0.0), 1.0)
        return reading.reservation + reading.room * (1.0 - float(time**self.exponent))

    def plan(self, reading: Reading) -> Ranks:
        """The package near their latest offer worth about ``a(t)``."""
        return reading.offer_near(self._target(reading))


class TitForTat(Negotiator):
    """Reciprocates: gives (in my points) what their last move gave me; relative TfT (Axelrod).

    Opens at its best. A hardening is answered in kind (the target rises by
    what it cost me). Before there is a move to mirror it makes a small
    goodwill step, and from ``late`` on it moves at least ``min_step`` so that
    two cautious bots do not stall into a deadlock at the deadline.
    """

    name = "tit_for_tat"

    def __init__(self, goodwill: float = 0.03, min_step: float = 0.06, late: float = 0.75) -> None:
        """Steps are shares of my room (best - reservation value)."""
        self.goodwill, self.min_step, self.late = goodwill, min_step, late

    def plan(self, reading: Reading) -> Ranks:
        """My last offer's score minus their last concession, near their latest offer."""
        if not reading.mine:
            return reading.space.best()
        last = reading.space.score(reading.mine[-1])
        scores = reading.their_scores
        given = scores[-1] - scores[-2] if len(scores) >= 2 else self.goodwill * reading.room
        if reading.time >= self.late:
            given = max(given, self.min_step * reading.room)
        target = min(last - given, reading.best)
        # Cap the band at my last score when giving: "about as much", not less.
        return reading.offer_near(target, ceiling=last if given > 0 else None)


class HardLiner(Negotiator):
    """Stays at (or next to) its best; moves a little only in the last 10 % of the time.

    Accepts AC_next, anything above a high threshold, or, at the very end,
    anything above its reservation value.
    """

    name = "hardliner"

    def __init__(self, threshold: float = 0.85, last_give: float = 0.3) -> None:
        """``threshold`` and ``last_give`` are shares of my room (best - reservation)."""
        self.threshold, self.last_give = threshold, last_give

    def plan(self, reading: Reading) -> Ranks:
        """Best package until t = 0.9, then up to ``last_give`` of the room by the deadline."""
        if not reading.mine:
            return reading.space.best()
        late = max(0.0, (reading.time - 0.9) / 0.1)
        return reading.offer_near(reading.best - reading.room * self.last_give * late)

    def accepts(self, reading: Reading, offered: float, planned: float) -> bool:
        """AC_next or AC_time, or an offer above the high threshold."""
        high = reading.reservation + self.threshold * reading.room
        return super().accepts(reading, offered, planned) or offered >= high


class TradeSeeking(Negotiator):
    """Gives on what it values least and holds what it values most, one notch a round.

    Issues are ranked by my stake (the spread of my points over the issue's
    values), smallest first. Each round moves my previous offer one notch on
    the cheapest issue that still has room towards the counterpart's side
    (their preferred end, read from their opening; never past their latest
    value), once that keeps it above a linear time-dependent floor; until
    then it repeats its offer rather than give on an issue it values more.
    """

    name = "trade_seeking"

    def plan(self, reading: Reading) -> Ranks:
        """My previous offer with one notch given on the cheapest issue that has room."""
        space = reading.space
        if not reading.mine:
            return space.best()
        previous = reading.mine[-1]
        floor = reading.reservation + reading.room * (1.0 - min(max(reading.time, 0.0), 1.0))
        ends = counterpart_ends(space, reading.theirs)
        for k in _by_stake(space):
            if ends[k] == space.preferred[k]:
                continue  # we want the same end here: nothing to give
            rank = previous[k]
            direction = (ends[k] > rank) - (ends[k] < rank)
            limit = reading.theirs[-1][k] if reading.theirs else ends[k]
            if direction == 0 or (limit - rank) * direction <= 0:
                continue  # at their end already, or at (or past) what they asked for
            moved = (*previous[:k], rank + direction, *previous[k + 1 :])
            # The cheapest issue with room or nothing: skipping to a dearer issue
            # would give away what I value most while the floor forbids the cheap one.
            return moved if space.score(moved) >= floor else previous
        return previous


def _by_stake(space: PackageSpace) -> list[int]:
    """Issue indexes ordered by how much I can win or lose on them, smallest first."""
    stakes = [max(points) - min(points) for points in space.points]
    return sorted(range(len(stakes)), key=lambda k: (stakes[k], k))


STRATEGIES: dict[str, Callable[[], Strategy]] = {
    "boulware": lambda: TimeDependent(4.0, "boulware"),
    "linear": lambda: TimeDependent(1.0, "linear"),
    "conceder": lambda: TimeDependent(0.25, "conceder"),
    "tit_for_tat": TitForTat,
    "hardliner": HardLiner,
    "trade_seeking": TradeSeeking,
}
"""Every built-in strategy by name, as a factory of fresh instances."""


def make_strategy(name: str) -> Strategy:
    """A fresh strategy by name (KeyError names the choices)."""
    try:
        return STRATEGIES[name]()
    except KeyError:
        raise KeyError(f"unknown strategy {name!r}; choose from {', '.join(STRATEGIES)}") from None
