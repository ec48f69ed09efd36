"""The referee's CPU per offer: ``decide`` then ``fold``, as the room service runs them.

    python benchmarks/referee.py [--offers 20000] [--scenario equipment-purchase]

Plays ``--offers`` offers, alternating between the seats, each a random
package of the load tool's (so none waits for sign-off and the classes mix),
each a fresh dict as a decoded frame is; judges each with ``decide`` on the
room's state and folds the events, as the room service does. Prints the best
of five runs, per offer: ``decide`` and ``fold`` together, then ``fold`` alone
(the same events folded into a fresh room). No I/O: this is the pure part of
a move's cost, which docs/performance.md sets beside the whole move's.
"""

from __future__ import annotations

import argparse
import random
import time

from dealroom.bots.loadtest import playable_issues
from dealroom.protocol import Created, Event, Offer, Role, Terms
from dealroom.server.referee import (
    Applied,
    Decision,
    Join,
    MoveCommand,
    RoomState,
    decide,
    fold,
    replay,
)
from dealroom.server.scenarios import builtin_scenarios

ROLES: tuple[Role, Role] = ("buyer", "seller")


def started(created: Created) -> RoomState:
    """A room of ``created``'s scenario with both seats joined (running)."""
    state = replay([created])
    for role in ROLES:
        for event in applied(decide(state, Join(role=role, now=1, name=""))):
            fold(state, event)
    return state


def applied(decision: Decision) -> tuple[Event, ...]:
    """The events of a decision that must have been applied (every offer here is legal)."""
    assert isinstance(decision, Applied), decision
    return decision.events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=20_000)
    parser.add_argument("--scenario", default="equipment-purchase")
    args = parser.parse_args()
    scenario = builtin_scenarios()[args.scenario]
    issues = playable_issues(scenario)
    rng = random.Random(1)

    def package() -> Terms:
        return {
            issue.id: rng.choice(issue.options)
            if issue.kind == "options"
            else issue.value_at(rng.randrange(issue.size()))
            for issue in issues
        }

    created = Created(seq=1, at=0, by="facilitator", room="r1", scenario=scenario)
    packages = [package() for _ in range(64)]
    commands = [
        MoveCommand(role=ROLES[n % 2], move=Offer(id=f"m{n}", terms=dict(packages[n % 64])), now=2)
        for n in range(args.offers)
    ]
    judged = fold_only = float("inf")
    for _ in range(5):
        state = started(created)
        events: list[Event] = []
        began = time.perf_counter()
        for command in commands:
            for event in applied(decide(state, command)):
                fold(state, event)
                events.append(event)
        judged = min(judged, time.perf_counter() - began)
        state = started(created)
        began = time.perf_counter()
        for event in events:
            fold(state, event)
        fold_only = min(fold_only, time.perf_counter() - began)
    per = 1e6 / args.offers
    both, alone = judged * per, fold_only * per
    print(f"{args.scenario}: decide + fold {both:.1f} us per offer, fold {alone:.1f} us")


if __name__ == "__main__":
    main()
