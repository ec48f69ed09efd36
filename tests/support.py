"""Shared test helpers: a small scenario and a referee driver."""

from __future__ import annotations

import itertools
from typing import Literal

import msgspec

from dealroom.protocol import Created, Role, RoleSide, Rules, Scenario
from dealroom.server.debrief.example import example_scenario
from dealroom.server.referee import (
    Applied,
    Command,
    Decision,
    RoomState,
    decide,
    fold,
    initial_state,
)

T0 = 1_800_000_000_000  # a fixed epoch-ms "now" for pure tests


def small_scenario(
    *,
    turns: Literal["free", "alternating"] = "free",
    first_mover: Literal["buyer", "seller", "either"] = "either",
    deadlock_after: int = 3,
    deadline_seconds: int = 600,
    authority: dict[str, dict[str, int | str]] | None = None,
) -> Scenario:
    """Three issues: price (money), warranty (options), delivery (integer weeks).

    ``authority`` gives roles authority limits, e.g. ``{"buyer": {"price": 160}}``.
    """
    # The debrief's worked example deal, with secrets in the briefs (so tests can
    # check they never leak) and the rules each test asks for.
    example = example_scenario()
    limits = authority or {}
    secrets = {
        "buyer": "BUYER-SECRET: you can pay up to 180.",
        "seller": "SELLER-SECRET: your cost floor is 120.",
    }
    roles: dict[Role, RoleSide] = {
        role: msgspec.structs.replace(side, brief=secrets[role], authority=limits.get(role, {}))
        for role, side in example.roles.items()
    }
    return msgspec.structs.replace(
        example,
        id="small",
        title="Small test deal",
        summary="A three-issue deal for tests.",
        rules=Rules(
            deadline_seconds=deadline_seconds,
            turns=turns,
            first_mover=first_mover,
            deadlock_after=deadlock_after,
        ),
        roles=roles,
    )


def terms(price: int = 150, warranty: str = "2 years", delivery: int = 6) -> dict[str, int | str]:
    """A complete, valid package for :func:`small_scenario`."""
    return {"price": price, "warranty": warranty, "delivery": delivery}


class Table:
    """Drives the pure referee like the room service does: decide, then fold."""

    def __init__(self, scenario: Scenario | None = None, *, held: bool = False) -> None:
        created = Created(
            seq=1,
            at=T0,
            by="facilitator",
            room="r1",
            scenario=scenario or small_scenario(),
            held=held,
        )
        self.state: RoomState = initial_state(created)
        self.log: list = [created]
        self._ids = itertools.count(1)

    def run(self, command: Command) -> Decision:
        decision = decide(self.state, command)
        if isinstance(decision, Applied):
            for event in decision.events:
                fold(self.state, event)
                self.log.append(event)
        return decision

    def next_id(self) -> str:
        return f"m{next(self._ids)}"
