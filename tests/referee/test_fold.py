"""fold, initial_state and replay: the state is a fold over the log."""

from __future__ import annotations

import msgspec
import pytest

from dealroom.protocol import (
    MSGPACK,
    Created,
    Event,
    Joined,
    Left,
    Message,
    OfferClass,
    Offered,
    Rules,
)
from dealroom.server.referee import (
    Join,
    Pause,
    Phase,
    Resume,
    fold,
    initial_state,
    replay,
)
from tests.support import T0, Table, small_scenario, terms

from .helpers import NOW, accept, events_of, message, offer, reject, started


def test_initial_state_from_created() -> None:
    created = Created(
        seq=1,
        at=T0,
        by="facilitator",
        room="r9",
        scenario=small_scenario(turns="alternating", first_mover="seller"),
        workshop="w1",
        label="Table 3",
    )
    state = initial_state(created)
    assert (state.room, state.workshop, state.label, state.created_at) == (
        "r9",
        "w1",
        "Table 3",
        T0,
    )
    assert state.seq == 1
    assert state.phase is Phase.WAITING
    assert state.duration_ms == 600_000
    assert state.deadline is None and state.remaining_ms is None
    assert state.turn == "seller"
    assert state.joined == state.present == set()
    assert state.standing == {} and state.previous_terms == {}
    assert state.moves == {"buyer": {}, "seller": {}}
    assert (state.offers, state.since_concession, state.deadlocks) == (0, 0, 0)
    assert state.deadlock_armed is True
    assert state.outcome is None and state.agreement is None


@pytest.mark.parametrize(
    ("turns", "first_mover", "turn"),
    [
        ("free", "buyer", None),
        ("free", "either", None),
        ("alternating", "either", None),
        ("alternating", "buyer", "buyer"),
        ("alternating", "seller", "seller"),
    ],
)
def test_initial_turn(turns: str, first_mover: str, turn: str | None) -> None:
    scenario = small_scenario(turns=turns, first_mover=first_mover)  # type: ignore[arg-type]
    assert Table(scenario).state.turn == turn


def test_default_rules_give_a_twenty_minute_round() -> None:
    scenario = msgspec.structs.replace(small_scenario(), rules=Rules())
    assert Table(scenario).state.duration_ms == 1_200_000


def test_replay_needs_created_first() -> None:
    with pytest.raises(ValueError, match="created"):
        replay([Joined(seq=1, at=T0, by="buyer")])
    with pytest.raises(StopIteration):
        replay([])


def _played() -> Table:
    table = started(small_scenario(turns="alternating", first_mover="buyer", deadlock_after=2))
    events_of(message(table, "buyer", "Hello"))
    events_of(offer(table, "buyer", price=110))
    s1 = events_of(offer(table, "seller", price=190))[0].seq  # and a deadlock
    events_of(reject(table, "buyer", s1))
    events_of(table.run(Pause(now=NOW)))
    events_of(table.run(Resume(now=NOW + 10)))
    b2 = events_of(offer(table, "buyer", price=120, concede=True))[0].seq
    events_of(accept(table, "seller", b2))
    return table


def test_replay_gives_the_live_state() -> None:
    table = _played()
    assert table.state.phase is Phase.ENDED
    assert replay(table.log) == table.state


def test_replay_of_the_stored_log_gives_the_live_state() -> None:
    table = _played()
    decoded: list[Event] = [
        msgspec.msgpack.decode(MSGPACK.encode(event), type=Event) for event in table.log
    ]
    assert decoded == table.log
    assert replay(decoded) == table.state


def test_fold_returns_the_state_it_changed() -> None:
    table = Table()
    state = table.state
    assert fold(state, Joined(seq=2, at=T0, by="buyer")) is state
    assert state.seq == 2 and state.joined == {"buyer"}


def test_fold_keeps_seat_bookkeeping_for_seats_only() -> None:
    # An observer or the facilitator appearing in an event never takes a seat,
    # stands an offer or claims a move id.
    table = Table()
    state = table.state
    fold(state, Joined(seq=2, at=T0, by="observer"))
    fold(state, Left(seq=3, at=T0, by="facilitator"))
    fold(state, Message(seq=4, at=T0, by="facilitator", text="hi", move="x"))
    fold(
        state,
        Offered(
            seq=5,
            at=T0,
            by="system",
            move="o",
            terms=terms(),
            offer_class=OfferClass.OPENING,
        ),
    )
    assert state.seq == 5
    assert state.joined == state.present == set()
    assert state.standing == {} and state.offers == 0
    assert state.moves == {"buyer": {}, "seller": {}}
    events_of(table.run(Join(role="buyer", now=T0)))
    assert state.phase is Phase.WAITING  # the observer did not count as the seller
