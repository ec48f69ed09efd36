"""Facilitator actions: pause, resume, extend, announce, mediate, end."""

from __future__ import annotations

import pytest

from dealroom.protocol import (
    Accept,
    Announcement,
    Concede,
    Ended,
    ErrorCode,
    Extended,
    Message,
    Offer,
    Outcome,
    Paused,
    Reject,
    Resumed,
    Role,
    SendMessage,
    Started,
    WalkAway,
)
from dealroom.protocol import Move as MoveFrame
from dealroom.server.referee import (
    Announce,
    Applied,
    End,
    Extend,
    Join,
    Mediate,
    MoveCommand,
    Pause,
    Phase,
    Resume,
    Tick,
)
from dealroom.server.referee.rules import MAX_EXTEND_SECONDS
from tests.support import T0, Table, small_scenario, terms

from .helpers import DEADLINE, NOW, events_of, kinds, offer, run_refused, snapshot, started

MOVES: list[MoveFrame] = [
    Offer(id="p-offer", terms=terms()),
    Concede(id="p-concede", terms=terms()),
    Accept(id="p-accept", offer=5),
    Reject(id="p-reject", offer=5),
    WalkAway(id="p-walk"),
    SendMessage(id="p-msg", text="hello?"),
]


def paused(at: int = NOW) -> Table:
    table = started()
    events_of(offer(table, "seller", price=190))  # seq 5: a standing offer to accept
    events_of(table.run(Pause(now=at)))
    return table


def room_in(phase: str) -> Table:
    """A waiting room (no seat yet), a running one, or a paused one."""
    if phase == "waiting":
        return Table()
    return started() if phase == "running" else paused()


# --- pause ------------------------------------------------------------------------------


def test_pause_keeps_the_time_left() -> None:
    table = started()
    events = events_of(table.run(Pause(now=NOW)))
    assert events == (Paused(seq=5, at=NOW, by="facilitator", remaining_ms=DEADLINE - NOW),)
    assert table.state.phase is Phase.PAUSED
    assert table.state.deadline is None
    assert table.state.remaining_ms == DEADLINE - NOW


@pytest.mark.parametrize("move", MOVES, ids=lambda m: type(m).__name__)
def test_moves_are_refused_while_paused(move: MoveFrame) -> None:
    table = paused()
    refusal = run_refused(
        table, MoveCommand(role="buyer", move=move, now=NOW + 1), ErrorCode.ROOM_PAUSED
    )
    assert "paused" in refusal.message
    assert table.state.remaining_ms == DEADLINE - NOW


def test_pause_without_a_deadline_keeps_no_time() -> None:
    table = started(small_scenario(deadline_seconds=0))
    events = events_of(table.run(Pause(now=NOW)))
    assert events[0] == Paused(seq=5, at=NOW, by="facilitator", remaining_ms=None)
    assert table.state.remaining_ms is None
    resumed = events_of(table.run(Resume(now=NOW + 10_000)))
    assert resumed == (Resumed(seq=6, at=NOW + 10_000, by="facilitator", deadline=None),)
    assert table.state.deadline is None


def test_a_pause_after_the_deadline_gives_no_time_back() -> None:
    # The tick has not fired yet when the facilitator pauses. Whether the pause
    # is refused or keeps 0 ms, the room must expire at the next tick after it.
    table = started()
    pause = table.run(Pause(now=DEADLINE + 500))
    if isinstance(pause, Applied):
        paused_event = pause.events[0]
        assert isinstance(paused_event, Paused)
        assert paused_event.remaining_ms == 0  # never negative
    table.run(Resume(now=DEADLINE + 10_000))
    assert kinds(events_of(table.run(Tick(now=DEADLINE + 10_000)))) == ["ended"]
    assert table.state.outcome is Outcome.EXPIRED


