"""Deadlock: N offers in a row without a concession, recorded once per streak."""

from __future__ import annotations

import pytest

from dealroom.protocol import Deadlock, Offered, Role
from tests.support import Table, small_scenario

from .helpers import NOW, events_of, kinds, message, offer, reject, started

ROLES: tuple[Role, Role] = ("buyer", "seller")


def _non_concession(table: Table, i: int) -> tuple[str, ...]:
    """Offer ``i`` of a streak: alternating seats, each hardening or repeating."""
    role = ROLES[i % 2]
    # Buyer offers 100 (its best), seller 200 (its best): openings, then repeats.
    price = 100 if role == "buyer" else 200
    events = events_of(offer(table, role, price=price))
    assert isinstance(events[0], Offered)
    assert events[0].offer_class.value != "concession"
    return tuple(kinds(events))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_a_deadlock_is_recorded_after_exactly_n_offers_without_a_concession(n: int) -> None:
    table = started(small_scenario(deadlock_after=n))
    for i in range(n - 1):
        assert _non_concession(table, i) == ("offer",)
    events = events_of(offer(table, ROLES[(n - 1) % 2], price=100 if n % 2 else 200))
    assert kinds(events) == ["offer", "deadlock"]
    offered, deadlock = events
    assert deadlock == Deadlock(seq=offered.seq + 1, at=NOW, by="system", offers=n)
    assert table.state.deadlocks == 1
    assert table.state.deadlock_armed is False
    assert table.state.since_concession == n


def test_openings_count_as_offers_without_a_concession() -> None:
    table = started(small_scenario(deadlock_after=2))
    assert kinds(events_of(offer(table, "buyer", price=110))) == ["offer"]
    assert kinds(events_of(offer(table, "seller", price=190))) == ["offer", "deadlock"]


def test_a_deadlock_is_not_recorded_twice_until_a_concession_rearms_it() -> None:
    n = 3
    table = started(small_scenario(deadlock_after=n))
    for i in range(n - 1):
        _non_concession(table, i)
    assert _non_concession(table, n - 1) == ("offer", "deadlock")
    for i in range(n, 3 * n):  # a long streak: still only one deadlock
        assert _non_concession(table, i) == ("offer",)
    assert table.state.deadlocks == 1
    assert table.state.since_concession == 3 * n

    # The buyer concedes (110 after 100): re-armed, the streak starts again.
    assert kinds(events_of(offer(table, "buyer", price=110))) == ["offer"]
    assert table.state.deadlock_armed is True
    assert table.state.since_concession == 0
    assert table.state.deadlocks == 1
    for _ in range(n - 1):
        assert kinds(events_of(offer(table, "seller", price=200))) == ["offer"]
    events = events_of(offer(table, "seller", price=200))
    assert kinds(events) == ["offer", "deadlock"]
    assert isinstance(events[1], Deadlock)
    assert events[1].offers == n
    assert table.state.deadlocks == 2


def test_a_concession_inside_the_streak_resets_it() -> None:
    table = started(small_scenario(deadlock_after=3))
    events_of(offer(table, "buyer", price=100))
    events_of(offer(table, "seller", price=200))
    assert table.state.since_concession == 2
    # A concession (sent as concede): the count starts from zero.
    assert kinds(events_of(offer(table, "seller", concede=True, price=190))) == ["offer"]
    assert table.state.since_concession == 0
    assert kinds(events_of(offer(table, "buyer", price=100))) == ["offer"]
    assert kinds(events_of(offer(table, "seller", price=190))) == ["offer"]
    assert kinds(events_of(offer(table, "buyer", price=100))) == ["offer", "deadlock"]


def test_a_concession_never_records_a_deadlock() -> None:
    table = started(small_scenario(deadlock_after=1))
    assert kinds(events_of(offer(table, "buyer", price=100))) == ["offer", "deadlock"]
    # Disarmed; the concession re-arms but is itself no offer "without" one.
    assert kinds(events_of(offer(table, "buyer", price=110))) == ["offer"]
    assert kinds(events_of(offer(table, "buyer", price=110))) == ["offer", "deadlock"]
    assert table.state.deadlocks == 2


@pytest.mark.parametrize(
    "prices_and_delivery",
    [
        # trades: the buyer pays more but asks an earlier delivery each time
        [(110, 6), (120, 5), (130, 4)],
        # hardenings
        [(150, 6), (140, 6), (130, 6)],
        # repeats
        [(150, 6), (150, 6), (150, 6)],
    ],
    ids=["trades", "hardenings", "repeats"],
)
def test_trades_hardenings_and_repeats_all_count(
    prices_and_delivery: list[tuple[int, int]],
) -> None:
    table = started(small_scenario(deadlock_after=3))
    for price, delivery in prices_and_delivery[:-1]:
        assert kinds(events_of(offer(table, "buyer", price=price, delivery=delivery))) == ["offer"]
    price, delivery = prices_and_delivery[-1]
    events = events_of(offer(table, "buyer", price=price, delivery=delivery))
    assert kinds(events) == ["offer", "deadlock"]


def test_rejections_and_messages_neither_count_nor_reset() -> None:
    table = started(small_scenario(deadlock_after=3))
    seq = events_of(offer(table, "buyer", price=100))[0].seq
    events_of(reject(table, "seller", seq))
    events_of(message(table, "seller", "No."))
    assert table.state.since_concession == 1
    events_of(offer(table, "seller", price=200))
    assert table.state.since_concession == 2
    assert kinds(events_of(offer(table, "buyer", price=100))) == ["offer", "deadlock"]


def test_the_ack_of_an_offer_that_caused_a_deadlock_names_the_offer() -> None:
    table = started(small_scenario(deadlock_after=1))
    events = events_of(offer(table, "buyer", move_id="o", price=100))
    assert kinds(events) == ["offer", "deadlock"]
    assert table.state.moves["buyer"]["o"] == events[0].seq


def test_a_room_without_offers_has_no_deadlock() -> None:
    table = Table(small_scenario(deadlock_after=1))
    assert table.state.deadlocks == 0
    assert table.state.deadlock_armed is True
