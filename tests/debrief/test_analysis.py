"""One room's debrief from its log: an example room worked out by hand."""

from __future__ import annotations

import math

import pytest

from dealroom.protocol import Accept, Intent, Offer, SendMessage
from dealroom.server.debrief import analyse_room, outcome_space
from dealroom.server.referee import Join, MoveCommand
from tests.support import T0, Table, terms


def _example_room() -> Table:
    table = Table()
    table.run(Join("buyer", now=T0))
    table.run(Join("seller", now=T0 + 1000))
    moves = [
        ("buyer", Offer(id="b1", terms=terms(100, "3 years", 2))),  # buyer 100 points
        ("seller", Offer(id="s1", terms=terms(200, "1 year", 12))),
        ("buyer", SendMessage(id="q1", text="What drives the price?", intent=Intent.QUESTION)),
        ("buyer", Offer(id="b2", terms=terms(110, "3 years", 2))),  # gives 5
        ("seller", SendMessage(id="o1", text="Too low.", intent=Intent.OBJECTION)),
        ("seller", Offer(id="s2", terms=terms(190, "1 year", 12))),
        ("buyer", Offer(id="b3", terms=terms(130, "3 years", 2))),  # gives 10: grows
        ("buyer", SendMessage(id="q2", text="And delivery?", intent=Intent.QUESTION)),
        ("buyer", Offer(id="b4", terms=terms(150, "2 years", 7))),  # gives 32.5: grows
    ]
    for n, (role, move) in enumerate(moves, start=2):
        table.run(MoveCommand(role, move, now=T0 + n * 1000))  # type: ignore[arg-type]
    b4 = table.state.standing["buyer"].seq
    table.run(MoveCommand("seller", Accept(id="deal", offer=b4), now=T0 + 60_000))
    return table


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
