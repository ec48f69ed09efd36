"""Authority limits: a move past them waits for the facilitator's sign-off, on the log."""

from __future__ import annotations

from dealroom.protocol import (
    Accept,
    Agreement,
    ApprovalDecided,
    ApprovalRequested,
    Concede,
    ErrorCode,
    Offer,
    Offered,
    beyond_authority,
)
from dealroom.server.referee import Approve, Duplicate, MoveCommand, Phase
from tests.support import Table, small_scenario, terms

from .helpers import NOW, events_of, kinds, offer, run_refused, started

# The buyer may sign up to a price of 160 and may not accept a 1-year warranty alone.
LIMITS: dict[str, dict[str, int | str]] = {"buyer": {"price": 160, "warranty": "2 years"}}


def _room() -> Table:
    return started(small_scenario(authority=LIMITS))


def test_beyond_authority_reads_each_limit_in_the_roles_direction() -> None:
    scenario = small_scenario(authority=LIMITS)
    assert scenario.beyond_authority("buyer", terms(160, "2 years")) == ()
    assert scenario.beyond_authority("buyer", terms(170, "2 years")) == ("price",)
    assert scenario.beyond_authority("buyer", terms(170, "1 year")) == ("price", "warranty")
    assert scenario.beyond_authority("buyer", terms(100, "3 years")) == ()
    assert scenario.beyond_authority("seller", terms(100, "3 years")) == ()
    # An "up" role: a limit of 120 means a price below 120 needs sign-off.
    side = scenario.roles["seller"]
    assert beyond_authority(scenario.issues, {"price": 120}, side.prefers, terms(110)) == ("price",)
    assert beyond_authority(scenario.issues, {"price": 120}, side.prefers, terms(120)) == ()


def test_an_offer_within_authority_is_an_offer() -> None:
    table = _room()
    (event,) = events_of(offer(table, "buyer", price=160))
    assert isinstance(event, Offered)


def test_an_offer_past_authority_is_a_request_and_nothing_else() -> None:
    table = _room()
    events_of(offer(table, "seller", price=190))
    (request,) = events_of(table.run(MoveCommand("buyer", Offer(id="b", terms=terms(170)), NOW)))
    assert isinstance(request, ApprovalRequested)
    assert (request.action, request.issues, request.terms) == ("offer", ("price",), terms(170))
    assert "buyer" not in table.state.standing and table.state.offers == 1
    assert table.state.pending["buyer"].seq == request.seq
    # A retry of the same move is the same request, not a second one.
    retry = table.run(MoveCommand("buyer", Offer(id="b", terms=terms(170)), NOW))
    assert retry == Duplicate(request.seq)


def test_approval_lets_the_offer_land_with_its_own_move_id() -> None:
    table = _room()
    (request,) = events_of(table.run(MoveCommand("buyer", Offer(id="b", terms=terms(170)), NOW)))
    events = events_of(table.run(Approve(request=request.seq, approved=True, now=NOW + 5)))
    assert kinds(events) == ["approval_decided", "offer"]
    decided, landed = events
    assert isinstance(decided, ApprovalDecided) and isinstance(landed, Offered)
    assert (decided.by, decided.role, decided.approved, decided.applied) == (
        "facilitator",
        "buyer",
        True,
        True,
    )
    assert (landed.by, landed.move, landed.terms) == ("buyer", "b", terms(170))
    assert table.state.standing["buyer"].seq == landed.seq and not table.state.pending
    # The move id now points at the offer: a retry is acknowledged with its seq.
    assert table.run(MoveCommand("buyer", Offer(id="b", terms=terms(170)), NOW)) == Duplicate(
        landed.seq
    )


def test_closing_past_authority_needs_sign_off_and_the_log_records_both() -> None:
    table = _room()
    seller_offer = events_of(offer(table, "seller", price=180))[0].seq
    (request,) = events_of(
        table.run(MoveCommand("buyer", Accept(id="yes", offer=seller_offer), NOW))
    )
    assert isinstance(request, ApprovalRequested)
    assert (request.action, request.offer) == ("accept", seller_offer)
    assert table.state.phase is Phase.RUNNING and table.state.agreement is None
    events = events_of(table.run(Approve(request=request.seq, approved=True, now=NOW)))
    assert kinds(events) == ["approval_decided", "accepted", "agreement", "ended"]
    assert isinstance(events[2], Agreement) and events[2].terms == terms(180)
    assert table.state.outcome == "agreed"


def test_a_declined_request_changes_nothing_but_the_log() -> None:
    table = _room()
    seller_offer = events_of(offer(table, "seller", price=180))[0].seq
    request = events_of(table.run(MoveCommand("buyer", Accept(id="y", offer=seller_offer), NOW)))
    events = events_of(table.run(Approve(request=request[0].seq, approved=False, now=NOW)))
    assert kinds(events) == ["approval_decided"]
    assert isinstance(events[0], ApprovalDecided) and not events[0].approved
    assert table.state.phase is Phase.RUNNING and not table.state.pending
    again = Approve(request=request[0].seq, approved=True, now=NOW)
    run_refused(table, again, ErrorCode.NO_PENDING_APPROVAL)


def test_approval_of_a_move_that_no_longer_fits_is_recorded_but_lands_nothing() -> None:
    table = _room()
    first = events_of(offer(table, "seller", price=180))[0].seq
    request = events_of(table.run(MoveCommand("buyer", Accept(id="y", offer=first), NOW)))
    events_of(offer(table, "seller", price=190))  # the offer the buyer asked to accept is gone
    events = events_of(table.run(Approve(request=request[0].seq, approved=True, now=NOW)))
    assert kinds(events) == ["approval_decided"]
    decided = events[0]
    assert isinstance(decided, ApprovalDecided)
    assert decided.approved and not decided.applied and "standing offer" in decided.reason
    assert table.state.phase is Phase.RUNNING


def test_a_newer_move_replaces_the_pending_request() -> None:
    table = _room()
    old = events_of(table.run(MoveCommand("buyer", Offer(id="a", terms=terms(170)), NOW)))
    events_of(table.run(MoveCommand("buyer", Offer(id="b", terms=terms(150)), NOW)))
    assert not table.state.pending
    run_refused(
        table, Approve(request=old[0].seq, approved=True, now=NOW), ErrorCode.NO_PENDING_APPROVAL
    )
    newer = events_of(table.run(MoveCommand("buyer", Offer(id="c", terms=terms(180)), NOW)))
    newest = events_of(table.run(MoveCommand("buyer", Offer(id="d", terms=terms(190)), NOW)))
    assert table.state.pending["buyer"].seq == newest[0].seq
    run_refused(table, Approve(newer[0].seq, approved=True, now=NOW), ErrorCode.NO_PENDING_APPROVAL)


def test_a_concession_past_authority_is_still_checked_as_a_concession_first() -> None:
    table = _room()
    events_of(offer(table, "buyer", price=150))
    refused = run_refused(
        table,
        MoveCommand("buyer", Concede(id="c", terms=terms(140)), NOW),
        ErrorCode.NOT_A_CONCESSION,
    )
    assert "hardening" in refused.message
    (request,) = events_of(table.run(MoveCommand("buyer", Concede(id="c2", terms=terms(170)), NOW)))
    assert isinstance(request, ApprovalRequested) and request.action == "concede"
    events = events_of(table.run(Approve(request=request.seq, approved=True, now=NOW)))
    assert isinstance(events[1], Offered) and events[1].concede
