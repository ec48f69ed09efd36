"""A worked example room, for the docs' examples and for trying the analytics by hand.

The scenario is a three-issue deal (price, warranty, delivery). The buyer
opens low, asks questions, and concedes in growing steps; the seller holds
and accepts the buyer's fourth offer. Worked out by hand in
tests/debrief/test_analysis.py: the buyer scores 52.5, the seller 50.0.

>>> from dealroom.server.debrief import analyse_room
>>> analysis = analyse_room(example_log())
>>> analysis.outcome, analysis.buyer.score, analysis.seller.score, analysis.joint
('agreed', 52.5, 50.0, 102.5)
"""

from __future__ import annotations

from dealroom.protocol import (
    Accept,
    Created,
    Event,
    Intent,
    Issue,
    IssueScoring,
    Move,
    Offer,
    Role,
    RoleSide,
    Scenario,
    SendMessage,
    Terms,
)

from ..referee import Applied, Command, Join, MoveCommand, decide, fold, initial_state

__all__ = ["EXAMPLE_START", "example_log", "example_scenario"]

EXAMPLE_START = 1_800_000_000_000
"""Epoch ms of the example room's creation."""


def example_scenario() -> Scenario:
    """The example's three-issue deal.

    >>> [issue.id for issue in example_scenario().issues]
    ['price', 'warranty', 'delivery']
    """
    buyer = RoleSide(
        title="Buyer",
        brief="You buy.",
        prefers={"price": "down", "warranty": "up", "delivery": "down"},
        scoring={
            "price": IssueScoring(weight=50),
            "warranty": IssueScoring(points={"1 year": 0, "2 years": 10, "3 years": 15}),
            "delivery": IssueScoring(weight=35),
        },
        reservation_value=30,
    )
    seller = RoleSide(
        title="Seller",
        brief="You sell.",
        prefers={"price": "up", "warranty": "down", "delivery": "up"},
        scoring={
            "price": IssueScoring(weight=60),
            "warranty": IssueScoring(weight=30),
            "delivery": IssueScoring(weight=10),
        },
        reservation_value=25,
    )
    return Scenario(
        id="example",
        title="Example deal",
        issues=(
            Issue(id="price", label="Price", kind="money", unit="EUR", min=100, max=200, step=10),
            Issue(
                id="warranty",
                label="Warranty",
                kind="options",
                options=("1 year", "2 years", "3 years"),
            ),
            Issue(id="delivery", label="Delivery", kind="integer", unit="weeks", min=2, max=12),
        ),
        roles={"buyer": buyer, "seller": seller},
    )


def _terms(price: int, warranty: str, delivery: int) -> Terms:
    return {"price": price, "warranty": warranty, "delivery": delivery}


def example_log() -> list[Event]:
    """The example room's full log, as the referee wrote it.

    >>> [type(e).__name__ for e in example_log()][-3:]
    ['Accepted', 'Agreement', 'Ended']
    """
    created = Created(
        seq=1, at=EXAMPLE_START, by="facilitator", room="example", scenario=example_scenario()
    )
    state = initial_state(created)
    log: list[Event] = [created]

    def run(command: Command) -> None:
        decision = decide(state, command)
        assert isinstance(decision, Applied), decision
        for event in decision.events:
            fold(state, event)
            log.append(event)

    run(Join("buyer", now=EXAMPLE_START))
    run(Join("seller", now=EXAMPLE_START + 1000))
    moves: list[tuple[Role, Move]] = [
        ("buyer", Offer(id="b1", terms=_terms(100, "3 years", 2))),
        ("seller", Offer(id="s1", terms=_terms(200, "1 year", 12))),
        ("buyer", SendMessage(id="q1", text="What drives the price?", intent=Intent.QUESTION)),
        ("buyer", Offer(id="b2", terms=_terms(110, "3 years", 2))),
        ("seller", SendMessage(id="o1", text="Too low.", intent=Intent.OBJECTION)),
        ("seller", Offer(id="s2", terms=_terms(190, "1 year", 12))),
        ("buyer", Offer(id="b3", terms=_terms(130, "3 years", 2))),
        ("buyer", SendMessage(id="q2", text="And delivery?", intent=Intent.QUESTION)),
        ("buyer", Offer(id="b4", terms=_terms(150, "2 years", 7))),
    ]
    for n, (role, move) in enumerate(moves, start=2):
        run(MoveCommand(role, move, now=EXAMPLE_START + n * 1000))
    final = state.standing["buyer"].seq
    run(MoveCommand("seller", Accept(id="deal", offer=final), now=EXAMPLE_START + 60_000))
    return log
