"""Strategies on the built-in scenarios: their shape, the shared rules, and self-play."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

import pytest

from dealroom.bots.negotiation import AcceptOffer, Action, Hold, Leave, Propose, Situation
from dealroom.bots.space import PackageSpace, space_for
from dealroom.bots.strategies import (
    STRATEGIES,
    HardLiner,
    Strategy,
    TimeDependent,
    make_strategy,
)
from dealroom.protocol import OfferClass, Role, Scenario, Terms
from dealroom.server.referee.classify import classify
from dealroom.server.scenarios import builtin_scenarios

SCENARIOS = builtin_scenarios()
EQUIPMENT = SCENARIOS["equipment-purchase"]
ROLES: tuple[Role, Role] = ("buyer", "seller")


def other(role: Role) -> Role:
    return "seller" if role == "buyer" else "buyer"


def space(scenario: Scenario, role: Role) -> PackageSpace:
    return space_for(scenario.brief(role), scenario.issues)


def situation(
    scenario: Scenario,
    role: Role = "buyer",
    *,
    time: float = 0.5,
    mine: tuple[Terms, ...] = (),
    theirs: tuple[Terms, ...] = (),
    standing: bool = True,
    my_turn: bool = True,
) -> Situation:
    """A view with their offers numbered 1, 2, ...; the latest stands unless ``standing=False``."""
    numbered = tuple(enumerate(theirs, start=1))
    return Situation(
        role=role,
        brief=scenario.brief(role),
        issues=scenario.issues,
        time=time,
        my_offers=mine,
        their_offers=numbered,
        standing=numbered[-1] if numbered and standing else None,
        my_turn=my_turn,
    )


@dataclass
class Game:
    outcome: str = "expired"
    terms: Terms | None = None
    offers: int = 0
    proposals: dict[Role, list[Propose]] = field(
        default_factory=lambda: {"buyer": [], "seller": []}
    )


def play(scenario: Scenario, buyer: str, seller: str, rounds: int = 60) -> Game:
    """Alternate the two strategies as the referee would, checking every move on the way.

    Time runs from 0 to 1 over ``rounds`` decisions per side; each side sees its
    own offers, the other's offers and the other's standing offer. Alternating
    scenarios let only the side whose turn it is propose.
    """
    strategies = {"buyer": make_strategy(buyer), "seller": make_strategy(seller)}
    briefs = {role: scenario.brief(role) for role in ROLES}
    offers: dict[Role, list[tuple[int, Terms]]] = {"buyer": [], "seller": []}
    alternating = scenario.rules.turns == "alternating"
    first: Role = "seller" if scenario.rules.first_mover == "seller" else "buyer"
    game, last_by, steps = Game(), None, 2 * rounds
    for step in range(steps):
        role = first if step % 2 == 0 else other(first)
        my_turn = not alternating or last_by == other(role) or (last_by is None and role == first)
        theirs = offers[other(role)]
        view = Situation(
            role=role,
            brief=briefs[role],
            issues=scenario.issues,
            time=step / (steps - 1),
            my_offers=tuple(terms for _, terms in offers[role]),
            their_offers=tuple(theirs),
            standing=theirs[-1] if theirs else None,
            my_turn=my_turn,
        )
        action = strategies[role].respond(view)
        match action:
            case AcceptOffer(seq=seq):
                assert theirs and seq == theirs[-1][0]
                assert not scenario.beyond_authority(role, theirs[-1][1]), "closed past authority"
                game.outcome, game.terms = "agreed", theirs[-1][1]
                return game
            case Leave():
                assert view.time >= 0.95 and theirs
                game.outcome = "walked_away"
                return game
            case Propose(terms=terms, concede=concede):
                assert my_turn, "proposed out of turn"
                assert view.score(terms) >= briefs[role].reservation_value - 1e-9
                assert not scenario.beyond_authority(role, terms), "offered past authority"
                previous = offers[role][-1][1] if offers[role] else None
                referee = classify(scenario, role, previous, terms)
                assert concede == (referee is OfferClass.CONCESSION), (previous, terms, referee)
                game.offers += 1
                offers[role].append((game.offers, terms))
                game.proposals[role].append(action)
                last_by = role
    return game


def test_registry_names_and_unknown_names() -> None:
    assert set(STRATEGIES) == {
        "boulware",
        "linear",
        "conceder",
        "tit_for_tat",
        "hardliner",
        "trade_seeking",
    }
    for name in STRATEGIES:
        strategy = make_strategy(name)
        assert isinstance(strategy, Strategy) and strategy.name == name
        assert make_strategy(name) is not strategy  # fresh each time
    with pytest.raises(KeyError, match="boulware"):
        make_strategy("nibbler")


def test_boulware_concedes_little_early_and_much_late() -> None:
    boulware, conceder = TimeDependent(4.0), TimeDependent(0.25)
    best, rv = 100.0, EQUIPMENT.brief("buyer").reservation_value
    seller_best = space(EQUIPMENT, "seller").terms(space(EQUIPMENT, "seller").best())

    def target(strategy: TimeDependent, t: float) -> float:
        return strategy.target(situation(EQUIPMENT, time=t))

    def offered(strategy: TimeDependent, t: float) -> float:
        view = situation(EQUIPMENT, time=t, theirs=(seller_best,), standing=False)
        action = strategy.respond(view)
        assert isinstance(action, Propose)
        return view.score(action.terms)

    for measure in (target, offered):
        b_early, c_early = measure(boulware, 0.2), measure(conceder, 0.2)
        b_late, c_late = measure(boulware, 0.9), measure(conceder, 0.9)
        assert best - b_early < 0.05 * (best - rv)  # Boulware has given almost nothing
        assert best - c_early > 0.25 * (best - rv)  # the conceder a good part already
        assert b_early - b_late > 2 * (c_early - c_late)  # Boulware gives most of it late
        assert b_late >= c_late - 1.0 and c_late >= rv


def _random_situations(
    scenario: Scenario, role: Role, rng: random.Random, count: int
) -> list[Situation]:
    mine, theirs = space(scenario, role), space(scenario, other(role))
    views = []
    for _ in range(count):
        my = tuple(
            mine.terms(mine.ranks_at(rng.randrange(len(mine)))) for _ in range(rng.randint(0, 4))
        )
        # Their offers: mostly good for them (as a counterpart's are), some anywhere.
        their = tuple(
            theirs.terms(theirs.ranks_at(rng.randrange(len(theirs) // 2, len(theirs))))
            for _ in range(rng.randint(0, 4))
        )
        views.append(
            situation(
                scenario, role, time=rng.random(), mine=my, theirs=their, my_turn=rng.random() < 0.7
            )
        )
    return views


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_never_below_reservation_never_out_of_turn_and_walks_only_late(name: str) -> None:
    rng = random.Random(name)
    for scenario, role in itertools.product(SCENARIOS.values(), ROLES):
        rv = scenario.brief(role).reservation_value
        for view in _random_situations(scenario, role, rng, 40):
            action = make_strategy(name).respond(view)
            their_best = max((view.score(t) for _, t in view.their_offers), default=None)
            if isinstance(action, Propose):
                assert view.my_turn
                assert view.score(action.terms) >= rv
            elif isinstance(action, Leave):
                assert view.time >= 0.95 and their_best is not None and their_best < rv
                assert action.reason
            elif isinstance(action, AcceptOffer):
                assert view.standing is not None and action.seq == view.standing[0]
                assert view.score(view.standing[1]) >= rv


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_accepts_exactly_when_the_offer_beats_my_next_one(name: str) -> None:
    rng = random.Random(f"ac-{name}")
    for scenario, role in itertools.product(SCENARIOS.values(), ROLES):
        mine, theirs = space(scenario, role), space(scenario, other(role))
        brief = scenario.brief(role)
        room = mine.max_score - brief.reservation_value
        opening = mine.terms(mine.best())
        for _ in range(15):
            offer = theirs.terms(theirs.ranks_at(rng.randrange(len(theirs))))
            quiet = situation(
                scenario, role, time=0.5, mine=(opening,), theirs=(offer,), standing=False
            )
            planned = make_strategy(name).respond(quiet)
            assert isinstance(planned, Propose)
            action = make_strategy(name).respond(
                situation(scenario, role, time=0.5, mine=(opening,), theirs=(offer,))
            )
            value = quiet.score(offer)
            accept = value >= brief.reservation_value and value >= quiet.score(planned.terms)
            if name == "hardliner":  # also takes anything above its high threshold
                accept = accept or value >= brief.reservation_value + HardLiner().threshold * room
            # ... and never past its authority limits (nobody signs off for a bot).
            allowed = not scenario.beyond_authority(role, offer)
            assert isinstance(action, AcceptOffer) is (accept and allowed), (value, planned)
            # At the very end anything above the reservation value beats no deal.
            last = make_strategy(name).respond(
                situation(scenario, role, time=0.98, mine=(opening,), theirs=(offer,))
            )
            expected = value >= brief.reservation_value and allowed
            assert isinstance(last, AcceptOffer) is expected


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_walks_away_only_near_the_deadline_when_nothing_beats_the_reservation(name: str) -> None:
    mine, theirs = space(EQUIPMENT, "buyer"), space(EQUIPMENT, "seller")
    opening, poor = mine.terms(mine.best()), theirs.terms(theirs.best())
    rv = EQUIPMENT.brief("buyer").reservation_value
    decent = mine.terms(mine.closest(theirs.best(), rv + 5, rv + 8) or mine.best())
    strategy = make_strategy(name)

    def act(t: float, *their: Terms, my_turn: bool = True) -> Action:
        view = situation(EQUIPMENT, time=t, mine=(opening,), theirs=their, my_turn=my_turn)
        return strategy.respond(view)

    assert not isinstance(act(0.5, poor), Leave)
    assert not isinstance(act(0.9, poor), Leave)
    assert isinstance(act(0.96, poor), Leave)
    assert isinstance(act(0.96, poor, my_turn=False), Leave)
    assert not isinstance(act(0.96, decent, poor), Leave)  # an earlier offer beat rv
    no_offers = strategy.respond(situation(EQUIPMENT, time=0.99, mine=(opening,)))
    assert not isinstance(no_offers, Leave)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_out_of_turn_it_holds_unless_accepting(name: str) -> None:
    mine, theirs = space(EQUIPMENT, "buyer"), space(EQUIPMENT, "seller")
    opening = mine.terms(mine.best())
    view = situation(
        EQUIPMENT, time=0.4, mine=(opening,), theirs=(theirs.terms(theirs.best()),), my_turn=False
    )
    assert isinstance(make_strategy(name).respond(view), Hold)
    generous = situation(EQUIPMENT, time=0.4, mine=(opening,), theirs=(opening,), my_turn=False)
    assert make_strategy(name).respond(generous) == AcceptOffer(1)


@pytest.mark.parametrize(
    ("scenario_id", "role"), [(s, r) for s in sorted(SCENARIOS) for r in ROLES]
)
def test_trade_seeking_gives_first_on_what_it_values_least(scenario_id: str, role: Role) -> None:
    scenario = SCENARIOS[scenario_id]
    mine, theirs = space(scenario, role), space(scenario, other(role))
    stakes = [max(points) - min(points) for points in mine.points]
    opposed = [k for k in range(len(stakes)) if mine.best()[k] != theirs.best()[k]]
    cheapest = min(opposed, key=lambda k: (stakes[k], k))
    dearest = max(opposed, key=lambda k: stakes[k])
    pair = ("trade_seeking", "linear") if role == "buyer" else ("linear", "trade_seeking")
    proposals = play(scenario, *pair).proposals[role]
    concessions = [
        (before, after) for before, after in itertools.pairwise(proposals) if after.concede
    ]
    assert concessions
    before, after = concessions[0]
    moved = [
        k
        for k, issue in enumerate(scenario.issues)
        if before.terms[issue.id] != after.terms[issue.id]
    ]
    assert moved == [cheapest]
    # Its most valued issue holds while the cheap ones still have room.
    for before, after in concessions[:3]:
        assert before.terms[scenario.issues[dearest].id] == after.terms[scenario.issues[dearest].id]


@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_self_play_ends_in_deals_that_beat_both_alternatives(scenario_id: str) -> None:
    scenario = SCENARIOS[scenario_id]
    outcomes = []
    for buyer, seller in itertools.product(STRATEGIES, STRATEGIES):
        game = play(scenario, buyer, seller)
        assert game.outcome in ("agreed", "walked_away"), (buyer, seller, game.outcome)
        outcomes.append(game.outcome)
        if game.terms is not None:
            for role in ROLES:
                assert scenario.score(role, game.terms) >= scenario.roles[role].reservation_value
    assert outcomes.count("agreed") >= len(outcomes) // 2


@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_boulware_beats_the_conceder(scenario_id: str) -> None:
    scenario = SCENARIOS[scenario_id]

    def surplus(role: Role, terms: Terms) -> float:
        return scenario.score(role, terms) - scenario.roles[role].reservation_value

    for boulware in ROLES:
        game = play(
            scenario,
            *(("boulware", "conceder") if boulware == "buyer" else ("conceder", "boulware")),
        )
        assert game.terms is not None
        assert surplus(boulware, game.terms) > surplus(other(boulware), game.terms)
    # And each role does better playing Boulware than playing the conceder.
    as_boulware = play(scenario, "boulware", "conceder").terms
    as_conceder = play(scenario, "conceder", "boulware").terms
    assert as_boulware is not None and as_conceder is not None
    assert scenario.score("buyer", as_boulware) > scenario.score("buyer", as_conceder)
