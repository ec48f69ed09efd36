"""The clock: ticks expire a running room at its deadline, and only then."""

from __future__ import annotations

import pytest

from dealroom.protocol import (
    Accept,
    Concede,
    Ended,
    ErrorCode,
    Offer,
    Outcome,
    Reject,
    SendMessage,
    WalkAway,
)
from dealroom.protocol import Move as MoveFrame
from dealroom.server.referee import (
    Applied,
    Extend,
    Join,
    MoveCommand,
    Pause,
    Phase,
    Resume,
    Tick,
)
from tests.support import T0, Table, small_scenario, terms

from .helpers import DEADLINE, NOW, events_of, kinds, offer, run_refused, snapshot, started

MOVES: list[MoveFrame] = [
    Offer(id="c-offer", terms=terms(price=120)),
    Concede(id="c-concede", terms=terms(price=120)),
    Accept(id="c-accept", offer=6),
    Reject(id="c-reject", offer=6),
    WalkAway(id="c-walk"),
    SendMessage(id="c-msg", text="one more thing"),
]


def with_offers() -> Table:
    """A running room: the buyer offered 110 (seq 5), the seller 190 (seq 6)."""
    table = started()
    events_of(offer(table, "buyer", price=110))
    events_of(offer(table, "seller", price=190))
    return table


@pytest.mark.parametrize("now", [T0, NOW, DEADLINE - 1])
def test_a_tick_before_the_deadline_does_nothing(now: int) -> None:
    table = started()
    before = snapshot(table.state)
    assert table.run(Tick(now=now)) == Applied(())
    assert table.state == before


@pytest.mark.parametrize("late", [0, 1, 3_600_000])
def test_a_tick_at_or_after_the_deadline_expires_the_room(late: int) -> None:
    table = with_offers()
    now = DEADLINE + late
    events = events_of(table.run(Tick(now=now)))
    assert events == (Ended(seq=7, at=now, by="system", outcome=Outcome.EXPIRED),)
    assert table.state.phase is Phase.ENDED
    assert table.state.outcome is Outcome.EXPIRED
    assert table.state.deadline is None
    assert table.state.agreement is None
    # A second tick finds nothing to do.
    assert table.run(Tick(now=now + 1)) == Applied(())


@pytest.mark.parametrize("move", MOVES, ids=lambda m: type(m).__name__)
@pytest.mark.parametrize("late", [0, 1, 60_000])
def test_moves_at_or_after_the_deadline_are_refused(move: MoveFrame, late: int) -> None:
    table = with_offers()
    command = MoveCommand(role="buyer", move=move, now=DEADLINE + late)
    refusal = run_refused(table, command, ErrorCode.ROOM_ENDED)
    assert "deadline" in refusal.message


@pytest.mark.parametrize("move", MOVES, ids=lambda m: type(m).__name__)
def test_moves_just_before_the_deadline_are_fine(move: MoveFrame) -> None:
    table = with_offers()
    events = events_of(table.run(MoveCommand(role="buyer", move=move, now=DEADLINE - 1)))
    assert events


def test_a_waiting_room_ignores_ticks() -> None:
    table = Table()
    events_of(table.run(Join(role="buyer", now=T0)))
    before = snapshot(table.state)
    assert table.run(Tick(now=T0 + 10**9)) == Applied(())
    assert table.state == before


def test_ticks_while_paused_do_nothing() -> None:
    table = with_offers()
    events_of(table.run(Pause(now=DEADLINE - 10_000)))
    before = snapshot(table.state)
    for now in (DEADLINE - 1, DEADLINE, DEADLINE + 10**8):
        assert table.run(Tick(now=now)) == Applied(())
    assert table.state == before
    resume_at = DEADLINE + 10**8
    events_of(table.run(Resume(now=resume_at)))
    assert table.run(Tick(now=resume_at + 9_999)) == Applied(())
    assert kinds(events_of(table.run(Tick(now=resume_at + 10_000)))) == ["ended"]
    assert table.state.outcome is Outcome.EXPIRED


def test_a_room_without_a_deadline_never_expires() -> None:
    table = started(small_scenario(deadline_seconds=0))
    before = snapshot(table.state)
    assert table.run(Tick(now=T0 + 10**12)) == Applied(())
    assert table.state == before
    assert kinds(events_of(offer(table, "buyer", T0 + 10**12))) == ["offer"]


def test_an_extension_moves_the_expiry() -> None:
    table = with_offers()
    events_of(table.run(Extend(seconds=60, now=NOW)))
    assert table.run(Tick(now=DEADLINE)) == Applied(())
    assert kinds(events_of(offer(table, "buyer", DEADLINE, price=120))) == ["offer"]
    assert kinds(events_of(table.run(Tick(now=DEADLINE + 60_000)))) == ["ended"]


def test_ticks_after_the_end_do_nothing() -> None:
    table = with_offers()
    events_of(table.run(Tick(now=DEADLINE)))
    n = len(table.log)
    for now in (DEADLINE, DEADLINE + 1, DEADLINE + 10**9):
        assert table.run(Tick(now=now)) == Applied(())
    assert len(table.log) == n


def _extend_late_while_running(table: Table) -> None:
    table.run(Extend(seconds=60, now=DEADLINE + 10))


def _pause_extend_resume_late(table: Table) -> None:
    table.run(Pause(now=DEADLINE + 10))
    table.run(Extend(seconds=60, now=DEADLINE + 11))
    table.run(Resume(now=DEADLINE + 12))


@pytest.mark.parametrize("late_action", [_extend_late_while_running, _pause_extend_resume_late])
def test_a_room_past_its_deadline_stays_expired(late_action: object) -> None:
    table = with_offers()
    # The deadline passed: a participant is told the room has ended ...
    late = MoveCommand(role="buyer", move=Accept(id="late", offer=6), now=DEADLINE + 5)
    run_refused(table, late, ErrorCode.ROOM_ENDED)
    # ... the facilitator's late extension arrives before the clock's tick ...
    late_action(table)  # type: ignore[operator]
    # ... and the tick must still record the expiry the participant was told about.
    events = events_of(table.run(Tick(now=DEADLINE + 20)))
    assert kinds(events) == ["ended"]
    assert table.state.outcome is Outcome.EXPIRED
