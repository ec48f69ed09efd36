"""Several nodes on one log, in one process: each RoomService is a node.

A shared :class:`MemoryLog` wakes every node that watches a stream after each
append, as the Redis log's notifications do between processes; what is
checked here is the nodes' side (DESIGN.md principle 4): a wake-up is a hint,
the events come from the log, and every node's subscribers see each room's
events once, in seq order, whichever node decided them.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence

import msgspec
import pytest

from dealroom.protocol import MSGPACK, Actor, Codec, Ended, Event, Offer, SendMessage
from dealroom.server.log import LogUnavailable, MemoryLog
from dealroom.server.referee import Applied, MoveCommand, Phase, Refused
from dealroom.server.rooms import RoomService
from tests.support import small_scenario, terms

_decode_event = msgspec.msgpack.Decoder(Event).decode


class Watcher:
    """A subscriber that decodes what it receives."""

    def __init__(self, viewer: Actor) -> None:
        self.viewer: Actor = viewer
        self.codec: Codec = MSGPACK
        self.seqs: list[int] = []
        self.kinds: list[str] = []

    def deliver(self, frame: bytes) -> None:
        if frame == b"":  # the welcome these tests make
            return
        event = msgspec.msgpack.decode(frame)
        self.seqs.append(event["seq"])
        self.kinds.append(event["kind"])

    async def send(self, frame: bytes) -> None:
        self.deliver(frame)


async def settle(*nodes: RoomService) -> None:
    """Until no node has a catch-up running."""
    for _ in range(200):
        await asyncio.sleep(0.005)
        if not any(r.following for n in nodes for r in n.rooms.values()):
            return
    raise AssertionError("catch-ups did not finish")


async def test_moves_decided_on_two_nodes_reach_both_nodes_subscribers_in_order() -> None:
    log = MemoryLog()
    node_a, node_b = RoomService(log), RoomService(log)
    room_a = await node_a.create(small_scenario())
    room_b = await node_b.room(room_a.id)
    assert room_b is not None
    facilitator_a, facilitator_b = Watcher("facilitator"), Watcher("facilitator")
    await node_a.attach(room_a, facilitator_a, 0, lambda _: b"")
    await node_b.attach(room_b, facilitator_b, 0, lambda _: b"")
    await node_a.arrive(room_a, "buyer")
    await node_b.arrive(room_b, "seller")
    rng = random.Random(7)
    now = room_a.state.created_at

    async def talk(node: RoomService, room_id: str, role: str, count: int) -> None:
        room = await node.room(room_id)
        assert room is not None
        for n in range(count):
            move = (
                Offer(id=f"{role}-{n}", terms=terms(price=100 + rng.randrange(100)))
                if n % 2
                else SendMessage(id=f"{role}-{n}", text=f"{role} says {n}", intent=None)
            )
            decision = await node.submit(room, MoveCommand(role, move, now=now + n))  # type: ignore[arg-type]
            assert isinstance(decision, Applied | Refused), decision
            if n % 5 == 0:
                await asyncio.sleep(0)

    await asyncio.gather(
        talk(node_a, room_a.id, "buyer", 60), talk(node_b, room_b.id, "seller", 60)
    )
    await settle(node_a, node_b)
    stored = await log.read(room_a.stream)
    everything = list(range(1, len(stored) + 1))
    assert facilitator_a.seqs == everything  # no gap, no duplicate, in order
    assert facilitator_b.seqs == everything
    assert facilitator_a.kinds == facilitator_b.kinds
    assert room_a.state.seq == room_b.state.seq == len(stored)
    assert room_a.state.standing == room_b.state.standing


async def test_a_deadline_armed_on_two_nodes_ends_the_room_once() -> None:
    log = MemoryLog()
    node_a, node_b = RoomService(log), RoomService(log)
    room_a = await node_a.create(small_scenario(deadline_seconds=1))
    room_b = await node_b.room(room_a.id)
    assert room_b is not None
    await node_a.arrive(room_a, "buyer")
    await node_b.arrive(room_b, "seller")  # both seats in: the clock starts
    await settle(node_a, node_b)
    assert room_a.timer is not None and room_b.timer is not None  # each node armed it
    for _ in range(60):
        await asyncio.sleep(0.05)
        if room_a.state.phase is room_b.state.phase is Phase.ENDED:
            break
    await settle(node_a, node_b)
    stored = [_decode_event(entry) for _, entry in await log.read(room_a.stream)]
    ended = [event for event in stored if isinstance(event, Ended)]
    assert len(ended) == 1 and ended[0].outcome == "expired"
    assert room_a.state.seq == room_b.state.seq == len(stored)
    await node_a.stop()
    await node_b.stop()


async def test_a_node_that_missed_wake_ups_catches_up_on_the_next_one() -> None:
    log = MemoryLog()
    node_a, node_b = RoomService(log), RoomService(log)
    room_a = await node_a.create(small_scenario())
    room_b = await node_b.room(room_a.id)
    assert room_b is not None
    watcher = Watcher("facilitator")
    await node_b.attach(room_b, watcher, 0, lambda _: b"")
    log.unwatch(room_b.stream, node_b._woken)  # its notifications are lost for a while
    await node_a.arrive(room_a, "buyer")
    await node_a.arrive(room_a, "seller")
    await settle(node_a, node_b)
    assert watcher.seqs == [1]  # `created`, replayed on attach
    node_b._woken(room_b.stream, None)  # "you may have missed some": read the log
    await settle(node_a, node_b)
    assert watcher.seqs == list(range(1, room_a.state.seq + 1))
    assert room_b.state.seq == room_a.state.seq


class EchoFirstLog(MemoryLog):
    """As Redis does it: the wake-up for an append reaches the appending node too, and
    may arrive before the append's own reply. Counts reads; can fail an append after
    it landed (a reply lost: the append is in doubt)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.lose_next_reply = False

    async def append(self, stream: str, expected_seq: int, entries: Sequence[bytes]) -> None:
        await super().append(stream, expected_seq, entries)
        await asyncio.sleep(0.001)  # the reply is slower than the wake-up
        if self.lose_next_reply:
            self.lose_next_reply = False
            raise LogUnavailable("the reply was lost")

    async def read(self, stream: str, after: int = 0) -> list[tuple[int, bytes]]:
        self.reads += 1
        return await super().read(stream, after)


