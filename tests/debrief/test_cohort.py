"""The cohort: rooms side by side on one outcome space, counted by how they ended."""

from __future__ import annotations

import pytest

from dealroom.protocol import Accept, Offer, WalkAway
from dealroom.server.debrief import COUNT_KEYS, analyse_room, cohort, outcome_space
from dealroom.server.referee import Applied, Approve, End, Join, MoveCommand
from tests.support import T0, Table, small_scenario, terms


def _started() -> Table:
    table = Table()
    table.run(Join("buyer", now=T0))
    table.run(Join("seller", now=T0 + 1000))
    return table


def _agreed(price: int) -> Table:
    table = _started()
    table.run(MoveCommand("buyer", Offer(id="b1", terms=terms(price - 30)), now=T0 + 2000))
    table.run(MoveCommand("seller", Offer(id="s1", terms=terms(price)), now=T0 + 5000))
    offer = table.state.standing["seller"].seq
    table.run(MoveCommand("buyer", Accept(id="ok", offer=offer), now=T0 + 9000))
    return table


def _deadlocked() -> Table:
    table = _started()  # deadlock_after = 3 in the small scenario
    for n, (role, price) in enumerate([("buyer", 100), ("seller", 200), ("buyer", 100)]):
        table.run(MoveCommand(role, Offer(id=f"m{n}", terms=terms(price)), now=T0 + 2000 + n))
    return table


def _walked() -> Table:
    table = _started()
    table.run(MoveCommand("seller", WalkAway(id="w"), now=T0 + 3000))
    return table


def test_counts_and_points_of_a_mixed_workshop() -> None:
    closed = _started()
    closed.run(End(now=T0 + 4000))
    tables = [_agreed(150), _agreed(170), _deadlocked(), _walked(), Table(), closed]
    view = cohort(small_scenario(), [analyse_room(t.log) for t in tables])
    assert set(view.counts) == set(COUNT_KEYS)
    assert view.counts == {
        "rooms": 6,
        "waiting": 1,
        "running": 1,
        "paused": 0,
        "agreed": 2,
        "walked_away": 1,
        "expired": 0,
        "closed": 1,
        "deadlocked": 1,
    }
    points = view.points()
    assert len(points) == 2
    # Each point is the agreed package's score for each role.
    scenario = small_scenario()
    assert points[0].buyer == pytest.approx(scenario.score("buyer", terms(150)))
    assert points[1].seller == pytest.approx(scenario.score("seller", terms(170)))
    assert [r.money_value for r in view.rooms[:2]] == [150.0, 170.0]
    assert view.money is not None and view.money.id == "price"
    assert view.reservation == {"buyer": 30, "seller": 25}


def test_frontier_and_nash_come_from_the_outcome_space() -> None:
    scenario = small_scenario()
    view = cohort(scenario, [])
    space = outcome_space(scenario)
    assert [(p.buyer, p.seller) for p in view.frontier] == [
        (o.buyer, o.seller) for o in space.frontier
    ]
    buyers = [p.buyer for p in view.frontier]
    assert buyers == sorted(buyers)
    assert space.nash is not None and view.nash is not None
    assert (view.nash.buyer, view.nash.seller) == (space.nash.buyer, space.nash.seller)
    assert view.counts["rooms"] == 0 and view.points() == []


def test_concession_curves_score_each_offer_for_both_sides() -> None:
    table = _agreed(160)
    analysis = analyse_room(table.log)
    scenario = small_scenario()
    (buyer_offer,) = analysis.buyer.curve
    assert buyer_offer.t == 1000  # the room started at T0 + 1000, the offer came at T0 + 2000
    assert buyer_offer.own == pytest.approx(scenario.score("buyer", terms(130)))
    assert buyer_offer.other == pytest.approx(scenario.score("seller", terms(130)))
    assert buyer_offer.offer_class == "opening"
    (seller_offer,) = analysis.seller.curve
    assert seller_offer.t == 4000
    assert seller_offer.own == pytest.approx(scenario.score("seller", terms(160)))


def test_authority_limits_hit_are_counted_per_side() -> None:
    table = Table(small_scenario(authority={"buyer": {"price": 160}}))
    table.run(Join("buyer", now=T0))
    table.run(Join("seller", now=T0))
    first = table.run(MoveCommand("buyer", Offer(id="a", terms=terms(170)), now=T0 + 1))
    second = table.run(MoveCommand("buyer", Offer(id="b", terms=terms(180)), now=T0 + 2))
    assert isinstance(first, Applied) and isinstance(second, Applied)
    table.run(Approve(request=second.events[0].seq, approved=False, now=T0 + 3))
    third = table.run(MoveCommand("buyer", Offer(id="c", terms=terms(170)), now=T0 + 4))
    assert isinstance(third, Applied)
    table.run(Approve(request=third.events[0].seq, approved=True, now=T0 + 5))
    analysis = analyse_room(table.log)
    assert analysis.buyer.authority == {"requests": 3, "approved": 1, "declined": 1, "lapsed": 0}
    assert analysis.seller.authority == {"requests": 0, "approved": 0, "declined": 0, "lapsed": 0}
    assert analysis.buyer.offers == {"opening": 1}  # only the approved offer landed
