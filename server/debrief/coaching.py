"""Coaching signals for one participant, from their room's analysis.

Each signal is a message key with its values; the client turns it into a
sentence in the interface language (client_web/i18n.js holds the texts).
Pure, and drawn from the domain: concessions should shrink, questions reveal
interests, a deal should beat the walk-away alternative, and value left far
from the Pareto frontier was available to both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

from dealroom.protocol import Role

from .analysis import RoomAnalysis

__all__ = ["SIGNAL_KEYS", "Signal", "coaching"]

SIGNAL_KEYS = (
    "coach_below_batna",
    "coach_beat_batna",
    "coach_walked_away",
    "coach_they_walked",
    "coach_expired",
    "coach_closed",
    "coach_value_left",
    "coach_growing_concessions",
    "coach_shrinking_concessions",
    "coach_no_questions",
    "coach_questions",
    "coach_no_offers",
)
"""Every signal :func:`coaching` can give (the client has a sentence for each)."""

FAR_FROM_FRONTIER = 10.0
"""Points of distance from the frontier that count as value left on the table."""


@dataclass(frozen=True, slots=True)
class Signal:
    """One coaching sentence: a message key and the values it mentions."""

    key: str
    values: dict[str, float | int | str]


def coaching(analysis: RoomAnalysis, role: Role) -> list[Signal]:
    """The two or three most useful signals for ``role``, most important first.

    >>> from dealroom.server.debrief import analyse_room
    >>> from dealroom.server.debrief.example import example_log
    >>> [s.key for s in coaching(analyse_room(example_log()), "buyer")]
    ['coach_beat_batna', 'coach_value_left', 'coach_growing_concessions']

    Without a deal the first signal says why there is none, from ``role``'s side.
    """
    me = analysis.buyer if role == "buyer" else analysis.seller
    signals: list[Signal] = []
    # Scores as the participant's screen shows them: one decimal.
    figures: dict[str, float | int | str] = {
        "score": round(me.score or 0.0, 1),
        "rv": round(me.reservation_value, 1),
    }
    if me.score is not None and me.beat_reservation is False:
        signals.append(Signal("coach_below_batna", figures))
    elif me.score is not None:
        signals.append(Signal("coach_beat_batna", figures))
    elif analysis.outcome == "walked_away":
        mine = analysis.walked_away_by == role
        signals.append(Signal("coach_walked_away" if mine else "coach_they_walked", {}))
    elif analysis.outcome in ("expired", "closed"):
        signals.append(Signal(f"coach_{analysis.outcome}", {}))
    if analysis.distance_to_frontier is not None and (
        analysis.distance_to_frontier > FAR_FROM_FRONTIER
    ):
        distance = round(analysis.distance_to_frontier, 1)
        signals.append(Signal("coach_value_left", {"distance": distance}))
    if me.growing_concessions:
        signals.append(Signal("coach_growing_concessions", {"count": me.growing_concessions}))
    elif len(me.concession_sizes) >= 2:
        signals.append(Signal("coach_shrinking_concessions", {}))
    questions = me.intents["question"]
    if questions == 0:
        signals.append(Signal("coach_no_questions", {}))
    else:
        signals.append(Signal("coach_questions", {"count": questions}))
    if not me.offers:
        signals.append(Signal("coach_no_offers", {}))
    return signals[:3]
