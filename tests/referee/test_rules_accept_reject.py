"""Accept, reject, walk away, messages, and idempotent move ids."""

from __future__ import annotations

import pytest

from dealroom.protocol import (
    Accept,
    Accepted,
    Agreement,
    Ended,
    ErrorCode,
    Intent,
    Message,
    Offer,
    Outcome,
    Reject,
    Rejected,
    Role,
    WalkedAway,
)
from dealroom.server.referee import (
    Duplicate,
    End,
    Join,
    MoveCommand,
    Pause,
    Phase,
    Tick,
    counterpart,
    decide,
)
from tests.support import Table, terms

from .helpers import (
    DEADLINE,
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
    walk_away,
)

ROLES: tuple[Role, Role] = ("buyer", "seller")


def test_counterpart() -> None:
    assert counterpart("buyer") == "seller"
    assert counterpart("seller") == "buyer"


# --- accept --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_accept_without_a_standing_offer_is_refused(role: Role) -> None:
    table = started()
    refusal = run_refused(
        table,
        MoveCommand(role=role, move=Accept(id="a", offer=5), now=NOW),
        ErrorCode.NO_STANDING_OFFER,
    )
    assert counterpart(role) in refusal.message


def test_accepting_ones_own_offer_when_the_counterpart_has_none_is_refused() -> None:
    table = started()
    own = events_of(offer(table, "buyer"))[0].seq
    run_refused(
        table,
        MoveCommand(role="buyer", move=Accept(id="a", offer=own), now=NOW),
        ErrorCode.NO_STANDING_OFFER,
    )


def test_accepting_an_older_offer_is_stale() -> None:
    table = started()
    old = events_of(offer(table, "seller", price=200))[0].seq
    new = events_of(offer(table, "seller", price=190))[0].seq
    refusal = run_refused(
        table,
        MoveCommand(role="buyer", move=Accept(id="a", offer=old), now=NOW),
        ErrorCode.STALE_OFFER,
    )
    assert str(old) in refusal.message and str(new) in refusal.message


def test_accepting_ones_own_offer_is_stale() -> None:
    table = started()
    events_of(offer(table, "seller", price=190))
    own = events_of(offer(table, "buyer", price=110))[0].seq
    run_refused(
        table,
        MoveCommand(role="buyer", move=Accept(id="a", offer=own), now=NOW),
        ErrorCode.STALE_OFFER,
    )


@pytest.mark.parametrize("seq", [1, 2, 4, 99])
def test_accepting_a_seq_that_is_no_offer_is_stale(seq: int) -> None:
    table = started()
    assert events_of(offer(table, "seller", price=190))[0].seq == 5
    run_refused(
        table,
        MoveCommand(role="buyer", move=Accept(id="a", offer=seq), now=NOW),
        ErrorCode.STALE_OFFER,
    )


@pytest.mark.parametrize("acceptor", ROLES)
def test_accept_makes_an_agreement_and_ends_the_room(acceptor: Role) -> None:
    proposer = counterpart(acceptor)
    table = started()
    events_of(offer(table, acceptor, price=150, warranty="3 years"))  # its own, ignored
    deal = terms(price=170, warranty="1 year", delivery=9)
    offer_seq = offered(offer(table, proposer, price=170, warranty="1 year", delivery=9)).seq
    events = events_of(accept(table, acceptor, offer_seq, move_id="yes"))
    s = offer_seq + 1
    assert events == (
        Accepted(seq=s, at=NOW, by=acceptor, move="yes", offer=offer_seq),
        Agreement(
            seq=s + 1,
            at=NOW,
            by="system",
            offer=offer_seq,
            terms=deal,
            proposer=proposer,
            acceptor=acceptor,
        ),
        Ended(seq=s + 2, at=NOW, by="system", outcome=Outcome.AGREED),
    )
    agreement = events[1]
    assert isinstance(agreement, Agreement)
    assert set(agreement.terms) == {"price", "warranty", "delivery"}
    state = table.state
    assert state.phase is Phase.ENDED
    assert state.outcome is Outcome.AGREED
    assert state.agreement == deal
    assert state.deadline is None
    assert state.moves[acceptor]["yes"] == s
    assert state.seq == s + 2


