"""Strategies on the built-in scenarios: their shape, their rules, and self-play."""

from __future__ import annotations

import itertools

import pytest

from dealroom.bots.negotiation import AcceptOffer, Hold, Leave, Propose, Situation
from dealroom.bots.strategies import (
    STRATEGIES,
    TimeDependent,
    best_package,
    is_concession,
    make_strategy,
    package_for,
)
from dealroom.protocol import Scenario
from dealroom.server.scenarios import builtin_scenarios

SCENARIOS = builtin_scenarios()
EQUIPMENT = SCENARIOS["equipment-purchase"]


def situation(scenario: Scenario, role: str = "buyer", **kw: object) -> Situation:
    return Situation(role=role, brief=scenario.brief(role), issues=scenario.issues, **kw)  # type: ignore[arg-type]


def play(scenario: Scenario, buyer: str, seller: str, rounds: int = 60) -> tuple[str, dict | None]:  # type: ignore[type-arg]
    """Alternate the two strategies as the referee would; (outcome, agreed terms)."""
    strategies = {"buyer": make_strategy(buyer), "seller": make_strategy(seller)}
    offers: dict[str, list[tuple[int, dict]]] = {"buyer": [], "seller": []}  # type: ignore[type-arg]
    standing: dict[str, tuple[int, dict]] = {}  # type: ignore[type-arg]
    seq = 0
    for step in range(rounds * 2):
        role = ("buyer", "seller")[step % 2]
        other = "seller" if role == "buyer" else "buyer"
        view = situation(
            scenario,
            role,
            time=step / (rounds * 2 - 1),
            my_offers=tuple(t for _, t in offers[role]),
            their_offers=tuple(offers[other]),
            standing=standing.get(other),
        )
        action = strategies[role].respond(view)
        match action:
            case AcceptOffer(seq=accepted):
                assert accepted == standing[other][0]
                return "agreed", standing[other][1]
            case Leave():
                assert view.time >= 0.95
                return "walked_away", None
            case Propose(terms=terms):
                assert view.score(terms) >= view.brief.reservation_value - 1e-9
                seq += 1
                offers[role].append((seq, terms))
                standing[role] = (seq, terms)
    return "expired", None


def test_boulware_concedes_little_early_and_much_late() -> None:
    boulware, conceder = TimeDependent(4.0, "b"), TimeDependent(0.25, "c")
    best, floor = 100.0, 40.0
    early = [s.target(situation(EQUIPMENT, time=0.2), best, floor) for s in (boulware, conceder)]
    late = [s.target(situation(EQUIPMENT, time=0.9), best, floor) for s in (boulware, conceder)]
    assert early[0] > 99 and early[1] < 80  # Boulware has given almost nothing at t=0.2
    assert late[0] < 70  # ... and most of its room by t=0.9
    drop_boulware = early[0] - late[0]
    assert drop_boulware > 25 and (100 - early[1]) > (100 - early[0]) * 10


def test_first_offer_is_the_best_package_and_offers_respect_the_floor() -> None:
    for name in STRATEGIES:
        action = make_strategy(name).respond(situation(EQUIPMENT, time=0.0))
        assert isinstance(action, Propose) and not action.concede
        assert action.terms == best_package(EQUIPMENT.brief("buyer"), EQUIPMENT.issues)


def test_no_offer_when_it_is_not_my_turn_but_accept_still_works() -> None:
    best = best_package(EQUIPMENT.brief("seller"), EQUIPMENT.issues)
    view = situation(
        EQUIPMENT,
        time=0.5,
        my_offers=(best_package(EQUIPMENT.brief("buyer"), EQUIPMENT.issues),),
        their_offers=((7, best),),
        standing=(7, best),
        my_turn=False,
    )
    for name in STRATEGIES:
        assert isinstance(make_strategy(name).respond(view), Hold | AcceptOffer | Leave)
    mine = best_package(EQUIPMENT.brief("buyer"), EQUIPMENT.issues)
    generous = situation(
        EQUIPMENT,
        time=0.5,
        my_offers=(mine,),
        their_offers=((9, mine),),
        standing=(9, mine),
        my_turn=False,
    )
    assert make_strategy("hardliner").respond(generous) == AcceptOffer(9)


def test_walk_away_only_near_the_deadline_when_nothing_beats_the_reservation() -> None:
    seller_best = best_package(EQUIPMENT.brief("seller"), EQUIPMENT.issues)
    mine = best_package(EQUIPMENT.brief("buyer"), EQUIPMENT.issues)
    for t, expect_leave in ((0.5, False), (0.97, True)):
        view = situation(
            EQUIPMENT,
            time=t,
            my_offers=(mine,),
            their_offers=((5, seller_best),),
            standing=(5, seller_best),
        )
        assert view.score(seller_best) < view.brief.reservation_value
        action = make_strategy("linear").respond(view)
        assert isinstance(action, Leave) is expect_leave


def test_packages_reach_the_target_from_the_anchor() -> None:
    brief = EQUIPMENT.brief("buyer")
    anchor = best_package(EQUIPMENT.brief("seller"), EQUIPMENT.issues)
    for target in (40.0, 60.0, 80.0):
        terms = package_for(brief, EQUIPMENT.issues, target, anchor)
        assert brief.score(EQUIPMENT.issues, terms) >= target


def test_concession_flag_matches_the_referee() -> None:
    brief = EQUIPMENT.brief("buyer")
    best = best_package(brief, EQUIPMENT.issues)
    price = EQUIPMENT.issue("price")
    worse = dict(best, price=price.value_at(price.rank(best["price"]) + 1))
    assert is_concession(brief, EQUIPMENT.issues, best, worse)
    assert not is_concession(brief, EQUIPMENT.issues, worse, best)
    assert not is_concession(brief, EQUIPMENT.issues, best, best)


def test_trade_seeking_gives_first_on_what_it_values_least() -> None:
    brief = EQUIPMENT.brief("buyer")
    strategy = make_strategy("trade_seeking")
    first = best_package(brief, EQUIPMENT.issues)
    seller_best = best_package(EQUIPMENT.brief("seller"), EQUIPMENT.issues)
    action = strategy.respond(
        situation(EQUIPMENT, time=0.3, my_offers=(first,), their_offers=((5, seller_best),))
    )
    assert isinstance(action, Propose)
    moved = [i for i in EQUIPMENT.issues if action.terms[i.id] != first[i.id]]
    stakes = {
        i.id: brief.scoring[i.id].weight or max((brief.scoring[i.id].points or {0: 0}).values())
        for i in EQUIPMENT.issues
    }
    top = max(stakes, key=stakes.__getitem__)
    assert moved and top not in {i.id for i in moved}


@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_self_play_ends_and_every_deal_beats_both_reservation_values(scenario_id: str) -> None:
    scenario = SCENARIOS[scenario_id]
    outcomes = []
    for buyer, seller in itertools.product(STRATEGIES, STRATEGIES):
        outcome, terms = play(scenario, buyer, seller)
        outcomes.append(outcome)
        if terms is not None:
            for role in ("buyer", "seller"):
                assert scenario.score(role, terms) >= scenario.roles[role].reservation_value  # type: ignore[index]
    assert outcomes.count("agreed") >= len(outcomes) * 0.7


def test_boulware_beats_conceder() -> None:
    for scenario in SCENARIOS.values():
        _, as_buyer = play(scenario, "boulware", "conceder")
        _, as_seller = play(scenario, "conceder", "boulware")
        assert as_buyer is not None and as_seller is not None
        assert scenario.score("buyer", as_buyer) > scenario.score("buyer", as_seller)
