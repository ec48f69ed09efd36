"""A room's replay: one step per event of its log, with the room as it stood after it.

The log is the room (DESIGN.md principle 2), so a replay is the referee's own
fold run one event at a time: step *n* shows event *n* and the state that the
first *n* events establish (phase, both standing offers), plus both private
scores of every package on the table. Pure.

A shared screen (the projector's spotlight) gets :func:`projected_steps`: the
same replay without what only the facilitator may see.

Example::

    steps = replay_steps(events)        # events: a room's full log, seq 1 first
    steps[-1].phase, steps[-1].standing["buyer"]
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from dealroom.protocol import (
    Agreement,
    Created,
    Ended,
    Event,
    Message,
    Offered,
    Role,
    Scenario,
    Started,
    Terms,
)

from ..referee import fold, initial_state

__all__ = ["PROJECTED_KINDS", "Step", "Tabled", "projected_steps", "replay_steps"]

PROJECTED_KINDS = frozenset(
    ("started", "offer", "accepted", "rejected", "deadlock", "walked_away", "agreement", "ended")
)
"""The events a shared screen's replay shows: the negotiation's moves and how it ended."""


class Tabled(msgspec.Struct, frozen=True, omit_defaults=True):
    """A package on the table and what it is worth to each role."""

    seq: int
    terms: Terms
    scores: dict[Role, float] | None = None
    """Both private scores (left out of a shared screen's replay before the reveal)."""


class Step(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One event of the log and the room as it stood right after it."""

    seq: int
    at: int
    t: int
    """Milliseconds since the room started (negative before the start)."""
    kind: str
    by: str
    phase: str
    standing: dict[Role, Tabled | None]
    offer_class: str | None = msgspec.field(default=None, name="class")
    terms: Terms | None = None
    scores: dict[Role, float] | None = None
    """Both private scores of ``terms`` (offers and the agreement)."""
    text: str | None = None
    intent: str | None = None
    to: str | None = None
    outcome: str | None = None


def _scores(scenario: Scenario, terms: Terms) -> dict[Role, float]:
    return {r: round(scenario.score(r, terms), 3) for r in ("buyer", "seller")}


def replay_steps(events: Sequence[Event]) -> list[Step]:
    """Every step of a room's replay, ``created`` first.

    >>> from dealroom.server.debrief.example import example_log
    >>> steps = replay_steps(example_log())
    >>> [(s.seq, s.kind, s.phase) for s in steps[3:5]]
    [(4, 'started', 'running'), (5, 'offer', 'running')]
    >>> steps[4].offer_class, steps[4].scores, steps[4].t
    ('opening', {'buyer': 100.0, 'seller': 0.0}, 1000)
    >>> steps[-1].outcome, steps[-1].standing["buyer"].terms
    ('agreed', {'price': 150, 'warranty': '2 years', 'delivery': 7})
    """
    created = events[0] if events else None
    if not isinstance(created, Created):
        raise ValueError("a room's log starts with its 'created' event")
    scenario = created.scenario
    started = next((e.at for e in events if isinstance(e, Started)), created.at)
    state = initial_state(created)
    steps: list[Step] = []
    for event in events:
        if event is not created:
            fold(state, event)
        standing: dict[Role, Tabled | None] = {
            role: (
                None
                if (offer := state.standing.get(role)) is None
                else Tabled(offer.seq, offer.terms, _scores(scenario, offer.terms))
            )
            for role in ("buyer", "seller")
        }
        terms = event.terms if isinstance(event, Offered | Agreement) else None
        steps.append(
            Step(
                seq=event.seq,
                at=event.at,
                t=event.at - started,
                kind=type(event).__struct_config__.tag,  # type: ignore[arg-type]
                by=event.by,
                phase=state.phase.value,
                standing=standing,
                offer_class=event.offer_class.value if isinstance(event, Offered) else None,
                terms=terms,
                scores=None if terms is None else _scores(scenario, terms),
                text=event.text if isinstance(event, Message) else None,
                intent=(
                    event.intent.value
                    if isinstance(event, Message) and event.intent is not None
                    else None
                ),
                to=event.to if isinstance(event, Message) else None,
                outcome=event.outcome.value if isinstance(event, Ended) else None,
            )
        )
    return steps


def projected_steps(steps: Sequence[Step], *, scores: bool) -> list[Step]:
    """The steps of a replay that a screen the whole group reads may show.

    Only :data:`PROJECTED_KINDS`: the offers with their terms, who made them
    (a role, never a name) and their class, accepts, rejections, deadlocks,
    walk-aways and the outcome. Never a message (its text, intent or
    addressee), a join (names), a facilitator's action or a private event
    (sign-offs). Both private scores only with ``scores``: they come from the
    roles' private scoring (DESIGN.md principle 6), shown once the debrief's
    reveal shows the deals.

    >>> from dealroom.server.debrief.example import example_log
    >>> shown = projected_steps(replay_steps(example_log()), scores=False)
    >>> [(s.kind, s.by, s.offer_class) for s in shown[:3]]
    [('started', 'system', None), ('offer', 'buyer', 'opening'), ('offer', 'seller', 'opening')]
    >>> shown[1].scores, shown[-1].outcome
    (None, 'agreed')
    """
    shown = []
    for step in steps:
        if step.kind not in PROJECTED_KINDS:
            continue
        if not scores:
            standing = {
                role: None if tabled is None else msgspec.structs.replace(tabled, scores=None)
                for role, tabled in step.standing.items()
            }
            step = msgspec.structs.replace(step, scores=None, standing=standing)
        shown.append(msgspec.structs.replace(step, text=None, intent=None, to=None))
    return shown
