"""The Pareto frontier and Nash point, checked against brute force."""

from __future__ import annotations

import gc
import itertools

import pytest

from dealroom.server.debrief import frontier, outcome_space
from dealroom.server.scenarios import builtin_scenarios
from tests.support import small_scenario


def _brute_force_frontier(points: set[tuple[float, float]]) -> set[tuple[float, float]]:
    """Every score pair that no other pair beats on one side without losing on the other."""
    return {p for p in points if not any(q[0] >= p[0] and q[1] >= p[1] and q != p for q in points)}


@pytest.mark.parametrize("scenario_id", ["fleet-lease", "equipment-purchase"])
def test_frontier_equals_exhaustive_enumeration(scenario_id: str) -> None:
    scenario = builtin_scenarios()[scenario_id]
    space = outcome_space(scenario)
    sizes = [issue.size() for issue in scenario.issues]
    assert len(space.outcomes) == len(list(itertools.product(*map(range, sizes))))
    points = {(round(o.buyer, 9), round(o.seller, 9)) for o in space.outcomes}
    frontier = {(round(o.buyer, 9), round(o.seller, 9)) for o in space.frontier}
    assert frontier == _brute_force_frontier(points)


def test_nash_point_maximises_the_product_of_gains() -> None:
    scenario = small_scenario()
    space = outcome_space(scenario)
    rb, rs = scenario.roles["buyer"].reservation_value, scenario.roles["seller"].reservation_value
    best = max(
        (o for o in space.outcomes if o.buyer >= rb and o.seller >= rs),
        key=lambda o: (o.buyer - rb) * (o.seller - rs),
    )
    assert space.nash is not None
    assert (space.nash.buyer - rb) * (space.nash.seller - rs) == pytest.approx(
        (best.buyer - rb) * (best.seller - rs)
    )
    assert space.best_joint == max(o.joint for o in space.outcomes)


def test_distance_is_zero_on_the_frontier_and_positive_inside() -> None:
    space = outcome_space(small_scenario())
    on = space.frontier[len(space.frontier) // 2]
    assert space.distance(on.buyer, on.seller) == 0
    worst = min(space.outcomes, key=lambda o: o.joint)
    assert space.distance(worst.buyer, worst.seller) > 10


def test_an_outcome_space_keeps_few_objects_for_the_collector() -> None:
    """70k packages live as score columns, not 70k objects the collector must scan."""
    scenario = builtin_scenarios()["software-subscription"]
    frontier._CACHE.clear()
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        space = outcome_space(scenario)
        kept = len(gc.get_objects()) - before
    finally:
        gc.enable()
    assert len(space.outcomes) == 70_785
    assert kept < 10 * len(space.frontier) + 1_000, f"{kept} tracked objects kept"


def test_packages_read_back_as_the_enumeration() -> None:
    scenario = small_scenario()
    space = outcome_space(scenario)
    combos = list(itertools.product(*(range(i.size()) for i in scenario.issues)))
    assert len(space.outcomes) == len(combos)
    for index in (0, 1, len(combos) // 2, len(combos) - 1):
        expected = {
            issue.id: issue.value_at(rank)
            for issue, rank in zip(scenario.issues, combos[index], strict=True)
        }
        outcome = space.outcomes[index]
        assert outcome.terms == expected
        assert outcome.buyer == scenario.score("buyer", expected)
    assert space.outcomes[-1] == space.outcomes[len(combos) - 1]
    with pytest.raises(IndexError):
        space.outcomes[len(combos)]
