"""The package space of one role: complete, sorted, its lookups exact and fast."""

from __future__ import annotations

import itertools
import math
import random
import time

import pytest

from dealroom.bots.space import PackageSpace, counterpart_ends, is_concession, space_for
from dealroom.protocol import OfferClass, Role, Scenario
from dealroom.server.referee.classify import classify
from dealroom.server.scenarios import builtin_scenarios

SCENARIOS = builtin_scenarios()
CASES = [(sid, role) for sid in sorted(SCENARIOS) for role in ("buyer", "seller")]


def space_of(scenario_id: str, role: Role) -> PackageSpace:
    scenario = SCENARIOS[scenario_id]
    return space_for(scenario.brief(role), scenario.issues)


def brute_distance(space: PackageSpace, a: tuple[int, ...], b: tuple[int, ...]) -> float:
    return sum(abs(x - y) / max(n - 1, 1) for x, y, n in zip(a, b, space.sizes, strict=True))


@pytest.mark.parametrize(("scenario_id", "role"), CASES)
def test_space_holds_every_package_sorted_by_its_own_score(scenario_id: str, role: Role) -> None:
    scenario = SCENARIOS[scenario_id]
    brief = scenario.brief(role)
    space = space_of(scenario_id, role)
    assert len(space) == math.prod(issue.size() for issue in scenario.issues)
    assert all(a <= b for a, b in itertools.pairwise(space.scores))
    assert space.max_score == pytest.approx(brief.max_score)
    assert space.score(space.best()) == space.max_score
    rng = random.Random(7)
    seen = set()
    for position in rng.sample(range(len(space)), 300):
        ranks = space.ranks_at(position)
        seen.add(ranks)
        terms = space.terms(ranks)
        assert space.ranks(terms) == ranks
        assert all(issue.check(terms[issue.id]) is None for issue in scenario.issues)
        assert space.score(ranks) == space.scores[position]
        assert space.scores[position] == pytest.approx(brief.score(scenario.issues, terms))
    assert len(seen) == 300  # distinct positions hold distinct packages


@pytest.mark.parametrize(("scenario_id", "role"), CASES)
def test_band_and_closest_agree_with_brute_force(scenario_id: str, role: Role) -> None:
    space = space_of(scenario_id, role)
    rng = random.Random(11)
    for _ in range(20):
        lo = rng.uniform(space.min_score, space.max_score)
        hi = lo + rng.uniform(0.0, 3.0)
        band = space.between(lo, hi)
        assert len(band) == sum(lo <= s <= hi for s in space.scores)
        assert all(lo <= space.score(ranks) <= hi for ranks in band)
        target = tuple(rng.randrange(n) for n in space.sizes)
        found = space.closest(target, lo, hi)
        if not band:
            assert found is None
            continue
        assert found is not None and lo <= space.score(found) <= hi
        nearest = min(brute_distance(space, target, ranks) for ranks in band)
        assert brute_distance(space, target, found) == pytest.approx(nearest)


def test_weights_steer_the_closest_package() -> None:
    space = space_of("equipment-purchase", "buyer")
    target = tuple(0 for _ in space.sizes)
    lo, hi = 60.0, 62.0
    # Weighting one issue heavily makes the answer match the target there.
    weights = [1.0] * len(space.sizes)
    weights[0] = 100.0
    found = space.closest(target, lo, hi, weights)
    assert found is not None
    assert found[0] == min(ranks[0] for ranks in space.between(lo, hi))
    assert space.closest(target, 200.0, 300.0) is None
    assert space.lowest_at_least(space.max_score + 1) is None


def test_space_is_built_once_per_role_and_content() -> None:
    scenario = SCENARIOS["fleet-lease"]
    first = space_for(scenario.brief("buyer"), scenario.issues)
    assert space_for(scenario.brief("buyer"), scenario.issues) is first  # a fresh Brief object
    assert space_for(scenario.brief("seller"), scenario.issues) is not first


@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_build_and_lookup_are_fast(scenario_id: str) -> None:
    """Timed in this thread's CPU time: what the work costs, not what else the machine does.

    Each lookup is the fastest of three runs, so a garbage collection that
    happens to start inside one does not count as the lookup's cost.
    """
    scenario = SCENARIOS[scenario_id]
    for role in ("buyer", "seller"):
        brief = scenario.brief(role)
        started = time.thread_time()
        space = PackageSpace(brief, scenario.issues)  # uncached on purpose
        assert time.thread_time() - started < 0.5
        rng = random.Random(3)
        room = space.max_score - brief.reservation_value
        worst = 0.0
        for _ in range(50):
            lo = rng.uniform(brief.reservation_value, space.max_score)
            target = tuple(rng.randrange(n) for n in space.sizes)
            runs = []
            for _ in range(3):
                started = time.thread_time()
                space.closest(target, lo, lo + 0.03 * room)
                runs.append(time.thread_time() - started)
            worst = max(worst, min(runs))
        assert worst < 0.005


@pytest.mark.parametrize(("scenario_id", "role"), CASES)
def test_concession_matches_the_referee(scenario_id: str, role: Role) -> None:
    scenario: Scenario = SCENARIOS[scenario_id]
    space = space_of(scenario_id, role)
    rng = random.Random(5)
    for _ in range(400):
        before = space.ranks_at(rng.randrange(len(space)))
        # Small moves on one or two issues, where the classes differ most.
        after = list(before)
        for k in rng.sample(range(len(after)), rng.choice((1, 2))):
            after[k] = min(max(after[k] + rng.choice((-1, 1)), 0), space.sizes[k] - 1)
        referee = classify(scenario, role, space.terms(before), space.terms(tuple(after)))
        expected = referee is OfferClass.CONCESSION
        assert is_concession(space, before, tuple(after)) is expected


@pytest.mark.parametrize(("scenario_id", "role"), CASES)
def test_counterpart_ends_read_from_their_opening(scenario_id: str, role: Role) -> None:
    scenario = SCENARIOS[scenario_id]
    other: Role = "seller" if role == "buyer" else "buyer"
    space = space_of(scenario_id, role)
    assumed = counterpart_ends(space, ())
    assert all(end != mine for end, mine in zip(assumed, space.preferred, strict=True))
    opening = space_of(scenario_id, other).best()
    read = counterpart_ends(space, (opening,))
    for issue, end, size in zip(scenario.issues, read, space.sizes, strict=True):
        assert end == (size - 1 if scenario.roles[other].prefers[issue.id] == "up" else 0)


def test_within_authority_pulls_each_issue_back_to_its_limit_and_never_costs_me() -> None:
    scenario = builtin_scenarios()["equipment-purchase"]
    brief = scenario.brief("buyer")
    assert brief.authority == {"price": 920000}
    packages = space_for(brief, scenario.issues)
    for position in range(0, len(packages), 97):
        ranks = packages.ranks_at(position)
        inside = packages.within_authority(ranks)
        terms = packages.terms(inside)
        assert terms["price"] <= 920000
        assert not scenario.beyond_authority("buyer", terms)
        assert packages.score(inside) >= packages.score(ranks) - 1e-9
        assert packages.beyond_authority(ranks) is (packages.terms(ranks)["price"] > 920000)
