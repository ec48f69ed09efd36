"""Offers and concessions: terms validation, classification, turn-taking."""

from __future__ import annotations

from typing import Any

import pytest

from dealroom.protocol import Concede, ErrorCode, Offer, OfferClass, Offered, Role
from dealroom.server.referee import MoveCommand, Phase, StandingOffer
from tests.support import small_scenario, terms

from .helpers import (
    NOW,
    accept,
    events_of,
    kinds,
    message,
    offer,
    offered,
    reject,
    run_refused,
    started,
)

# --- terms validation -----------------------------------------------------------


def _with(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = terms()
    for key, value in changes.items():
        if value is _DROP:
            del values[key]
        else:
            values[key] = value
    return values


_DROP = object()

INVALID_TERMS = {
    "unknown issue": (_with(colour="red"), "colour"),
    "two unknown issues, sorted": (_with(zeta=1, alpha=2), "alpha, zeta"),
    "missing issue": (_with(delivery=_DROP), "delivery"),
    "every issue missing": ({}, "price, warranty, delivery"),
    "below the range": (_with(price=90), "between 100 and 200"),
    "above the range": (_with(price=210), "between 100 and 200"),
    "integer below the range": (_with(delivery=1), "between 2 and 12"),
    "integer above the range": (_with(delivery=13), "between 2 and 12"),
    "off the money step": (_with(price=155), "steps of 10"),
    "unknown option": (_with(warranty="5 years"), "one of"),
    "option given as a number": (_with(warranty=2), "one of"),
    "bool for money": (_with(price=True), "whole number"),
    "bool for an integer": (_with(delivery=False), "whole number"),
    "string for money": (_with(price="150"), "whole number"),
    "string for an integer": (_with(delivery="6"), "whole number"),
    "float for money": (_with(price=150.0), "whole number"),
}


@pytest.mark.parametrize("concede", [False, True], ids=["offer", "concede"])
@pytest.mark.parametrize(("bad", "hint"), INVALID_TERMS.values(), ids=INVALID_TERMS.keys())
def test_invalid_terms_are_refused(bad: dict[str, Any], hint: str, concede: bool) -> None:
    table = started()
    if concede:  # a previous offer, so that only the terms can be wrong
        events_of(offer(table, "buyer", price=100))
    kind = Concede if concede else Offer
    command = MoveCommand(role="buyer", move=kind(id="bad", terms=bad), now=NOW)
    refusal = run_refused(table, command, ErrorCode.INVALID_TERMS)
    assert hint in refusal.message
    assert refusal.message[0].isupper() and refusal.message.endswith(".")


def test_unknown_issues_are_reported_before_missing_ones() -> None:
    table = started()
    bad = _with(colour="red", delivery=_DROP)
    refusal = run_refused(
        table,
        MoveCommand(role="buyer", move=Offer(id="x", terms=bad), now=NOW),
        ErrorCode.INVALID_TERMS,
    )
    assert "colour" in refusal.message and "delivery" not in refusal.message


@pytest.mark.parametrize(
    "values",
    [
        {"price": 100, "warranty": "1 year", "delivery": 2},
        {"price": 200, "warranty": "3 years", "delivery": 12},
        {"price": 170, "warranty": "2 years", "delivery": 7},
    ],
)
def test_boundary_terms_are_valid(values: dict[str, Any]) -> None:
    table = started()
    events = events_of(offer(table, "seller", **values))
    assert isinstance(events[0], Offered)
    assert events[0].terms == values


# --- the offered event and standing offers ----------------------------------------


def test_an_offer_records_the_event_and_stands() -> None:
    table = started()
    events = events_of(offer(table, "buyer", move_id="o-1", price=120))
    assert events == (
        Offered(
            seq=5,
            at=NOW,
            by="buyer",
            move="o-1",
            terms=terms(price=120),
            offer_class=OfferClass.OPENING,
            concede=False,
        ),
    )
    state = table.state
    assert state.standing == {"buyer": StandingOffer(5, terms(price=120), OfferClass.OPENING)}
    assert state.previous_terms == {"buyer": terms(price=120)}
    assert state.offers == 1
    assert state.moves["buyer"]["o-1"] == 5


def test_a_new_offer_replaces_the_senders_standing_offer_only() -> None:
    table = started()
    events_of(offer(table, "buyer", price=110))
    events_of(offer(table, "seller", price=190))
    events_of(offer(table, "buyer", price=120))
    assert table.state.standing["buyer"].seq == 7
    assert table.state.standing["buyer"].terms == terms(price=120)
    assert table.state.standing["seller"].seq == 6
    assert table.state.offers == 3


# --- classification through decide ------------------------------------------------

# The buyer prefers price down, warranty up, delivery down; the seller the opposite.
STEPS: list[tuple[Role, dict[str, Any], OfferClass]] = [
    ("buyer", {"price": 120}, OfferClass.CONCESSION),  # pays more
    ("buyer", {"delivery": 8}, OfferClass.CONCESSION),  # accepts a later delivery
    ("buyer", {"warranty": "1 year"}, OfferClass.CONCESSION),  # less warranty
    ("buyer", {"price": 120, "warranty": "3 years"}, OfferClass.TRADE),
    ("buyer", {"price": 100}, OfferClass.HARDENING),
    ("buyer", {"delivery": 4, "warranty": "3 years"}, OfferClass.HARDENING),
    ("buyer", {}, OfferClass.REPEAT),
    ("seller", {"price": 100}, OfferClass.CONCESSION),  # asks less
    ("seller", {"warranty": "3 years"}, OfferClass.CONCESSION),
    ("seller", {"delivery": 4}, OfferClass.CONCESSION),
    ("seller", {"price": 100, "delivery": 12}, OfferClass.TRADE),
    ("seller", {"price": 200}, OfferClass.HARDENING),
    ("seller", {}, OfferClass.REPEAT),
]


@pytest.mark.parametrize(("role", "change", "expected"), STEPS)
def test_offers_are_classified_against_the_senders_previous_offer(
    role: Role, change: dict[str, Any], expected: OfferClass
) -> None:
    table = started()
    first = events_of(offer(table, role, price=110, delivery=6))  # the opening
    assert isinstance(first[0], Offered)
    assert first[0].offer_class is OfferClass.OPENING
    base = {"price": 110, "delivery": 6}
    events = events_of(offer(table, role, **{**base, **change}))
    assert isinstance(events[0], Offered)
    assert events[0].offer_class is expected
    assert table.state.standing[role].offer_class is expected


def test_each_role_is_classified_against_its_own_offers() -> None:
    table = started()
    events_of(offer(table, "buyer", price=110))
    # The seller's first offer is an opening, whatever the buyer offered.
    assert offered(offer(table, "seller", price=110)).offer_class is OfferClass.OPENING
    assert offered(offer(table, "buyer", price=120)).offer_class is OfferClass.CONCESSION


def test_a_rejected_offer_is_still_the_base_of_the_next_classification() -> None:
    table = started()
    buyer_seq = events_of(offer(table, "buyer", price=110))[0].seq
    events_of(reject(table, "seller", buyer_seq))
    assert "buyer" not in table.state.standing
    assert table.state.previous_terms["buyer"] == terms(price=110)
    assert offered(offer(table, "buyer", price=100)).offer_class is OfferClass.HARDENING


def test_an_offer_that_concedes_without_saying_so_is_a_concession() -> None:
    table = started()
    events_of(offer(table, "seller", price=200))
    events = events_of(offer(table, "seller", price=190))
    assert isinstance(events[0], Offered)
    assert events[0].offer_class is OfferClass.CONCESSION
    assert events[0].concede is False


def test_a_concede_that_is_a_concession_is_recorded_as_such() -> None:
    table = started()
    events_of(offer(table, "seller", price=200))
    events = events_of(offer(table, "seller", concede=True, move_id="c-1", price=190))
    assert isinstance(events[0], Offered)
    assert events[0].offer_class is OfferClass.CONCESSION
    assert events[0].concede is True
    assert events[0].move == "c-1"


@pytest.mark.parametrize(
    ("change", "klass"),
    [
        ({"price": 200}, OfferClass.HARDENING),
        ({"price": 180, "delivery": 12}, OfferClass.TRADE),
        ({}, OfferClass.REPEAT),
    ],
)
def test_a_concede_that_is_not_a_concession_is_refused(
    change: dict[str, Any], klass: OfferClass
) -> None:
    table = started()
    events_of(offer(table, "seller", price=190))
    command = MoveCommand(
        role="seller", move=Concede(id="c", terms=terms(**{"price": 190, **change})), now=NOW
    )
    refusal = run_refused(table, command, ErrorCode.NOT_A_CONCESSION)
    assert f"a {klass} on your previous offer" in refusal.message


def test_a_first_offer_sent_as_concede_is_not_a_concession() -> None:
    table = started()
    command = MoveCommand(role="buyer", move=Concede(id="c", terms=terms()), now=NOW)
    refusal = run_refused(table, command, ErrorCode.NOT_A_CONCESSION)
    assert "an opening" in refusal.message


# --- turns ----------------------------------------------------------------------------


def test_free_turns_let_a_role_offer_twice_in_a_row() -> None:
    table = started(small_scenario(turns="free"))
    assert table.state.turn is None
    events_of(offer(table, "buyer", price=110))
    events_of(offer(table, "buyer", price=120))
    assert table.state.turn is None


@pytest.mark.parametrize("first", ["buyer", "seller"])
def test_alternating_turns_start_with_the_first_mover(first: Role) -> None:
    second: Role = "seller" if first == "buyer" else "buyer"
    table = started(small_scenario(turns="alternating", first_mover=first))
    assert table.state.turn == first
    refusal = run_refused(
        table,
        MoveCommand(role=second, move=Offer(id="early", terms=terms()), now=NOW),
        ErrorCode.NOT_YOUR_TURN,
    )
    assert first in refusal.message
    events_of(offer(table, first, price=150))
    assert table.state.turn == second
    run_refused(
        table,
        MoveCommand(role=first, move=Offer(id="again", terms=terms(price=160)), now=NOW),
        ErrorCode.NOT_YOUR_TURN,
    )
    events_of(offer(table, second, price=150))
    assert table.state.turn == first


def test_alternating_turns_with_either_first_mover() -> None:
    table = started(small_scenario(turns="alternating", first_mover="either"))
    assert table.state.turn is None
    events_of(offer(table, "seller", price=190))
    assert table.state.turn == "buyer"
    run_refused(
        table,
        MoveCommand(role="seller", move=Concede(id="c", terms=terms(price=180)), now=NOW),
        ErrorCode.NOT_YOUR_TURN,
    )
    events_of(offer(table, "buyer", price=110))
    assert table.state.turn == "seller"


def test_first_mover_without_alternating_turns_is_free() -> None:
    table = started(small_scenario(turns="free", first_mover="seller"))
    assert table.state.turn is None
    events_of(offer(table, "buyer", price=110))
    events_of(offer(table, "buyer", price=120))


def test_the_turn_is_checked_before_the_terms() -> None:
    table = started(small_scenario(turns="alternating", first_mover="seller"))
    command = MoveCommand(role="buyer", move=Offer(id="x", terms={"price": 1}), now=NOW)
    run_refused(table, command, ErrorCode.NOT_YOUR_TURN)


def test_turns_bind_offers_only() -> None:
    table = started(small_scenario(turns="alternating", first_mover="buyer"))
    buyer_offer = events_of(offer(table, "buyer", price=110))[0].seq
    # Not the buyer's turn, but messages are free.
    assert kinds(events_of(message(table, "buyer", "Over to you."))) == ["message"]
    assert kinds(events_of(message(table, "seller", "Thinking."))) == ["message"]
    seller_offer = events_of(offer(table, "seller", price=190))[0].seq
    # The seller may reject the buyer's offer although it is the buyer's turn ...
    assert kinds(events_of(reject(table, "seller", buyer_offer))) == ["rejected"]
    # ... and the buyer may accept out of turn order too.
    assert table.state.turn == "buyer"
    events = events_of(accept(table, "buyer", seller_offer))
    assert kinds(events) == ["accepted", "agreement", "ended"]
    assert table.state.phase is Phase.ENDED
