"""One room's debrief from its log: an example room worked out by hand."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from dealroom.protocol import Event
from dealroom.server.debrief import analyse_room, outcome_space
from dealroom.server.debrief.example import example_log
from dealroom.server.referee import RoomState, replay
from tests.support import Table, terms


@dataclass
class _Room:
    log: list[Event]
    state: RoomState


def _example_room() -> _Room:
    """The worked example (server/debrief/example.py): the buyer opens at 100, asks two
    questions and concedes 5, 10 and 32.5 points; the seller accepts 150 / 2 years /
    week 7 at T0 + 60 s."""
    log = example_log()
    return _Room(log, replay(log))


def test_example_room() -> None:
    table = _example_room()
    analysis = analyse_room(table.log)
    assert analysis.outcome == "agreed"
    assert analysis.terms == terms(150, "2 years", 7)
    # Buyer: price 150 is half-way (25 of 50), 2 years = 10, week 7 half-way (17.5 of 35).
    assert analysis.buyer.score == pytest.approx(52.5)
    # Seller: price half-way (30 of 60), 2 years half-way (15 of 30), week 7 (5 of 10).
    assert analysis.seller.score == pytest.approx(50.0)
    assert analysis.joint == pytest.approx(102.5)
    assert analysis.buyer.beat_reservation and analysis.seller.beat_reservation
    space = outcome_space(table.state.scenario)
    points = {(o.buyer, o.seller) for o in space.outcomes}
    pareto = [
        p for p in points if not any(q[0] >= p[0] and q[1] >= p[1] and q != p for q in points)
    ]
    expected = min(math.hypot(b - 52.5, s - 50.0) for b, s in pareto)
    assert analysis.distance_to_frontier == pytest.approx(expected, abs=1e-3)
    assert analysis.distance_to_frontier > 0
    assert analysis.first_offer_by == "buyer"
    assert analysis.anchor == {"first": 100.0, "final": 150.0, "moved": 0.5}
    assert analysis.buyer.offers == {"opening": 1, "concession": 3}
    assert analysis.buyer.concession_sizes == (5.0, 10.0, 32.5)
    assert analysis.buyer.growing_concessions == 2 and not analysis.buyer.concessions_shrank
    assert analysis.seller.concessions_shrank
    assert analysis.buyer.intents == {"question": 2}
    assert analysis.seller.intents == {"objection": 1}
    assert analysis.time_to_agreement_ms == 60_000 - 1000


def test_a_room_without_agreement_has_no_scores() -> None:
    table = Table()
    analysis = analyse_room(table.log)
    assert analysis.outcome is None and analysis.joint is None
    assert analysis.buyer.score is None and analysis.buyer.beat_reservation is None
    with pytest.raises(ValueError, match="created"):
        analyse_room(table.log[1:])
