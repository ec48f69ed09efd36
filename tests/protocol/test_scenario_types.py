"""dealroom.protocol.scenario: issue domains, scoring, briefs and the public view."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealroom.protocol import JSON, Issue, IssueScoring, RoleSide, Scenario
from tests.support import small_scenario, terms

PRICE = Issue(id="price", label="Price", kind="money", unit="EUR", min=100, max=200, step=10)
WEEKS = Issue(id="delivery", label="Delivery", kind="integer", unit="weeks", min=2, max=12)
WARRANTY = Issue(
    id="warranty", label="Warranty", kind="options", options=("1 year", "2 years", "3 years")
)
# A range that the step does not divide: the top value (10) is off the grid.
ODD = Issue(id="odd", label="Odd", kind="money", min=0, max=10, step=3)
SINGLE = Issue(id="single", label="Single", kind="integer", min=5, max=5)


# --- Issue.check -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issue", "value"),
    [
        (PRICE, 100),
        (PRICE, 150),
        (PRICE, 200),
        (WEEKS, 2),
        (WEEKS, 7),
        (WEEKS, 12),
        (WARRANTY, "1 year"),
        (WARRANTY, "3 years"),
        (ODD, 9),
        (SINGLE, 5),
    ],
)
def test_check_accepts_values_in_the_domain(issue: Issue, value: int | str) -> None:
    assert issue.check(value) is None


@pytest.mark.parametrize(
    ("issue", "value", "why"),
    [
        (PRICE, 90, "between 100 and 200"),
        (PRICE, 210, "between 100 and 200"),
        (PRICE, 155, "steps of 10"),
        (PRICE, "150", "whole number"),
        (PRICE, 150.0, "whole number"),
        (PRICE, True, "whole number"),
        (PRICE, None, "whole number"),
        (WEEKS, 1, "between 2 and 12"),
        (WEEKS, 13, "between 2 and 12"),
        (WEEKS, "6", "whole number"),
        (WARRANTY, "4 years", "one of"),
        (WARRANTY, "1 Year", "one of"),
        (WARRANTY, 1, "one of"),
        (WARRANTY, None, "one of"),
        (ODD, 10, "steps of 3"),
        (SINGLE, 6, "between 5 and 5"),
    ],
)
def test_check_explains_values_outside_the_domain(issue: Issue, value: object, why: str) -> None:
    reason = issue.check(value)
    assert reason is not None
    assert why in reason
    assert issue.id in reason


# --- size, rank, value_at --------------------------------------------------------------


@pytest.mark.parametrize(
    ("issue", "size", "values"),
    [
        (PRICE, 11, [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200]),
        (WEEKS, 11, list(range(2, 13))),
        (WARRANTY, 3, ["1 year", "2 years", "3 years"]),
        (ODD, 4, [0, 3, 6, 9]),
        (SINGLE, 1, [5]),
    ],
    ids=lambda v: v.id if isinstance(v, Issue) else "",
)
def test_size_rank_and_value_at_walk_the_ordered_domain(
    issue: Issue, size: int, values: list[int | str]
) -> None:
    assert issue.size() == size
    assert [issue.value_at(rank) for rank in range(size)] == values
    assert [issue.rank(value) for value in values] == list(range(size))
    assert all(issue.check(value) is None for value in values)


def test_rank_examples() -> None:
    assert PRICE.rank(150) == 5
    assert WEEKS.rank(6) == 4
    assert WARRANTY.rank("3 years") == 2
    assert PRICE.value_at(0) == 100
    assert WARRANTY.value_at(1) == "2 years"


@settings(max_examples=200, deadline=None)
@given(
    low=st.integers(-1_000, 1_000),
    span=st.integers(0, 5_000),
    step=st.integers(1, 250),
    data=st.data(),
)
def test_numeric_domains_round_trip(low: int, span: int, step: int, data: st.DataObject) -> None:
    issue = Issue(id="n", label="N", kind="integer", min=low, max=low + span, step=step)
    rank = data.draw(st.integers(0, issue.size() - 1))
    value = issue.value_at(rank)
    assert issue.check(value) is None
    assert issue.rank(value) == rank
    assert issue.check(low + span + step) is not None  # past the top is outside
    top = issue.value_at(issue.size() - 1)
    assert isinstance(top, int)
    assert top <= low + span < top + step  # the last grid value is the highest in range


# --- Scenario.score / max_score --------------------------------------------------------

SCENARIO = small_scenario()


def test_score_by_hand() -> None:
    # buyer: price down, w50: 150 is halfway -> 25; warranty points "2 years" -> 10;
    # delivery down, w35: 6 weeks is rank 4 of 10 -> 0.6 * 35 = 21.
    assert SCENARIO.score("buyer", terms()) == pytest.approx(56)
    # seller: price up, w60 -> 30; warranty down, w30, middle option -> 15; delivery up, w10 -> 4.
    assert SCENARIO.score("seller", terms()) == pytest.approx(49)


def test_max_score_is_reached_at_each_roles_best_package() -> None:
    assert SCENARIO.max_score("buyer") == pytest.approx(100)
    assert SCENARIO.max_score("seller") == pytest.approx(100)
    buyer_best = terms(price=100, warranty="3 years", delivery=2)
    seller_best = terms(price=200, warranty="1 year", delivery=12)
    assert SCENARIO.score("buyer", buyer_best) == pytest.approx(100)
    assert SCENARIO.score("seller", seller_best) == pytest.approx(100)
    # each role's best is the other's worst on every linear issue
    assert SCENARIO.score("buyer", seller_best) == pytest.approx(0)
    assert SCENARIO.score("seller", buyer_best) == pytest.approx(0)


def all_packages(scenario: Scenario) -> list[dict[str, int | str]]:
    domains = [[issue.value_at(r) for r in range(issue.size())] for issue in scenario.issues]
    return [
        {issue.id: value for issue, value in zip(scenario.issues, combo, strict=True)}
        for combo in itertools.product(*domains)
    ]


def test_max_score_is_the_best_score_over_every_package() -> None:
    packages = all_packages(SCENARIO)
    for role in ("buyer", "seller"):
        scores = [SCENARIO.score(role, p) for p in packages]
        assert max(scores) == pytest.approx(SCENARIO.max_score(role))
        assert min(scores) >= 0


def test_unscored_issue_counts_nothing() -> None:
    side = SCENARIO.roles["seller"]
    scoring = {k: v for k, v in side.scoring.items() if k != "delivery"}
    seller = RoleSide(
        title=side.title,
        brief=side.brief,
        prefers=side.prefers,
        scoring=scoring,
        reservation_value=side.reservation_value,
    )
    scenario = Scenario(
        id="s", title="S", issues=SCENARIO.issues, roles={**SCENARIO.roles, "seller": seller}
    )
    assert scenario.max_score("seller") == pytest.approx(90)
    assert scenario.score("seller", terms(delivery=2)) == scenario.score(
        "seller", terms(delivery=12)
    )


def test_single_value_issue_scores_its_whole_weight() -> None:
    buyer = RoleSide(
        title="B",
        brief="b",
        prefers={"single": "down"},
        scoring={"single": IssueScoring(weight=7)},
        reservation_value=0,
    )
    scenario = Scenario(id="s", title="S", issues=(SINGLE,), roles={"buyer": buyer})
    assert scenario.score("buyer", {"single": 5}) == pytest.approx(7)
    assert scenario.max_score("buyer") == pytest.approx(7)


def test_issue_lookup() -> None:
    assert SCENARIO.issue("warranty").kind == "options"
    with pytest.raises(KeyError):
        SCENARIO.issue("colour")


# --- brief and public ------------------------------------------------------------------


def test_brief_is_the_roles_private_side() -> None:
    brief = SCENARIO.brief("buyer")
    side = SCENARIO.roles["buyer"]
    assert brief.role == "buyer"
    assert brief.title == side.title
    assert brief.text == side.brief
    assert brief.prefers == side.prefers
    assert brief.scoring == side.scoring
    assert brief.reservation_value == side.reservation_value
    assert brief.max_score == pytest.approx(SCENARIO.max_score("buyer"))


def test_a_brief_holds_nothing_of_the_other_role() -> None:
    encoded = JSON.encode(SCENARIO.brief("buyer")).decode()
    assert "BUYER-SECRET" in encoded
    assert "SELLER-SECRET" not in encoded
    assert "Seller" not in encoded


def test_public_holds_no_brief_or_scoring() -> None:
    public = SCENARIO.public()
    encoded = JSON.encode(public).decode()
    for role in SCENARIO.roles.values():
        assert role.brief not in encoded
    for secret in ("SECRET", "scoring", "prefers", "reservation_value", "weight", "points"):
        assert secret not in encoded, secret
    assert set(json.loads(encoded)["roles"]["buyer"]) == {"title", "public"}


def test_public_keeps_what_every_seat_needs() -> None:
    public = SCENARIO.public()
    assert (public.id, public.title, public.summary, public.currency) == (
        SCENARIO.id,
        SCENARIO.title,
        SCENARIO.summary,
        SCENARIO.currency,
    )
    assert public.rules == SCENARIO.rules
    assert public.issues == SCENARIO.issues
    assert {role: r.title for role, r in public.roles.items()} == {
        "buyer": "Buyer",
        "seller": "Seller",
    }
