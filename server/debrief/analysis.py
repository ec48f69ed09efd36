"""One room's debrief, computed from its log alone (the log is the room).

Pure: events in, figures out. Everything a facilitator shows the group about
one pair: the outcome, each side's private score and whether it beat its
reservation value (BATNA), joint value and the distance from the Pareto
frontier, who anchored first and how far the final price moved from that
anchor, each side's offers by class, whether its concessions shrank step by
step (a growing concession is a coaching flag), its questions and objections,
the deadlocks and whether they were broken, and the time to agreement.

Example::

    analysis = analyse_room(events)           # events: a room's full log, seq 1 first
    analysis.buyer.score, analysis.joint, analysis.distance_to_frontier
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from dealroom.protocol import (
    Agreement,
    ApprovalDecided,
    ApprovalRequested,
    Created,
    Deadlock,
    Ended,
    Event,
    Issue,
    Message,
    OfferClass,
    Offered,
    Paused,
    Resumed,
    Role,
    Started,
    Terms,
    WalkedAway,
)

from .frontier import outcome_space

__all__ = ["CurvePoint", "RoomAnalysis", "SideAnalysis", "analyse_room"]

# A concession this many points larger than the one before it "grows".
_GROWTH_TOLERANCE = 0.5


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """One offer on a side's concession curve."""

    seq: int
    t: int
    """Milliseconds since the room started (the offer's ``at`` minus ``started``)."""
    own: float
    """The offer's worth to the side that made it."""
    other: float
    """The same offer's worth to the counterpart."""
    offer_class: str


@dataclass(frozen=True, slots=True)
class SideAnalysis:
    """One role's figures."""

    role: Role
    score: float | None
    """Private score of the agreed terms; None without an agreement."""
    reservation_value: float
    beat_reservation: bool | None
    offers: Counter[str] = field(default_factory=Counter)
    """Offers by the referee's class (opening, concession, trade, hardening, repeat)."""
    concession_sizes: tuple[float, ...] = ()
    """Own points given up by each offer that gave ground, in order."""
    growing_concessions: int = 0
    """How many concessions were larger than the one before (a coaching flag)."""
    intents: Counter[str] = field(default_factory=Counter)
    """Messages by intent: question, objection, interest, info."""
    curve: tuple[CurvePoint, ...] = ()
    """Each of this side's offers over time, in its own score and the counterpart's."""
    authority: dict[str, int] = field(
        default_factory=lambda: {"requests": 0, "approved": 0, "declined": 0, "lapsed": 0}
    )
    """Moves beyond the role's authority limits: sign-offs asked for, granted (and the move
    landed), refused, and granted too late (the move no longer fitted the room)."""

    @property
    def concessions_shrank(self) -> bool:
        """True when no concession was larger than the one before it."""
        return self.growing_concessions == 0


@dataclass(frozen=True, slots=True)
class RoomAnalysis:
    """One room's debrief."""

    room: str
    label: str
    phase: str
    """waiting, running, paused or ended: where the log leaves the room."""
    outcome: str | None
    terms: Terms | None
    buyer: SideAnalysis
    seller: SideAnalysis
    joint: float | None
    best_joint: float
    distance_to_frontier: float | None
    first_offer_by: Role | None
    walked_away_by: Role | None
    """The role that left the table (outcome ``walked_away``)."""
    anchor: dict[str, float] | None
    """On the main money issue: the first offer's value, the final value, and how far
    the final value lies from the first offer as a fraction of the issue's range."""
    deadlocks: int
    deadlocks_broken: int
    """Deadlocks followed by a concession from either side."""
    time_to_agreement_ms: int | None

    @property
    def deadlocked(self) -> bool:
        """A deadlock was left unbroken and no deal followed."""
        return self.deadlocks > self.deadlocks_broken and self.outcome != "agreed"

    @property
    def money_value(self) -> float | None:
        """The agreed value of the main money issue (None without a deal or money issue)."""
        return None if self.anchor is None else self.anchor["final"]


