"""A replay is the referee's fold, one event at a time: every step is the live room."""

from __future__ import annotations

import msgspec
import pytest

from dealroom.protocol import Accept, Intent, Offer, Reject, SendMessage
from dealroom.server.debrief import PROJECTED_KINDS, projected_steps, replay_steps
from dealroom.server.referee import Applied, Join, MoveCommand, Pause, Resume, replay
from tests.support import T0, Table, small_scenario, terms


def _room() -> Table:
    table = Table()
    table.run(Join("buyer", now=T0))
    table.run(Join("seller", now=T0 + 1000))
    table.run(MoveCommand("buyer", Offer(id="b1", terms=terms(120)), now=T0 + 2000))
    table.run(
        MoveCommand(
            "seller", SendMessage(id="q", text="Why?", intent=Intent.QUESTION), now=T0 + 2500
        )
    )
    table.run(Pause(now=T0 + 2600))
    table.run(Resume(now=T0 + 2700))
    rejected = table.state.standing["buyer"].seq
    decision = table.run(MoveCommand("seller", Reject(id="r", offer=rejected), now=T0 + 3000))
    assert isinstance(decision, Applied)
    table.run(MoveCommand("seller", Offer(id="s1", terms=terms(180)), now=T0 + 4000))
    offer = table.state.standing["seller"].seq
    table.run(MoveCommand("buyer", Accept(id="a", offer=offer), now=T0 + 5000))
    return table


def test_every_step_is_the_fold_of_the_log_so_far() -> None:
    table = _room()
    steps = replay_steps(table.log)
    assert [s.seq for s in steps] == [e.seq for e in table.log]
    for n, step in enumerate(steps, start=1):
        state = replay(table.log[:n])
        assert step.phase == state.phase.value
        for role in ("buyer", "seller"):
            standing = state.standing.get(role)
            shown = step.standing[role]
            assert (shown is None) == (standing is None)
            if shown is not None and standing is not None:
                assert (shown.seq, shown.terms) == (standing.seq, standing.terms)


def test_steps_carry_what_the_console_shows() -> None:
    steps = {}
    for step in replay_steps(_room().log):
        steps.setdefault(step.kind, step)  # the first step of each kind
    scenario = small_scenario()
    offer = steps["offer"]
    assert offer.offer_class == "opening" and offer.t == 1000
    assert offer.scores == {
        "buyer": pytest.approx(scenario.score("buyer", terms(120))),
        "seller": pytest.approx(scenario.score("seller", terms(120))),
    }
    assert steps["message"].text == "Why?" and steps["message"].intent == "question"
    assert steps["paused"].phase == "paused"
    assert steps["rejected"].standing["buyer"] is None  # a rejected offer stands no more
    assert steps["agreement"].terms == terms(180)
    assert steps["ended"].outcome == "agreed" and steps["ended"].phase == "ended"
    assert steps["created"].t == -1000  # before the start


def test_a_log_must_start_with_created() -> None:
    with pytest.raises(ValueError, match="created"):
        replay_steps(_room().log[1:])


def test_a_shared_screen_sees_the_moves_and_no_more() -> None:
    """The projector's spotlight: offers, answers and the outcome; no join (names), message,
    pause or facilitator's action; scores only when the reveal lets them show."""
    steps = replay_steps(_room().log)
    hidden = projected_steps(steps, scores=False)
    assert [s.kind for s in hidden] == [
        "started", "offer", "rejected", "offer", "accepted", "agreement", "ended"
    ]  # fmt: skip
    assert {s.kind for s in hidden} <= PROJECTED_KINDS
    assert all(s.text is None and s.intent is None and s.to is None for s in hidden)
    assert all(s.scores is None for s in hidden)
    assert all(t.scores is None for s in hidden for t in s.standing.values() if t is not None)
    offer = hidden[1]
    assert (offer.by, offer.offer_class, offer.terms) == ("buyer", "opening", terms(120))
    assert offer.standing["buyer"] is not None and offer.standing["buyer"].terms == terms(120)
    assert hidden[-1].outcome == "agreed"
    encoded = msgspec.json.encode(hidden)
    assert b"scores" not in encoded and b"Why?" not in encoded

    shown = projected_steps(steps, scores=True)
    assert [s.seq for s in shown] == [s.seq for s in hidden]
    by_seq = {s.seq: s for s in steps}
    for step in shown:  # the same steps as the facilitator's replay, scores and all
        assert step.scores == by_seq[step.seq].scores
        assert step.standing == by_seq[step.seq].standing
