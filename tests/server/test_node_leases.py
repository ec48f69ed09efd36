"""Nodes on one log: who is alive, and leases taken by compare-and-set."""

from __future__ import annotations

import asyncio

from dealroom.server.log import MemoryLog
from dealroom.server.nodes import TTL_MS, Nodes


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000_000

    def __call__(self) -> int:
        return self.now


async def test_a_lease_goes_to_one_of_several_nodes_and_moves_when_its_holder_dies() -> None:
    log, clock = MemoryLog(), Clock()
    nodes = [Nodes(log, clock, f"n{i}") for i in range(5)]
    for node in nodes:
        await node.beat()
    alive = await nodes[0].alive()
    assert alive == {f"n{i}" for i in range(5)}
    won = await asyncio.gather(*(node.take("bot:r1:buyer", alive) for node in nodes))
    assert sum(won) == 1
    holder = nodes[won.index(True)]
    assert await holder.take("bot:r1:buyer", alive)  # holding it is keeping it
    others = [n for n in nodes if n is not holder]
    assert not any([await n.take("bot:r1:buyer", await n.alive()) for n in others])

    clock.now += TTL_MS + 1  # the holder stops beating; the others go on
    for node in others:
        await node.beat()
    alive = await others[0].alive()
    assert holder.id not in alive
    won = await asyncio.gather(*(node.take("bot:r1:buyer", alive) for node in others))
    assert sum(won) == 1
    assert (await holder.holder("bot:r1:buyer"))[0] == others[won.index(True)].id


async def test_a_node_that_leaves_cleanly_is_dead_at_once() -> None:
    log, clock = MemoryLog(), Clock()
    a, b = Nodes(log, clock, "a"), Nodes(log, clock, "b")
    await a.beat()
    await b.beat()
    assert await a.take("x", await a.alive())
    await a.leave()
    assert await b.take("x", await b.alive())