def analyse_room(events: Sequence[Event]) -> RoomAnalysis:
    """The debrief of one room from its full log (seq 1, ``created``, first).

    >>> from dealroom.server.debrief.example import example_log
    >>> analysis = analyse_room(example_log())
    >>> analysis.buyer.score, analysis.seller.score, analysis.joint, analysis.distance_to_frontier
    (52.5, 50.0, 102.5, 10.296)
    >>> analysis.first_offer_by, analysis.anchor
    ('buyer', {'first': 100.0, 'final': 150.0, 'moved': 0.5})
    >>> buyer = analysis.buyer
    >>> dict(buyer.offers), buyer.concession_sizes, buyer.growing_concessions
    ({'opening': 1, 'concession': 3}, (5.0, 10.0, 32.5), 2)
    >>> dict(buyer.intents), dict(analysis.seller.intents), analysis.time_to_agreement_ms
    ({'question': 2}, {'objection': 1}, 59000)
    """
    created = events[0] if events else None
    if not isinstance(created, Created):
        raise ValueError("a room's log starts with its 'created' event")
    scenario = created.scenario
    space = outcome_space(scenario)
    offers: dict[Role, list[Offered]] = {"buyer": [], "seller": []}
    intents: dict[Role, Counter[str]] = {"buyer": Counter(), "seller": Counter()}
    authority: dict[Role, dict[str, int]] = {
        r: {"requests": 0, "approved": 0, "declined": 0, "lapsed": 0} for r in ("buyer", "seller")
    }
    outcome: str | None = None
    terms: Terms | None = None
    phase = "waiting"
    started_at = agreed_at = None
    deadlocks = broken = 0
    open_deadlock = False
    walked: Role | None = None
    for event in events:
        match event:
            case Started(at=at):
                started_at, phase = at, "running"
            case Paused():
                phase = "paused"
            case Resumed():
                phase = "running"
            case Offered(by="buyer" | "seller" as role):
                offers[role].append(event)
                if open_deadlock and event.offer_class is OfferClass.CONCESSION:
                    broken += 1
                    open_deadlock = False
            case WalkedAway(by="buyer" | "seller" as role):
                walked = role
            case Deadlock():
                deadlocks += 1
                open_deadlock = True
            case Message(by="buyer" | "seller" as role, intent=intent) if intent is not None:
                intents[role][intent.value] += 1
            case ApprovalRequested(by="buyer" | "seller" as role):
                authority[role]["requests"] += 1
            case ApprovalDecided(role=role, approved=approved, applied=applied):
                verdict = "declined" if not approved else "approved" if applied else "lapsed"
                authority[role][verdict] += 1
            case Agreement(terms=agreed, at=at):
                terms, agreed_at = agreed, at
            case Ended(outcome=ended):
                outcome, phase = ended.value, "ended"
            case _:
                pass

    def side(role: Role) -> SideAnalysis:
        own = scenario.roles[role]
        other: Role = "seller" if role == "buyer" else "buyer"
        scores = [scenario.score(role, o.terms) for o in offers[role]]
        start = created.at if started_at is None else started_at
        curve = tuple(
            CurvePoint(
                seq=o.seq,
                t=o.at - start,
                own=round(mine, 3),
                other=round(scenario.score(other, o.terms), 3),
                offer_class=o.offer_class.value,
            )
            for o, mine in zip(offers[role], scores, strict=True)
        )
        given = tuple(round(a - b, 3) for a, b in itertools.pairwise(scores) if a - b > 1e-9)
        growing = sum(1 for a, b in itertools.pairwise(given) if b > a + _GROWTH_TOLERANCE)
        score = None if terms is None else round(scenario.score(role, terms), 3)
        return SideAnalysis(
            role=role,
            score=score,
            reservation_value=own.reservation_value,
            beat_reservation=None if score is None else score >= own.reservation_value,
            offers=Counter(o.offer_class.value for o in offers[role]),
            concession_sizes=given,
            growing_concessions=growing,
            intents=intents[role],
            curve=curve,
            authority=authority[role],
        )

    buyer, seller = side("buyer"), side("seller")
    joint = distance = None
    if buyer.score is not None and seller.score is not None:
        joint = round(buyer.score + seller.score, 3)
        distance = round(space.distance(buyer.score, seller.score), 3)
    all_offers = sorted(offers["buyer"] + offers["seller"], key=lambda o: o.seq)
    first = all_offers[0] if all_offers else None
    return RoomAnalysis(
        room=created.room,
        label=created.label,
        phase=phase,
        outcome=outcome,
        terms=terms,
        buyer=buyer,
        seller=seller,
        joint=joint,
        best_joint=space.best_joint,
        distance_to_frontier=distance,
        first_offer_by=None if first is None else first.by,  # type: ignore[arg-type]
        walked_away_by=walked,
        anchor=_anchor(scenario.issues, first.terms if first else None, terms),
        deadlocks=deadlocks,
        deadlocks_broken=broken,
        time_to_agreement_ms=(
            None if agreed_at is None or started_at is None else agreed_at - started_at
        ),
    )


def _anchor(
    issues: tuple[Issue, ...], first: Terms | None, final: Terms | None
) -> dict[str, float] | None:
    money = next((i for i in issues if i.kind == "money"), None)
    if money is None or first is None or final is None:
        return None
    assert money.min is not None and money.max is not None
    start, end = float(first[money.id]), float(final[money.id])
    return {
        "first": start,
        "final": end,
        "moved": round(abs(end - start) / ((money.max - money.min) or 1), 3),
    }
