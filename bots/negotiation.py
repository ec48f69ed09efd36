"""What a bot knows when it decides, and what it can decide.

A strategy sees only its own role's brief and scoring, the public issues, the
offers on the table and the time: never the counterpart's scoring. It answers
with one :data:`Action`; the bot runner turns that into protocol moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dealroom.protocol import Brief, Issue, Role, ScenarioText, Terms

__all__ = ["AcceptOffer", "Action", "Hold", "Leave", "Propose", "Situation"]


@dataclass(frozen=True, slots=True)
class Situation:
    """One role's view of the negotiation at the moment of deciding."""

    role: Role
    brief: Brief
    issues: tuple[Issue, ...]
    time: float
    """Fraction of the negotiation elapsed, 0.0 at the start to 1.0 at the deadline."""
    my_offers: tuple[Terms, ...] = ()
    """My offers so far, oldest first."""
    their_offers: tuple[tuple[int, Terms], ...] = ()
    """The counterpart's offers so far as (seq, terms), oldest first."""
    standing: tuple[int, Terms] | None = None
    """The counterpart's standing offer (seq, terms), if there is one to accept."""
    my_turn: bool = True
    """False when the scenario takes turns and the next offer is the counterpart's."""
    their_language: str = ""
    """The language the counterpart's client shows (its ``joined.lang``); "" if unknown."""
    translations: Mapping[str, ScenarioText] = field(default_factory=dict)
    """The scenario's words in other languages, by language: what a persona names the
    issues and options with when it writes in one of them."""

    def score(self, terms: Terms) -> float:
        """My points for ``terms``."""
        return self.brief.score(self.issues, terms)


@dataclass(frozen=True, slots=True)
class Propose:
    """Make this offer (sent as ``concede`` when ``concede`` is true)."""

    terms: Terms
    concede: bool = False


@dataclass(frozen=True, slots=True)
class AcceptOffer:
    """Accept the counterpart's standing offer ``seq``."""

    seq: int


@dataclass(frozen=True, slots=True)
class Leave:
    """Walk away from the table."""

    reason: str = ""


@dataclass(frozen=True, slots=True)
class Hold:
    """Do nothing now (wait for the counterpart or the clock)."""

    note: str = field(default="")


Action = Propose | AcceptOffer | Leave | Hold