async def test_a_node_does_not_read_the_log_for_the_echo_of_its_own_append() -> None:
    log = EchoFirstLog()
    node = RoomService(log)
    room = await node.create(small_scenario())
    watcher = Watcher("facilitator")
    await node.attach(room, watcher, 0, lambda _: b"")
    await node.arrive(room, "buyer")
    await node.arrive(room, "seller")
    before = log.reads
    for n in range(10):
        role = "buyer" if n % 2 == 0 else "seller"
        move = SendMessage(id=f"m{n}", text="hello", intent=None)
        decision = await node.submit(room, MoveCommand(role, move, now=room.state.created_at))
        assert isinstance(decision, Applied), decision
    await settle(node)
    assert log.reads == before  # each wake-up was the echo of the node's own append
    assert watcher.seqs == list(range(1, room.state.seq + 1))


async def test_an_echo_of_an_append_in_doubt_is_read_after_all() -> None:
    # The append landed but its reply was lost: the node takes it as failed, and the
    # wake-up it set aside as an echo is the only news of the event. It reads the log.
    log = EchoFirstLog()
    node = RoomService(log)
    room = await node.create(small_scenario())
    watcher = Watcher("facilitator")
    await node.attach(room, watcher, 0, lambda _: b"")
    await node.arrive(room, "buyer")
    await node.arrive(room, "seller")
    log.lose_next_reply = True
    move = SendMessage(id="lost-reply", text="hello", intent=None)
    with pytest.raises(LogUnavailable):
        await node.submit(room, MoveCommand("buyer", move, now=room.state.created_at))
    await settle(node)
    stored = await log.read(room.stream)
    assert watcher.seqs == list(range(1, len(stored) + 1))  # the landed message too
    assert room.state.seq == len(stored)