def test_accept_after_a_rejection_has_nothing_to_accept() -> None:
    table = started()
    seq = events_of(offer(table, "seller", price=190))[0].seq
    events_of(reject(table, "buyer", seq))
    run_refused(
        table,
        MoveCommand(role="buyer", move=Accept(id="late", offer=seq), now=NOW),
        ErrorCode.NO_STANDING_OFFER,
    )


# --- reject --------------------------------------------------------------------------


def test_reject_clears_the_counterparts_standing_offer_only() -> None:
    table = started()
    seller_seq = events_of(offer(table, "seller", price=190))[0].seq
    buyer_seq = events_of(offer(table, "buyer", price=110))[0].seq
    events = events_of(reject(table, "buyer", seller_seq, reason="Too high", move_id="no"))
    assert events == (
        Rejected(
            seq=buyer_seq + 1, at=NOW, by="buyer", move="no", offer=seller_seq, reason="Too high"
        ),
    )
    assert set(table.state.standing) == {"buyer"}
    assert table.state.standing["buyer"].seq == buyer_seq
    assert table.state.moves["buyer"]["no"] == buyer_seq + 1
    assert table.state.phase is Phase.RUNNING
    # The seller can still accept the buyer's offer.
    assert kinds(events_of(accept(table, "seller", buyer_seq))) == [
        "accepted",
        "agreement",
        "ended",
    ]


def test_reject_needs_the_standing_offer() -> None:
    table = started()
    run_refused(
        table,
        MoveCommand(role="seller", move=Reject(id="r0", offer=5), now=NOW),
        ErrorCode.NO_STANDING_OFFER,
    )
    old = events_of(offer(table, "buyer", price=100))[0].seq
    new = events_of(offer(table, "buyer", price=110))[0].seq
    run_refused(
        table,
        MoveCommand(role="seller", move=Reject(id="r1", offer=old), now=NOW),
        ErrorCode.STALE_OFFER,
    )
    events_of(reject(table, "seller", new))
    run_refused(
        table,
        MoveCommand(role="seller", move=Reject(id="r2", offer=new), now=NOW),
        ErrorCode.NO_STANDING_OFFER,
    )


# --- walk away -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_walk_away_ends_the_room(role: Role) -> None:
    table = started()
    events_of(offer(table, counterpart(role)))
    events = events_of(walk_away(table, role, reason="Our alternative is better", move_id="w"))
    assert events == (
        WalkedAway(seq=6, at=NOW, by=role, move="w", reason="Our alternative is better"),
        Ended(seq=7, at=NOW, by="system", outcome=Outcome.WALKED_AWAY),
    )
    assert table.state.phase is Phase.ENDED
    assert table.state.outcome is Outcome.WALKED_AWAY
    assert table.state.agreement is None
    assert table.state.moves[role]["w"] == 6


def test_walk_away_needs_no_offer() -> None:
    table = started()
    assert kinds(events_of(walk_away(table, "buyer"))) == ["walked_away", "ended"]


# --- messages ------------------------------------------------------------------------


@pytest.mark.parametrize("intent", [None, *Intent])
@pytest.mark.parametrize("role", ROLES)
def test_messages_carry_their_intent(role: Role, intent: Intent | None) -> None:
    table = started()
    before = (
        dict(table.state.standing),
        table.state.offers,
        table.state.since_concession,
        table.state.phase,
    )
    events = events_of(
        message(table, role, "What matters most to you?", intent=intent, move_id="q")
    )
    assert events == (
        Message(seq=5, at=NOW, by=role, text="What matters most to you?", move="q", intent=intent),
    )
    assert isinstance(events[0], Message) and events[0].to is None
    after = (
        dict(table.state.standing),
        table.state.offers,
        table.state.since_concession,
        table.state.phase,
    )
    assert after == before
    assert table.state.moves[role]["q"] == 5


def test_messages_are_allowed_before_the_room_starts() -> None:
    table = Table()
    events_of(table.run(Join(role="buyer", now=NOW)))
    assert kinds(events_of(message(table, "buyer", "Anyone there?"))) == ["message"]
    assert table.state.phase is Phase.WAITING


# --- idempotency: a retried move id ----------------------------------------------------