def test_pause_twice_is_invalid() -> None:
    table = paused()
    refusal = run_refused(table, Pause(now=NOW + 1), ErrorCode.INVALID_ACTION)
    assert "paused" in refusal.message


def test_pause_before_the_start_is_refused() -> None:
    table = Table()
    run_refused(table, Pause(now=NOW), ErrorCode.NOT_STARTED)


# --- resume -----------------------------------------------------------------------------


def test_resume_gives_back_the_time_that_was_left() -> None:
    table = paused(at=NOW)
    later = NOW + 3_600_000  # an hour of pause does not count
    events = events_of(table.run(Resume(now=later)))
    assert events == (Resumed(seq=7, at=later, by="facilitator", deadline=later + DEADLINE - NOW),)
    assert table.state.phase is Phase.RUNNING
    assert table.state.deadline == later + DEADLINE - NOW
    assert table.state.remaining_ms is None
    # Moves are allowed again.
    assert kinds(events_of(offer(table, "buyer", later + 1))) == ["offer"]


@pytest.mark.parametrize("phase", ["waiting", "running"])
def test_resume_when_not_paused_is_invalid(phase: str) -> None:
    table = Table() if phase == "waiting" else started()
    refusal = run_refused(table, Resume(now=NOW), ErrorCode.INVALID_ACTION)
    assert phase in refusal.message


# --- extend -----------------------------------------------------------------------------


def test_extend_while_running_moves_the_deadline() -> None:
    table = started()
    events = events_of(table.run(Extend(seconds=120, now=NOW)))
    assert events == (
        Extended(
            seq=5,
            at=NOW,
            by="facilitator",
            seconds=120,
            deadline=DEADLINE + 120_000,
            remaining_ms=None,
        ),
    )
    assert table.state.deadline == DEADLINE + 120_000
    assert table.state.remaining_ms is None
    assert table.state.phase is Phase.RUNNING


def test_extend_while_paused_adds_to_the_time_left() -> None:
    table = paused(at=NOW)
    events = events_of(table.run(Extend(seconds=60, now=NOW + 5)))
    assert events == (
        Extended(
            seq=7,
            at=NOW + 5,
            by="facilitator",
            seconds=60,
            deadline=None,
            remaining_ms=DEADLINE - NOW + 60_000,
        ),
    )
    assert table.state.phase is Phase.PAUSED
    assert table.state.deadline is None
    assert table.state.remaining_ms == DEADLINE - NOW + 60_000
    events_of(table.run(Resume(now=NOW + 100)))
    assert table.state.deadline == NOW + 100 + DEADLINE - NOW + 60_000


def test_extend_while_waiting_lengthens_the_round() -> None:
    table = Table()
    events_of(table.run(Join(role="buyer", now=T0)))
    events = events_of(table.run(Extend(seconds=30, now=T0 + 1)))
    assert events == (
        Extended(
            seq=3,
            at=T0 + 1,
            by="facilitator",
            seconds=30,
            deadline=None,
            remaining_ms=630_000,
        ),
    )
    assert table.state.phase is Phase.WAITING
    assert table.state.duration_ms == 630_000
    assert table.state.deadline is None
    events_of(table.run(Extend(seconds=10, now=T0 + 2)))
    assert table.state.duration_ms == 640_000
    join_at = T0 + 50_000
    events = events_of(table.run(Join(role="seller", now=join_at)))
    assert events[-1] == Started(seq=6, at=join_at, by="system", deadline=join_at + 640_000)


@pytest.mark.parametrize("seconds", [0, -1, -60, MAX_EXTEND_SECONDS + 1, 10**9])
@pytest.mark.parametrize("phase", ["waiting", "running", "paused"])
def test_extend_by_a_bad_number_of_seconds_is_invalid(seconds: int, phase: str) -> None:
    table = room_in(phase)
    refusal = run_refused(table, Extend(seconds=seconds, now=NOW), ErrorCode.INVALID_ACTION)
    assert str(seconds) in refusal.message


