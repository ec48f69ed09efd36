"""Held rooms: a workshop's round starts its rooms together, on the facilitator's Start."""

from __future__ import annotations

import pytest

from dealroom.protocol import ErrorCode, Joined, Started
from dealroom.server.referee import (
    End,
    Extend,
    Join,
    Leave,
    Pause,
    Phase,
    Start,
    Tick,
    replay,
)
from tests.support import Table, small_scenario

from .helpers import NOW, T0, events_of, kinds, offer, refused, run_refused

ROUND_DEADLINE = T0 + 900_000
"""A round's deadline: not the room's own 600 s from any start."""


def held_and_full() -> Table:
    """A held room whose two seats are in: waiting for the round's start."""
    table = Table(held=True)
    events_of(table.run(Join(role="buyer", now=T0, name="Ana")))
    events_of(table.run(Join(role="seller", now=T0 + 5, name="Sam")))
    return table


def test_a_held_room_waits_with_both_seats_in() -> None:
    table = held_and_full()
    assert kinds(table.log) == ["created", "joined", "joined"]
    assert table.log[-1] == Joined(seq=3, at=T0 + 5, by="seller", name="Sam")
    assert table.state.phase is Phase.WAITING
    assert table.state.joined == {"buyer", "seller"}
    assert table.state.deadline is None
    assert table.state.held is True
    # The seats may talk while they wait, but not negotiate yet.
    refused(offer(table, "buyer", now=NOW), ErrorCode.NOT_STARTED)


def test_start_records_started_with_the_rounds_deadline() -> None:
    table = held_and_full()
    events = events_of(table.run(Start(deadline=ROUND_DEADLINE, now=NOW)))
    assert events == (Started(seq=4, at=NOW, by="system", deadline=ROUND_DEADLINE),)
    assert table.state.phase is Phase.RUNNING
    assert table.state.deadline == ROUND_DEADLINE
    events_of(offer(table, "buyer", now=NOW + 1))
    # The clock is the round's: it expires the room at the round's deadline.
    assert kinds(events_of(table.run(Tick(now=ROUND_DEADLINE)))) == ["ended"]


def test_a_round_without_a_deadline_starts_rooms_without_one() -> None:
    table = held_and_full()
    events_of(table.run(Start(deadline=None, now=NOW)))
    assert table.state.phase is Phase.RUNNING
    assert table.state.deadline is None
    assert events_of(table.run(Tick(now=NOW + 10**9))) == ()


def test_start_waits_for_both_seats() -> None:
    table = Table(held=True)
    run_refused(table, Start(deadline=ROUND_DEADLINE, now=NOW), ErrorCode.NOT_STARTED)
    events_of(table.run(Join(role="seller", now=T0)))
    refusal = run_refused(table, Start(deadline=ROUND_DEADLINE, now=NOW), ErrorCode.NOT_STARTED)
    assert "Both seats" in refusal.message


def test_a_seat_that_left_still_counts_for_the_start() -> None:
    table = held_and_full()
    events_of(table.run(Leave(role="buyer", now=NOW)))
    assert kinds(events_of(table.run(Start(deadline=ROUND_DEADLINE, now=NOW)))) == ["started"]


def test_a_room_that_is_not_held_refuses_start() -> None:
    table = Table()
    events_of(table.run(Join(role="buyer", now=T0)))
    refusal = run_refused(table, Start(deadline=ROUND_DEADLINE, now=NOW), ErrorCode.INVALID_ACTION)
    assert "not held" in refusal.message


def test_start_after_the_rounds_deadline_is_refused() -> None:
    table = held_and_full()
    for deadline in (NOW, NOW - 1):
        run_refused(table, Start(deadline=deadline, now=NOW), ErrorCode.INVALID_ACTION)
    assert table.state.phase is Phase.WAITING


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (Start(deadline=ROUND_DEADLINE, now=NOW + 1), ErrorCode.INVALID_ACTION),
        (Pause(now=NOW + 1), None),
        (End(now=NOW + 1), None),
    ],
    ids=["start-again", "pause-then-start", "end-then-start"],
)
def test_only_a_waiting_room_starts(command: Start | Pause | End, code: ErrorCode | None) -> None:
    table = held_and_full()
    events_of(table.run(Start(deadline=ROUND_DEADLINE, now=NOW)))
    if code is not None:
        run_refused(table, command, code)
        return
    events_of(table.run(command))
    expected = ErrorCode.ROOM_ENDED if isinstance(command, End) else ErrorCode.INVALID_ACTION
    run_refused(table, Start(deadline=ROUND_DEADLINE, now=NOW + 2), expected)


def test_a_held_waiting_room_refuses_extend() -> None:
    table = held_and_full()
    refusal = run_refused(table, Extend(seconds=60, now=NOW), ErrorCode.INVALID_ACTION)
    assert "round" in refusal.message
    events_of(table.run(Start(deadline=ROUND_DEADLINE, now=NOW)))
    events_of(table.run(Extend(seconds=60, now=NOW)))  # running: the room's own clock now
    assert table.state.deadline == ROUND_DEADLINE + 60_000


def test_an_unheld_waiting_room_still_extends() -> None:
    table = Table()
    events_of(table.run(Extend(seconds=60, now=NOW)))
    assert table.state.duration_ms == 660_000


def test_a_held_room_replays_to_the_same_state() -> None:
    table = held_and_full()
    events_of(table.run(Start(deadline=ROUND_DEADLINE, now=NOW)))
    events_of(offer(table, "seller", now=NOW + 1))
    assert replay(table.log) == table.state
    assert replay(table.log).held is True


def test_the_hold_is_read_from_created() -> None:
    assert Table(small_scenario()).state.held is False
    assert Table(small_scenario(), held=True).state.held is True
