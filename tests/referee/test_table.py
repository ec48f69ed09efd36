"""The phase table: every (phase, command) verdict, seats joining and leaving."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealroom.protocol import (
    Accept,
    Concede,
    Ended,
    ErrorCode,
    Joined,
    Left,
    Offer,
    Outcome,
    Reject,
    SendMessage,
    Started,
    WalkAway,
)
from dealroom.protocol import Move as MoveFrame
from dealroom.server.referee import (
    PHASE_TABLE,
    Announce,
    Applied,
    Approve,
    Command,
    End,
    Extend,
    Join,
    Leave,
    Mediate,
    MoveCommand,
    Pause,
    Phase,
    Resume,
    Start,
    Tick,
    decide,
)
from dealroom.server.referee.rules import command_name
from dealroom.server.referee.table import ALLOW, COMMAND_NAMES, IGNORE
from tests.support import Table, small_scenario, terms

from .helpers import (
    DEADLINE,
    NOW,
    T0,
    accept,
    events_of,
    kinds,
    offer,
    run_refused,
    snapshot,
    started,
    walk_away,
)

_E = ErrorCode
MOVES = ("offer", "concede", "accept", "reject", "walk_away")
ACTIONS = ("start", "pause", "resume", "extend", "announce", "mediate", "end", "approve")

# The table as DESIGN.md and the protocol spec describe it, written out by hand
# so that a change to PHASE_TABLE has to change this spec too.
SPEC: dict[Phase, dict[str, str]] = {
    Phase.WAITING: {
        **dict.fromkeys(MOVES, _E.NOT_STARTED),
        "message": ALLOW,
        "join": ALLOW,
        "leave": ALLOW,
        "start": ALLOW,
        "pause": _E.NOT_STARTED,
        "resume": _E.INVALID_ACTION,
        "extend": ALLOW,
        "announce": ALLOW,
        "mediate": ALLOW,
        "end": ALLOW,
        "approve": _E.NOT_STARTED,
        "tick": IGNORE,
    },
    Phase.RUNNING: {
        **dict.fromkeys((*MOVES, "message", "join", "leave"), ALLOW),
        "start": _E.INVALID_ACTION,
        "pause": ALLOW,
        "resume": _E.INVALID_ACTION,
        "extend": ALLOW,
        "announce": ALLOW,
        "mediate": ALLOW,
        "end": ALLOW,
        "approve": ALLOW,
        "tick": ALLOW,
    },
    Phase.PAUSED: {
        **dict.fromkeys((*MOVES, "message"), _E.ROOM_PAUSED),
        "join": ALLOW,
        "leave": ALLOW,
        "start": _E.INVALID_ACTION,
        "pause": _E.INVALID_ACTION,
        "resume": ALLOW,
        "extend": ALLOW,
        "announce": ALLOW,
        "mediate": ALLOW,
        "end": ALLOW,
        "approve": _E.ROOM_PAUSED,
        "tick": IGNORE,
    },
    Phase.ENDED: {
        **dict.fromkeys((*MOVES, "message", *ACTIONS), _E.ROOM_ENDED),
        "join": IGNORE,
        "leave": IGNORE,
        "tick": IGNORE,
    },
}

BUYER_OPENING_SEQ = 5  # created, joined, joined+started => the first offer is seq 5
SELLER_OPENING_SEQ = 6
PENDING_REQUEST_SEQ = 7
# The seller may not promise delivery sooner than week 3 without sign-off.
SCENARIO = small_scenario(authority={"seller": {"delivery": 3}})


def room_in(phase: Phase, held: bool = False) -> Table:
    """A room in ``phase``; once running, the buyer offered 110 and the seller 190, and
    the seller's offer of delivery in week 2 waits for sign-off.

    ``held``: a room of a round; waiting, both its seats are in (it waits for the start).
    """
    if phase is Phase.WAITING:
        table = Table(SCENARIO, held=held)
        events_of(table.run(Join(role="buyer", now=T0)))
        if held:
            events_of(table.run(Join(role="seller", now=T0)))
        return table
    table = started(SCENARIO, held=held)
    assert events_of(offer(table, "buyer", price=110))[0].seq == BUYER_OPENING_SEQ
    assert events_of(offer(table, "seller", price=190))[0].seq == SELLER_OPENING_SEQ
    beyond = table.run(
        MoveCommand("seller", Offer(id="t-fast", terms=terms(price=190, delivery=2)), now=NOW)
    )
    assert events_of(beyond)[0].seq == PENDING_REQUEST_SEQ
    if phase is Phase.PAUSED:
        events_of(table.run(Pause(now=NOW)))
    elif phase is Phase.ENDED:
        events_of(table.run(End(now=NOW)))
    assert table.state.phase is phase
    return table


def command_for(name: str, phase: Phase) -> Command:
    """A command named ``name`` whose content is fine in a :func:`room_in` room."""
    now = NOW + 1_000
    buyer_moves: dict[str, MoveFrame] = {
        "offer": Offer(id="t-offer", terms=terms(price=120)),
        "concede": Concede(id="t-concede", terms=terms(price=120)),
        "accept": Accept(id="t-accept", offer=SELLER_OPENING_SEQ),
        "reject": Reject(id="t-reject", offer=SELLER_OPENING_SEQ),
        "walk_away": WalkAway(id="t-walk"),
        "message": SendMessage(id="t-message", text="Can you move on delivery?"),
    }
    if name in buyer_moves:
        return MoveCommand(role="buyer", move=buyer_moves[name], now=now)
    others: dict[str, Command] = {
        # In a waiting room the buyer is in; the seller's join starts the room.
        "join": Join(role="seller" if phase is Phase.WAITING else "buyer", now=now),
        "leave": Leave(role="buyer", now=now),
        # In a held room (see test_decide_follows_the_table) with both seats in.
        "start": Start(deadline=now + 300_000, now=now),
        "pause": Pause(now=now),
        "resume": Resume(now=now),
        "extend": Extend(seconds=60, now=now),
        "announce": Announce(text="Five minutes left.", now=now),
        "mediate": Mediate(text="Try trading delivery for price.", now=now),
        "end": End(now=now),
        "approve": Approve(request=PENDING_REQUEST_SEQ, approved=True, now=now),
        # At the deadline, so that an allowed tick records something.
        "tick": Tick(now=DEADLINE),
    }
    return others[name]


def test_the_table_is_the_spec() -> None:
    assert PHASE_TABLE == SPEC


@pytest.mark.parametrize("phase", list(Phase))
def test_every_phase_has_a_verdict_for_every_command(phase: Phase) -> None:
    assert set(PHASE_TABLE[phase]) == set(COMMAND_NAMES)
    assert len(COMMAND_NAMES) == len(set(COMMAND_NAMES)) == 17


def test_the_ended_row_holds_only_refusals_and_ignore() -> None:
    verdicts = set(PHASE_TABLE[Phase.ENDED].values())
    assert verdicts == {IGNORE, _E.ROOM_ENDED}


@pytest.mark.parametrize(("phase", "name"), [(p, n) for p in Phase for n in COMMAND_NAMES], ids=str)
def test_decide_follows_the_table(phase: Phase, name: str) -> None:
    table = room_in(phase, held=name == "start")
    command = command_for(name, phase)
    assert command_name(command) == name
    verdict = SPEC[phase][name]
    before = snapshot(table.state)
    if verdict == IGNORE:
        assert table.run(command) == Applied(())
        assert table.state == before
    elif verdict == ALLOW:
        events = events_of(table.run(command))
        assert events, "an allowed command of this test records something"
        assert [e.seq for e in events] == list(range(before.seq + 1, before.seq + 1 + len(events)))
        assert all(e.at == command.now for e in events)
    else:
        refusal = run_refused(table, command, ErrorCode(verdict))
        assert name in refusal.message


def test_command_names_cover_every_command_type() -> None:
    seen = {command_name(command_for(name, Phase.RUNNING)) for name in COMMAND_NAMES}
    assert seen == set(COMMAND_NAMES)


# --- nothing happens after the end -----------------------------------------


def _ended(outcome: Outcome, held: bool = False) -> Table:
    table = room_in(Phase.RUNNING, held=held)
    if outcome is Outcome.AGREED:
        events_of(accept(table, "buyer", SELLER_OPENING_SEQ))
    elif outcome is Outcome.WALKED_AWAY:
        events_of(walk_away(table, "seller"))
    elif outcome is Outcome.EXPIRED:
        events_of(table.run(Tick(now=DEADLINE)))
    else:
        events_of(table.run(End(now=NOW)))
    assert table.state.phase is Phase.ENDED
    assert table.state.outcome is outcome
    return table


@pytest.mark.parametrize("outcome", list(Outcome))
@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_nothing_happens_after_the_end(outcome: Outcome, name: str) -> None:
    table = _ended(outcome, held=name == "start")
    command = command_for(name, Phase.ENDED)
    if name in ("join", "leave", "tick"):
        before = snapshot(table.state)
        assert table.run(command) == Applied(())
        assert table.state == before
    else:
        run_refused(table, command, ErrorCode.ROOM_ENDED)


@pytest.mark.parametrize("role", ["buyer", "seller"])
def test_both_seats_joining_in_ended_records_nothing(role: str) -> None:
    table = _ended(Outcome.CLOSED)
    n = len(table.log)
    assert table.run(Join(role=role, now=NOW)) == Applied(())  # type: ignore[arg-type]
    assert table.run(Leave(role=role, now=NOW)) == Applied(())  # type: ignore[arg-type]
    assert len(table.log) == n


# --- joining, starting, leaving ---------------------------------------------


def test_first_join_records_joined_and_waits() -> None:
    table = Table()
    events = events_of(table.run(Join(role="seller", now=T0 + 5, name="Sam", lang="ms")))
    assert events == (Joined(seq=2, at=T0 + 5, by="seller", name="Sam", lang="ms"),)
    assert table.state.phase is Phase.WAITING
    assert table.state.joined == {"seller"}
    assert table.state.present == {"seller"}
    assert table.state.deadline is None


@pytest.mark.parametrize("first", ["buyer", "seller"])
def test_second_seat_starts_the_room_with_its_deadline(first: str) -> None:
    table = Table()
    second = "seller" if first == "buyer" else "buyer"
    events_of(table.run(Join(role=first, now=T0)))  # type: ignore[arg-type]
    now = T0 + 42_000
    events = events_of(table.run(Join(role=second, now=now, name="Bo")))  # type: ignore[arg-type]
    assert events == (
        Joined(seq=3, at=now, by=second, name="Bo"),  # type: ignore[arg-type]
        Started(seq=4, at=now, by="system", deadline=now + 600 * 1000),
    )
    assert table.state.phase is Phase.RUNNING
    assert table.state.deadline == now + 600_000
    assert table.state.joined == table.state.present == {"buyer", "seller"}


def test_a_scenario_without_deadline_starts_without_one() -> None:
    table = started(small_scenario(deadline_seconds=0))
    started_event = table.log[-1]
    assert isinstance(started_event, Started)
    assert started_event.deadline is None
    assert table.state.phase is Phase.RUNNING
    assert table.state.deadline is None
    assert table.state.duration_ms is None


def test_one_seat_joining_twice_does_not_start_the_room() -> None:
    table = Table()
    events_of(table.run(Join(role="buyer", now=T0)))
    events = events_of(table.run(Join(role="buyer", now=T0 + 1)))
    assert kinds(events) == ["joined"]
    assert table.state.phase is Phase.WAITING


def test_a_seat_that_left_while_waiting_still_counts_as_joined() -> None:
    table = Table()
    events_of(table.run(Join(role="buyer", now=T0)))
    assert events_of(table.run(Leave(role="buyer", now=T0 + 1))) == (
        Left(seq=3, at=T0 + 1, by="buyer"),
    )
    assert table.state.present == set()
    assert table.state.joined == {"buyer"}
    events = events_of(table.run(Join(role="seller", now=T0 + 2)))
    assert kinds(events) == ["joined", "started"]


def test_rejoining_a_running_room_does_not_start_it_again() -> None:
    table = started()
    events_of(table.run(Leave(role="seller", now=NOW)))
    assert table.state.present == {"buyer"}
    events = events_of(table.run(Join(role="seller", now=NOW + 1)))
    assert kinds(events) == ["joined"]
    assert table.state.present == {"buyer", "seller"}
    assert table.state.deadline == DEADLINE
    assert [type(e) for e in table.log].count(Started) == 1


def test_join_and_leave_while_paused_are_recorded() -> None:
    table = room_in(Phase.PAUSED)
    assert kinds(events_of(table.run(Leave(role="buyer", now=NOW)))) == ["left"]
    assert kinds(events_of(table.run(Join(role="buyer", now=NOW)))) == ["joined"]
    assert table.state.phase is Phase.PAUSED


def test_decide_on_a_waiting_room_refuses_moves_until_started() -> None:
    table = Table()
    events_of(table.run(Join(role="buyer", now=T0)))
    refusal = run_refused(
        table,
        MoveCommand(role="buyer", move=Offer(id="early", terms=terms()), now=T0),
        ErrorCode.NOT_STARTED,
    )
    assert "both seats" in refusal.message
    # The refused id was not recorded: once started, the same id is a new move.
    events_of(table.run(Join(role="seller", now=T0)))
    decision = decide(
        table.state, MoveCommand(role="buyer", move=Offer(id="early", terms=terms()), now=T0)
    )
    assert kinds(events_of(decision)) == ["offer"]


def test_ended_event_is_last_and_final() -> None:
    table = _ended(Outcome.CLOSED)
    assert isinstance(table.log[-1], Ended)
    assert table.log[-1].by == "facilitator"
    assert table.state.deadline is None


def test_the_spec_prints_this_table() -> None:
    """protocol/README.md section 5 shows every row of PHASE_TABLE as it is."""
    spec = (Path(__file__).parents[2] / "protocol" / "README.md").read_text()

    def shown(verdict: str) -> str:
        return verdict if verdict in (ALLOW, IGNORE) else f"error `{verdict}`"

    for name in COMMAND_NAMES:
        cells = " | ".join(shown(PHASE_TABLE[phase][name]) for phase in Phase)
        assert f"| `{name}` | {cells} |" in spec, name
