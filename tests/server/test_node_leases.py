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


async def test_a_seat_that_only_a_dead_node_held_is_recorded_left_once() -> None:
    """Node a held the buyer, node b the seller; a dies: exactly one `left`, for the buyer."""
    from dealroom.protocol import Left
    from dealroom.server.rooms import RoomService
    from tests.support import small_scenario

    log, clock = SharedMemoryLog(), Clock()
    services = [RoomService(log, clock=clock) for _ in range(3)]
    nodes = [Nodes(log, clock, name) for name in ("a", "b", "c")]
    for service, node in zip(services, nodes, strict=True):
        service.node = node.id
        await node.beat()
    room_a = await services[0].create(small_scenario())
    room_b = await services[1].room(room_a.id)
    assert room_b is not None
    await services[0].arrive(room_a, "buyer")
    await services[1].arrive(room_b, "seller")
    clock.now += TTL_MS + 1  # a stops beating
    for node in nodes[1:]:
        await node.beat()
    alive = await nodes[1].alive()
    recorded = await asyncio.gather(
        services[1].expire_presence(nodes[1], alive), services[2].expire_presence(nodes[2], alive)
    )
    assert sum(recorded) == 1
    await asyncio.sleep(0.05)  # the wake-ups
    events = [e for e in room_b.events if isinstance(e, Left)]
    assert [e.by for e in events] == ["buyer"]
    assert await log.scan_index("seats") == [(f"{room_a.id}:seller:b", b"")]
    for service in services:
        await service.stop()


class SharedMemoryLog(MemoryLog):
    """A MemoryLog that says several nodes share it."""

    shared = True