def test_a_retried_offer_is_a_duplicate_even_with_other_terms() -> None:
    table = started()
    seq = events_of(offer(table, "buyer", move_id="o", price=110))[0].seq
    before = len(table.log)
    assert offer(table, "buyer", move_id="o", price=110) == Duplicate(seq)
    assert offer(table, "buyer", move_id="o", price=190) == Duplicate(seq)
    assert offer(table, "buyer", move_id="o", concede=True, price=120) == Duplicate(seq)
    assert len(table.log) == before
    assert table.state.standing["buyer"].terms == terms(price=110)


def test_a_retried_id_is_a_duplicate_whatever_its_kind() -> None:
    table = started()
    seq = events_of(message(table, "seller", "hi", move_id="m"))[0].seq
    assert walk_away(table, "seller", move_id="m") == Duplicate(seq)
    assert table.state.phase is Phase.RUNNING


@pytest.mark.parametrize("how", ["accept", "walk_away", "end", "expire"])
def test_retries_are_duplicates_after_the_room_ended(how: str) -> None:
    table = started()
    offer_seq = offered(offer(table, "seller", move_id="o", price=190)).seq
    buyer_seq = offered(offer(table, "buyer", move_id="b", price=110)).seq
    reject_seq = events_of(reject(table, "seller", buyer_seq, move_id="r"))[0].seq
    msg_seq = events_of(message(table, "buyer", "ok", move_id="m"))[0].seq
    final: dict[tuple[Role, str], int] = {}
    if how == "accept":
        events = events_of(accept(table, "buyer", offer_seq, move_id="a"))
        final[("buyer", "a")] = events[0].seq
    elif how == "walk_away":
        events = events_of(walk_away(table, "buyer", move_id="a"))
        final[("buyer", "a")] = events[0].seq
    elif how == "end":
        events_of(table.run(End(now=NOW)))
    else:
        events_of(table.run(Tick(now=DEADLINE)))
    assert table.state.phase is Phase.ENDED
    expected = {
        ("seller", "o"): offer_seq,
        ("buyer", "b"): buyer_seq,
        ("seller", "r"): reject_seq,
        ("buyer", "m"): msg_seq,
        **final,
    }
    for (role, move_id), seq in expected.items():
        # Any kind of move with that id: still the original seq, even past the deadline.
        command = MoveCommand(role=role, move=Accept(id=move_id, offer=1), now=DEADLINE + 5)
        assert decide(table.state, command) == Duplicate(seq)


def test_a_retry_while_paused_is_still_acknowledged() -> None:
    table = started()
    seq = events_of(offer(table, "buyer", move_id="o"))[0].seq
    events_of(table.run(Pause(now=NOW)))
    assert offer(table, "buyer", move_id="o") == Duplicate(seq)


def test_the_same_id_from_the_other_role_is_another_move() -> None:
    table = started()
    buyer = events_of(offer(table, "buyer", move_id="same", price=110))[0].seq
    seller_events = events_of(offer(table, "seller", move_id="same", price=190))
    assert seller_events[0].seq == buyer + 1
    assert table.state.moves == {"buyer": {"same": buyer}, "seller": {"same": buyer + 1}}
    assert offer(table, "seller", move_id="same") == Duplicate(buyer + 1)
    assert offer(table, "buyer", move_id="same") == Duplicate(buyer)


def test_a_refused_move_id_is_not_remembered() -> None:
    table = started()
    run_refused(
        table,
        MoveCommand(role="buyer", move=Accept(id="a", offer=5), now=NOW),
        ErrorCode.NO_STANDING_OFFER,
    )
    assert ("buyer", "a") not in table.state.moves
    seq = events_of(offer(table, "seller", price=190))[0].seq
    assert seq == 5
    # The retry of the refused id is judged afresh, and now applies.
    assert kinds(events_of(accept(table, "buyer", 5, move_id="a"))) == [
        "accepted",
        "agreement",
        "ended",
    ]


def test_the_duplicate_check_comes_before_the_deadline() -> None:
    table = started()
    seq = events_of(offer(table, "buyer", move_id="o"))[0].seq
    assert offer(table, "buyer", DEADLINE, move_id="o") == Duplicate(seq)
    run_refused(
        table,
        MoveCommand(role="buyer", move=Offer(id="o2", terms=terms()), now=DEADLINE),
        ErrorCode.ROOM_ENDED,
    )