def test_extend_up_to_the_maximum_is_fine() -> None:
    table = started()
    events_of(table.run(Extend(seconds=MAX_EXTEND_SECONDS, now=NOW)))
    events_of(table.run(Extend(seconds=1, now=NOW)))
    assert table.state.deadline == DEADLINE + (MAX_EXTEND_SECONDS + 1) * 1000


@pytest.mark.parametrize("phase", ["waiting", "running", "paused"])
def test_extend_without_a_deadline_is_invalid(phase: str) -> None:
    scenario = small_scenario(deadline_seconds=0)
    table = Table(scenario) if phase == "waiting" else started(scenario)
    if phase == "paused":
        events_of(table.run(Pause(now=NOW)))
    assert table.state.phase == phase
    refusal = run_refused(table, Extend(seconds=60, now=NOW), ErrorCode.INVALID_ACTION)
    assert "no deadline" in refusal.message


# --- announce and mediate -----------------------------------------------------------------


@pytest.mark.parametrize("phase", ["waiting", "running", "paused"])
def test_announce(phase: str) -> None:
    table = room_in(phase)
    before = snapshot(table.state)
    events = events_of(table.run(Announce(text="Ten minutes left.", now=NOW + 7)))
    assert events == (
        Announcement(seq=before.seq + 1, at=NOW + 7, by="facilitator", text="Ten minutes left."),
    )
    before.seq += 1
    assert table.state == before  # an announcement changes nothing else


@pytest.mark.parametrize("text", ["", " ", "\n\t "])
def test_blank_announcements_and_mediator_messages_are_invalid(text: str) -> None:
    table = started()
    run_refused(table, Announce(text=text, now=NOW), ErrorCode.INVALID_ACTION)
    run_refused(table, Mediate(text=text, now=NOW), ErrorCode.INVALID_ACTION)
    run_refused(table, Mediate(text=text, now=NOW, to="buyer"), ErrorCode.INVALID_ACTION)


@pytest.mark.parametrize("to", [None, "buyer", "seller"])
def test_mediate(to: Role | None) -> None:
    table = started()
    before = snapshot(table.state)
    events = events_of(table.run(Mediate(text="What would make this work?", now=NOW, to=to)))
    assert events == (
        Message(
            seq=5,
            at=NOW,
            by="facilitator",
            text="What would make this work?",
            move=None,
            intent=None,
            to=to,
        ),
    )
    before.seq += 1
    assert table.state == before  # no move id recorded, nothing else changes


def test_mediate_works_while_waiting_and_paused() -> None:
    for table in (Table(), paused()):
        assert kinds(events_of(table.run(Mediate(text="Hi", now=NOW, to="seller")))) == ["message"]


# --- end ------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["waiting", "running", "paused"])
def test_end_closes_the_room(phase: str) -> None:
    table = room_in(phase)
    seq = table.state.seq
    events = events_of(table.run(End(now=NOW + 3)))
    assert events == (Ended(seq=seq + 1, at=NOW + 3, by="facilitator", outcome=Outcome.CLOSED),)
    assert table.state.phase is Phase.ENDED
    assert table.state.outcome is Outcome.CLOSED
    assert table.state.deadline is None
    assert table.state.agreement is None
    for action in (
        End(now=NOW + 4),
        Pause(now=NOW + 4),
        Resume(now=NOW + 4),
        Extend(seconds=60, now=NOW + 4),
        Announce(text="x", now=NOW + 4),
        Mediate(text="x", now=NOW + 4),
    ):
        run_refused(table, action, ErrorCode.ROOM_ENDED)


def test_a_room_ended_while_paused_has_no_time_left() -> None:
    from dealroom.server.referee import room_view

    table = paused()
    events_of(table.run(End(now=NOW + 3)))
    assert table.state.phase is Phase.ENDED
    assert table.state.remaining_ms is None
    assert room_view(table.state).remaining_ms is None
