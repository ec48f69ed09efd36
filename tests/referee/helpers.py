"""Helpers for the referee tests: rooms in a given phase, moves, and checks.

Every room here is driven through :class:`tests.support.Table` (decide, then
fold), so a test sees exactly what the room service would append.
"""

from __future__ import annotations

import copy
from typing import Any

from dealroom.protocol import (
    Accept,
    Concede,
    ErrorCode,
    Event,
    Intent,
    Offer,
    Offered,
    Reject,
    Role,
    Scenario,
    SendMessage,
    WalkAway,
)
from dealroom.server.referee import (
    Applied,
    Command,
    Decision,
    Join,
    MoveCommand,
    Refused,
    RoomState,
    Start,
)
from tests.support import T0, Table, small_scenario, terms

__all__ = [
    "DEADLINE",
    "NOW",
    "T0",
    "accept",
    "events_of",
    "kinds",
    "message",
    "offer",
    "offered",
    "refused",
    "reject",
    "run_refused",
    "snapshot",
    "started",
    "walk_away",
]

NOW = T0 + 1_000
"""A time well inside a started room's clock."""
DEADLINE = T0 + 600_000
"""The deadline of a :func:`started` room with :func:`small_scenario`'s 600 s."""


def started(scenario: Scenario | None = None, now: int = T0, *, held: bool = False) -> Table:
    """A room whose two seats joined at ``now``: running.

    ``held``: a room of a round, started by the facilitator at ``now`` with the
    deadline it would have had on its own.
    """
    table = Table(scenario or small_scenario(), held=held)
    events_of(table.run(Join(role="buyer", now=now)))
    events_of(table.run(Join(role="seller", now=now)))
    if held:
        duration = table.state.duration_ms
        deadline = None if duration is None else now + duration
        events_of(table.run(Start(deadline=deadline, now=now)))
    return table


def events_of(decision: Decision) -> tuple[Event, ...]:
    """The events of an :class:`Applied` decision (fails on anything else)."""
    assert isinstance(decision, Applied), decision
    return decision.events


def offered(decision: Decision) -> Offered:
    """The ``offer`` event an applied offer or concession recorded first."""
    event = events_of(decision)[0]
    assert isinstance(event, Offered), event
    return event


def refused(decision: Decision, code: ErrorCode) -> Refused:
    """Check ``decision`` is a refusal with ``code`` and a human message."""
    assert isinstance(decision, Refused), decision
    assert decision.code == code, decision
    assert isinstance(decision.message, str) and decision.message.strip()
    return decision


def run_refused(table: Table, command: Command, code: ErrorCode) -> Refused:
    """Run ``command``; check it is refused with ``code`` and changed nothing."""
    before = copy.deepcopy(table.state)
    log_before = list(table.log)
    refusal = refused(table.run(command), code)
    assert table.state == before
    assert table.state.seq == before.seq
    assert table.log == log_before
    return refusal


def kinds(events: tuple[Event, ...] | list[Event]) -> list[str]:
    """The wire ``kind`` of each event, in order."""
    return [type(e).__struct_config__.tag for e in events]  # type: ignore[misc]


def _id(table: Table, move_id: str | None) -> str:
    return move_id if move_id is not None else table.next_id()


def offer(
    table: Table,
    role: Role,
    now: int = NOW,
    *,
    concede: bool = False,
    move_id: str | None = None,
    **values: Any,
) -> Decision:
    """``role`` offers (or concedes) :func:`terms` with ``values`` changed."""
    kind = Concede if concede else Offer
    move = kind(id=_id(table, move_id), terms=terms(**values))
    return table.run(MoveCommand(role=role, move=move, now=now))


def accept(
    table: Table, role: Role, offer_seq: int, now: int = NOW, *, move_id: str | None = None
) -> Decision:
    """``role`` accepts offer ``offer_seq``."""
    move = Accept(id=_id(table, move_id), offer=offer_seq)
    return table.run(MoveCommand(role=role, move=move, now=now))


def reject(
    table: Table,
    role: Role,
    offer_seq: int,
    now: int = NOW,
    *,
    reason: str = "",
    move_id: str | None = None,
) -> Decision:
    """``role`` rejects offer ``offer_seq``."""
    move = Reject(id=_id(table, move_id), offer=offer_seq, reason=reason)
    return table.run(MoveCommand(role=role, move=move, now=now))


def walk_away(
    table: Table, role: Role, now: int = NOW, *, reason: str = "", move_id: str | None = None
) -> Decision:
    """``role`` walks away."""
    move = WalkAway(id=_id(table, move_id), reason=reason)
    return table.run(MoveCommand(role=role, move=move, now=now))


def message(
    table: Table,
    role: Role,
    text: str = "hello",
    now: int = NOW,
    *,
    intent: Intent | None = None,
    move_id: str | None = None,
) -> Decision:
    """``role`` sends a message to the room."""
    move = SendMessage(id=_id(table, move_id), text=text, intent=intent)
    return table.run(MoveCommand(role=role, move=move, now=now))


def snapshot(state: RoomState) -> RoomState:
    """A deep copy to compare a state with later."""
    return copy.deepcopy(state)
