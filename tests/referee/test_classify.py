"""classify() and issue_moves() directly, on every kind of issue domain."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealroom.protocol import (
    Issue,
    IssueScoring,
    OfferClass,
    Role,
    RoleSide,
    Scenario,
    Terms,
)
from dealroom.server.referee import classify, counterpart, issue_moves
from tests.support import small_scenario, terms

SCENARIO = small_scenario()
BASE = terms(price=150, warranty="2 years", delivery=6)


def _moved(**changes: Any) -> Terms:
    return {**BASE, **changes}


def test_a_first_offer_is_an_opening() -> None:
    assert classify(SCENARIO, "buyer", None, BASE) is OfferClass.OPENING
    assert classify(SCENARIO, "seller", None, BASE) is OfferClass.OPENING


# (role, changes from BASE, expected per-issue moves for that role)
CASES: list[tuple[Role, dict[str, Any], dict[str, int], OfferClass]] = [
    ("buyer", {}, {"price": 0, "warranty": 0, "delivery": 0}, OfferClass.REPEAT),
    # money: the buyer prefers it down
    ("buyer", {"price": 160}, {"price": -1, "warranty": 0, "delivery": 0}, OfferClass.CONCESSION),
    ("buyer", {"price": 140}, {"price": 1, "warranty": 0, "delivery": 0}, OfferClass.HARDENING),
    # options: the buyer prefers a longer warranty (later in the list)
    (
        "buyer",
        {"warranty": "1 year"},
        {"price": 0, "warranty": -1, "delivery": 0},
        OfferClass.CONCESSION,
    ),
    (
        "buyer",
        {"warranty": "3 years"},
        {"price": 0, "warranty": 1, "delivery": 0},
        OfferClass.HARDENING,
    ),
    # integer: the buyer prefers an early delivery
    ("buyer", {"delivery": 7}, {"price": 0, "warranty": 0, "delivery": -1}, OfferClass.CONCESSION),
    ("buyer", {"delivery": 2}, {"price": 0, "warranty": 0, "delivery": 1}, OfferClass.HARDENING),
    (
        "buyer",
        {"price": 200, "warranty": "3 years"},
        {"price": -1, "warranty": 1, "delivery": 0},
        OfferClass.TRADE,
    ),
    (
        "buyer",
        {"price": 200, "delivery": 12, "warranty": "1 year"},
        {"price": -1, "warranty": -1, "delivery": -1},
        OfferClass.CONCESSION,
    ),
    # the seller prefers the opposite on every issue
    ("seller", {}, {"price": 0, "warranty": 0, "delivery": 0}, OfferClass.REPEAT),
    ("seller", {"price": 140}, {"price": -1, "warranty": 0, "delivery": 0}, OfferClass.CONCESSION),
    ("seller", {"price": 160}, {"price": 1, "warranty": 0, "delivery": 0}, OfferClass.HARDENING),
    (
        "seller",
        {"warranty": "3 years"},
        {"price": 0, "warranty": -1, "delivery": 0},
        OfferClass.CONCESSION,
    ),
    ("seller", {"delivery": 5}, {"price": 0, "warranty": 0, "delivery": -1}, OfferClass.CONCESSION),
    (
        "seller",
        {"price": 200, "delivery": 2},
        {"price": 1, "warranty": 0, "delivery": -1},
        OfferClass.TRADE,
    ),
    (
        "seller",
        {"price": 160, "warranty": "1 year", "delivery": 12},
        {"price": 1, "warranty": 1, "delivery": 1},
        OfferClass.HARDENING,
    ),
]


@pytest.mark.parametrize(("role", "changes", "moves", "klass"), CASES)
def test_issue_moves_and_class(
    role: Role, changes: dict[str, Any], moves: dict[str, int], klass: OfferClass
) -> None:
    new = _moved(**changes)
    assert issue_moves(SCENARIO, role, BASE, new) == moves
    assert classify(SCENARIO, role, BASE, new) is klass


def test_the_docstring_example() -> None:
    # A buyer who prefers a low price and a long warranty, from (110, 1 year):
    start: Terms = {"price": 110, "warranty": "1 year", "delivery": 6}
    assert classify(SCENARIO, "buyer", start, {**start, "price": 120}) is OfferClass.CONCESSION
    trade: Terms = {**start, "price": 120, "warranty": "2 years"}
    assert classify(SCENARIO, "buyer", start, trade) is OfferClass.TRADE
    assert classify(SCENARIO, "buyer", start, {**start, "price": 100}) is OfferClass.HARDENING


def test_the_size_of_a_move_does_not_matter() -> None:
    assert classify(SCENARIO, "buyer", BASE, _moved(price=160)) is OfferClass.CONCESSION
    assert classify(SCENARIO, "buyer", BASE, _moved(price=200)) is OfferClass.CONCESSION


def _options_only(order: tuple[str, ...], prefers: str) -> Scenario:
    issue = Issue(id="plan", label="Plan", kind="options", options=order)
    side = RoleSide(
        title="x",
        brief="x",
        prefers={"plan": prefers},  # type: ignore[dict-item]
        scoring={"plan": IssueScoring(weight=1)},
        reservation_value=0,
    )
    other = RoleSide(
        title="y",
        brief="y",
        prefers={"plan": "down" if prefers == "up" else "up"},
        scoring={"plan": IssueScoring(weight=1)},
        reservation_value=0,
    )
    return Scenario(id="opts", title="t", issues=(issue,), roles={"buyer": side, "seller": other})


def test_options_are_ordered_by_their_listed_order_not_alphabetically() -> None:
    scenario = _options_only(("gold", "basic", "silver"), prefers="up")
    # "up" means later in the list: gold -> silver is towards the buyer's own side.
    assert classify(scenario, "buyer", {"plan": "gold"}, {"plan": "silver"}) is (
        OfferClass.HARDENING
    )
    assert classify(scenario, "buyer", {"plan": "silver"}, {"plan": "basic"}) is (
        OfferClass.CONCESSION
    )
    assert classify(scenario, "seller", {"plan": "silver"}, {"plan": "basic"}) is (
        OfferClass.HARDENING
    )


# --- properties ------------------------------------------------------------------------

PRICES = st.sampled_from(list(range(100, 201, 10)))
WARRANTIES = st.sampled_from(["1 year", "2 years", "3 years"])
DELIVERIES = st.integers(2, 12)
VALID_TERMS = st.builds(terms, price=PRICES, warranty=WARRANTIES, delivery=DELIVERIES)
ROLES_ST: st.SearchStrategy[Role] = st.sampled_from(["buyer", "seller"])

MIRROR = {
    OfferClass.CONCESSION: OfferClass.HARDENING,
    OfferClass.HARDENING: OfferClass.CONCESSION,
    OfferClass.TRADE: OfferClass.TRADE,
    OfferClass.REPEAT: OfferClass.REPEAT,
}


@given(role=ROLES_ST, a=VALID_TERMS, b=VALID_TERMS)
def test_going_back_mirrors_the_class(role: Role, a: Terms, b: Terms) -> None:
    assert classify(SCENARIO, role, b, a) is MIRROR[classify(SCENARIO, role, a, b)]


@given(role=ROLES_ST, a=VALID_TERMS, b=VALID_TERMS)
def test_opposite_preferences_mirror_the_class(role: Role, a: Terms, b: Terms) -> None:
    # In the small scenario the roles prefer opposite directions on every issue.
    assert classify(SCENARIO, counterpart(role), a, b) is MIRROR[classify(SCENARIO, role, a, b)]


@given(role=ROLES_ST, a=VALID_TERMS, b=VALID_TERMS)
def test_class_follows_the_issue_moves(role: Role, a: Terms, b: Terms) -> None:
    moves = issue_moves(SCENARIO, role, a, b)
    assert set(moves) == {"price", "warranty", "delivery"}
    assert set(moves.values()) <= {-1, 0, 1}
    for issue_id, move in moves.items():
        assert (move == 0) == (a[issue_id] == b[issue_id])
    klass = classify(SCENARIO, role, a, b)
    assert (klass is OfferClass.REPEAT) == (a == b)
    assert (klass is OfferClass.CONCESSION) == (-1 in moves.values() and 1 not in moves.values())
    assert (klass is OfferClass.TRADE) == (-1 in moves.values() and 1 in moves.values())
