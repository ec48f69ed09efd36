"""Who sees which event, and the room view seats receive."""

from __future__ import annotations

import typing

import msgspec
import pytest

from dealroom.protocol import (
    JSON,
    Actor,
    ApprovalDecided,
    ApprovalRequested,
    Created,
    Event,
    Message,
    OfferClass,
    Outcome,
    Role,
    Standing,
)
from dealroom.server.referee import (
    Announce,
    Approve,
    End,
    Extend,
    Join,
    Leave,
    Mediate,
    Pause,
    Resume,
    Tick,
    audience,
    can_see,
    room_view,
)
from tests.support import T0, Table, small_scenario, terms

from .helpers import DEADLINE, NOW, accept, events_of, message, offer, reject, started, walk_away

VIEWERS: tuple[Actor, ...] = ("buyer", "seller", "facilitator", "observer")
BRIEFS = tuple(side.brief for side in small_scenario().roles.values())


def full_log() -> list[Event]:
    """A log holding every kind of event (two rooms' worth, the second one ending it)."""
    table = Table(small_scenario(deadlock_after=2))
    events_of(table.run(Join(role="buyer", now=T0, name="Ann")))
    events_of(table.run(Extend(seconds=10, now=T0)))
    events_of(table.run(Join(role="seller", now=T0)))
    events_of(table.run(Announce(text="Go.", now=NOW)))
    events_of(table.run(Mediate(text="Psst, buyer.", now=NOW, to="buyer")))
    events_of(table.run(Mediate(text="Psst, seller.", now=NOW, to="seller")))
    events_of(table.run(Mediate(text="Hello both.", now=NOW)))
    events_of(message(table, "buyer", "Hi"))
    events_of(offer(table, "buyer", price=110))
    seller_seq = events_of(offer(table, "seller", price=190))[0].seq  # + deadlock
    events_of(reject(table, "buyer", seller_seq))
    events_of(table.run(Pause(now=NOW)))
    events_of(table.run(Resume(now=NOW)))
    events_of(table.run(Leave(role="seller", now=NOW)))
    seller_seq = events_of(offer(table, "seller", price=180))[0].seq
    events_of(accept(table, "buyer", seller_seq))
    log = list(table.log)
    other = started()
    events_of(walk_away(other, "seller"))
    log += other.log[-2:]
    expired = started()
    events_of(expired.run(Tick(now=DEADLINE)))
    log += expired.log[-1:]
    closed = started()
    events_of(closed.run(End(now=NOW)))
    log += closed.log[-1:]
    limited = started(small_scenario(authority={"buyer": {"price": 160}}))
    request = events_of(offer(limited, "buyer", price=170))[0].seq
    events_of(limited.run(Approve(request=request, approved=True, now=NOW)))
    log += limited.log[-3:]  # approval_requested, approval_decided, offer
    return log


LOG = full_log()


def test_the_log_holds_every_kind_of_event() -> None:
    kinds = {type(e).__struct_config__.tag for e in LOG}
    assert kinds == {t.__struct_config__.tag for t in typing.get_args(Event)}
    assert {e.outcome for e in LOG if hasattr(e, "outcome")} == set(Outcome)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_created_is_for_the_facilitator_only(viewer: Actor) -> None:
    created = LOG[0]
    assert isinstance(created, Created)
    assert audience(created) == "facilitator"
    assert can_see(viewer, audience(created)) is (viewer == "facilitator")


@pytest.mark.parametrize("to", ["buyer", "seller"])
def test_a_private_mediator_message_reaches_its_role_and_the_facilitator(to: Role) -> None:
    private = [e for e in LOG if isinstance(e, Message) and e.to == to]
    assert len(private) == 1
    assert audience(private[0]) == to
    seen_by = {v for v in VIEWERS if can_see(v, audience(private[0]))}
    assert seen_by == {to, "facilitator"}


def test_approval_requests_and_decisions_are_between_a_role_and_the_facilitator() -> None:
    private = [e for e in LOG if isinstance(e, ApprovalRequested | ApprovalDecided)]
    assert len(private) == 2
    for event in private:
        assert audience(event) == "buyer"
        assert {v for v in VIEWERS if can_see(v, audience(event))} == {"buyer", "facilitator"}


def test_everything_else_is_public() -> None:
    public = [
        e
        for e in LOG
        if not isinstance(e, Created | ApprovalRequested | ApprovalDecided)
        and getattr(e, "to", None) is None
    ]
    assert len(public) == len(LOG) - 5
    for event in public:
        assert audience(event) == "all", event
        assert {v for v in VIEWERS if can_see(v, audience(event))} == set(VIEWERS)


def test_can_see_table() -> None:
    expected = {
        ("buyer", "all"): True,
        ("buyer", "buyer"): True,
        ("buyer", "seller"): False,
        ("buyer", "facilitator"): False,
        ("seller", "all"): True,
        ("seller", "buyer"): False,
        ("seller", "seller"): True,
        ("seller", "facilitator"): False,
        ("observer", "all"): True,
        ("observer", "buyer"): False,
        ("observer", "seller"): False,
        ("observer", "facilitator"): False,
        ("system", "all"): True,
        ("system", "facilitator"): False,
    }
    for (viewer, aud), seen in expected.items():
        assert can_see(viewer, aud) is seen, (viewer, aud)  # type: ignore[arg-type]
    for aud in ("all", "buyer", "seller", "facilitator"):
        assert can_see("facilitator", aud) is True  # type: ignore[arg-type]


def test_no_brief_reaches_a_seat_through_events() -> None:
    seats: tuple[Actor, ...] = ("buyer", "seller", "observer")
    for viewer in seats:
        for event in LOG:
            if can_see(viewer, audience(event)):
                encoded = JSON.encode(event).decode()
                assert not any(brief in encoded for brief in BRIEFS)


# --- room_view --------------------------------------------------------------------------


def _states() -> list[Table]:
    waiting = Table()
    events_of(waiting.run(Join(role="seller", now=T0)))
    running = started()
    events_of(offer(running, "seller", price=190))
    events_of(offer(running, "buyer", price=110))
    paused = started()
    events_of(offer(paused, "buyer", price=120))
    events_of(paused.run(Pause(now=NOW)))
    agreed = started()
    seq = events_of(offer(agreed, "seller", price=160))[0].seq
    events_of(accept(agreed, "buyer", seq))
    return [waiting, running, paused, agreed]


@pytest.mark.parametrize("table", _states(), ids=["waiting", "running", "paused", "agreed"])
def test_room_view_never_contains_a_brief(table: Table) -> None:
    view = room_view(table.state)
    encoded = msgspec.json.encode(view).decode()
    for brief in BRIEFS:
        assert brief not in encoded
    assert "SECRET" not in encoded
    assert "reservation" not in encoded and "scoring" not in encoded


@pytest.mark.parametrize("table", _states(), ids=["waiting", "running", "paused", "agreed"])
def test_room_view_mirrors_the_state(table: Table) -> None:
    state = table.state
    view = room_view(state)
    assert view.phase == state.phase.value
    assert view.seq == state.seq
    assert view.deadline == state.deadline
    assert view.remaining_ms == state.remaining_ms
    assert view.turn == state.turn
    assert set(view.joined) == state.joined
    assert view.offers == state.offers
    assert view.deadlocks == state.deadlocks
    assert view.outcome == state.outcome
    assert view.agreement == state.agreement
    waiting = state.phase.value == "waiting"
    assert view.duration_ms == (state.duration_ms if waiting else None)
    assert view.standing == {
        role: Standing(seq=s.seq, terms=s.terms, offer_class=s.offer_class)
        for role, s in state.standing.items()
    }


def test_room_view_of_a_running_room() -> None:
    table = started(small_scenario(turns="alternating", first_mover="seller"))
    events_of(offer(table, "seller", price=190))
    view = room_view(table.state)
    assert view.phase == "running"
    assert view.deadline == DEADLINE
    assert view.remaining_ms is None
    assert view.turn == "buyer"
    assert view.standing == {
        "seller": Standing(seq=5, terms=terms(price=190), offer_class=OfferClass.OPENING)
    }


def test_room_view_tells_a_waiting_room_how_long_it_will_run() -> None:
    table = Table()
    assert room_view(table.state).duration_ms == 600_000
    events_of(table.run(Extend(seconds=60, now=T0)))
    assert room_view(table.state).duration_ms == 660_000
    events_of(table.run(Join(role="buyer", now=T0)))
    events_of(table.run(Join(role="seller", now=T0)))
    view = room_view(table.state)
    assert view.duration_ms is None  # running: the deadline says it
    assert view.deadline == T0 + 660_000
    assert room_view(Table(small_scenario(deadline_seconds=0)).state).duration_ms is None


def test_room_view_lists_joined_roles_in_a_stable_order() -> None:
    table = Table()
    events_of(table.run(Join(role="seller", now=T0)))
    events_of(table.run(Join(role="buyer", now=T0)))
    assert room_view(table.state).joined == ("buyer", "seller")
