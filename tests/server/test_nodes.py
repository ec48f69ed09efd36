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
from collections.abc import Iterable, Mapping, Sequence

import msgspec
import pytest

from dealroom.protocol import MSGPACK, Accept, Actor, Codec, Ended, Event, Offer, SendMessage
from dealroom.server.log import EventLog, IndexKey, LogUnavailable, MemoryLog
from dealroom.server.log.base import Wake
from dealroom.server.nodes import Nodes
from dealroom.server.referee import (
    Announce,
    Applied,
    End,
    Extend,
    MoveCommand,
    Pause,
    Phase,
    Refused,
    Resume,
)
from dealroom.server.rooms import RoomService, deadlines
from dealroom.server.rooms.room import Room
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


class NodeLog(EventLog):
    """One node's handle on a log shared by several (``shared``, as Redis is): counts its reads."""

    shared = True

    def __init__(self, log: MemoryLog, late_replies: bool = False) -> None:
        self.log = log
        self.reads = 0
        self.append_latency = log.append_latency
        self.late_replies = late_replies
        """Wake-ups overtake an append's reply (as Redis's pub/sub can)."""
        self.down = False
        """Reads fail as they do while Redis is down."""

    async def append(self, stream: str, expected_seq: int, entries: Sequence[bytes]) -> None:
        await self.log.append(stream, expected_seq, entries)
        if self.late_replies:
            for _ in range(3):
                await asyncio.sleep(0)

    async def read(self, stream: str, after: int = 0) -> list[tuple[int, bytes]]:
        self.reads += 1
        if self.down:
            raise LogUnavailable("redis: connection refused")
        return await self.log.read(stream, after)

    async def streams(self, prefix: str = "") -> list[str]:
        return await self.log.streams(prefix)

    async def put_index(self, entries: Mapping[IndexKey, bytes]) -> None:
        await self.log.put_index(entries)

    async def remove_index(self, keys: Iterable[IndexKey]) -> None:
        await self.log.remove_index(keys)

    async def scan_index(self, index: str) -> list[tuple[str, bytes]]:
        return await self.log.scan_index(index)

    def watch(self, stream: str, wake: Wake) -> None:
        self.log.watch(stream, wake)

    def unwatch(self, stream: str, wake: Wake) -> None:
        self.log.unwatch(stream, wake)

    async def close(self) -> None:
        pass


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
    # Each seat's connection, as on a real node: the room has a subscriber on both.
    await node_a.attach(room_a, Watcher("buyer"), 0, lambda _: b"")
    await node_b.attach(room_b, Watcher("seller"), 0, lambda _: b"")
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
    may arrive before the append's own reply; and an append can fail after it
    landed (a reply lost: the append is in doubt)."""

    def __init__(self) -> None:
        super().__init__()
        self.lose_next_reply = False

    async def append(self, stream: str, expected_seq: int, entries: Sequence[bytes]) -> None:
        await super().append(stream, expected_seq, entries)
        await asyncio.sleep(0.001)  # the reply is slower than the wake-up
        if self.lose_next_reply:
            self.lose_next_reply = False
            raise LogUnavailable("the reply was lost")


async def test_an_echo_of_an_append_in_doubt_is_read_after_all() -> None:
    # The append landed but its reply was lost: the node takes it as failed, and the
    # wake-up that overtook the reply is the only news of the event. It reads the log.
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


async def test_a_node_without_subscribers_in_a_room_reads_nothing_while_it_plays() -> None:
    """Node C created the room (the API's node) and holds it, but its seats play on A and B:
    C is not woken by their moves, and is caught up from the log when it next uses the room."""
    shared = MemoryLog()
    a, b, c = (RoomService(NodeLog(shared)) for _ in range(3))
    logs: list[NodeLog] = [n.log for n in (a, b, c)]  # type: ignore[misc]
    room_c = await c.create(small_scenario())
    room_a, room_b = await a.room(room_c.id), await b.room(room_c.id)
    assert room_a is not None and room_b is not None
    buyer, seller = Watcher("facilitator"), Watcher("facilitator")  # sees every event
    await a.attach(room_a, buyer, 0, lambda _: b"")
    await b.attach(room_b, seller, 0, lambda _: b"")
    await a.arrive(room_a, "buyer")
    await b.arrive(room_b, "seller")
    await settle(a, b, c)
    quiet_from, played_from = logs[2].reads, logs[0].reads + logs[1].reads
    now = room_a.state.created_at
    for n in range(20):  # offers alternate between the two nodes
        node, room, role = (a, room_a, "buyer") if n % 2 == 0 else (b, room_b, "seller")
        step = 10 * min(n // 2, 4)
        price = 100 + step if role == "buyer" else 200 - step
        offer = Offer(id=f"m{n}", terms=terms(price=price))
        assert isinstance(await node.submit(room, MoveCommand(role, offer, now=now)), Applied)
        await settle(a, b, c)
    assert logs[2].reads == quiet_from  # C was not woken: no read per move
    assert logs[0].reads + logs[1].reads - played_from <= 20  # the other seat's node, once
    assert room_c.state.seq < room_a.state.seq  # C's copy is behind, until it is used

    # C's seat accepts the seller's standing offer, which C's copy has not seen: the
    # refusal judged on the old copy (no such offer) is judged again after one read.
    standing = room_a.state.standing["seller"].seq
    accept = MoveCommand("buyer", Accept(id="deal", offer=standing), now=now)
    decision = await c.submit(room_c, accept)
    assert isinstance(decision, Applied) and decision.events, decision
    await settle(a, b, c)
    stored = await shared.read(room_c.stream)
    everything = list(range(1, len(stored) + 1))
    assert buyer.seqs == seller.seqs == everything  # A's and B's subscribers: all, in order
    assert room_a.state.phase is room_b.state.phase is room_c.state.phase is Phase.ENDED


async def test_a_node_watches_a_room_while_a_subscriber_of_it_is_here() -> None:
    shared = MemoryLog()
    a, c = RoomService(NodeLog(shared)), RoomService(NodeLog(shared))
    room_a = await a.create(small_scenario())
    room_c = await c.room(room_a.id)
    assert room_c is not None and not room_c.watched
    await a.attach(room_a, Watcher("buyer"), 0, lambda _: b"")
    await a.arrive(room_a, "buyer")
    now = room_a.state.created_at
    assert isinstance(await a.submit(room_a, Announce(text="one", now=now)), Applied)
    assert (await c.room(room_a.id)) is room_c  # held: caught up on use, not reloaded
    assert room_c.state.seq == room_a.state.seq
    facilitator = Watcher("facilitator")
    await c.attach(room_c, facilitator, 0, lambda _: b"")
    assert room_c.watched
    assert isinstance(await a.submit(room_a, Announce(text="two", now=now)), Applied)
    await settle(a, c)
    assert facilitator.seqs == list(range(1, room_a.state.seq + 1))  # live, by wake-up
    c.detach(room_c, facilitator)
    assert not room_c.watched
    assert isinstance(await a.submit(room_a, Announce(text="three", now=now)), Applied)
    await settle(a, c)
    assert room_c.state.seq == room_a.state.seq - 1  # no longer woken
    assert (await c.room(room_a.id)) is room_c and room_c.state.seq == room_a.state.seq


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000_000

    def __call__(self) -> int:
        return self.now


async def _indexed(log: MemoryLog) -> dict[str, int]:
    entries = await log.scan_index(deadlines.INDEX)
    return {room: msgspec.msgpack.decode(raw) for room, raw in entries}


async def test_the_deadlines_index_follows_the_clock_of_a_room_on_a_shared_store() -> None:
    shared, clock = MemoryLog(), Clock()
    node = RoomService(NodeLog(shared), clock=clock)
    room = await node.create(small_scenario(deadline_seconds=60))
    await node.arrive(room, "buyer")
    assert await _indexed(shared) == {}  # waiting: no clock runs
    await node.arrive(room, "seller")  # started
    assert await _indexed(shared) == {room.id: clock.now + 60_000} == {room.id: room.state.deadline}
    clock.now += 10_000
    assert isinstance(await node.submit(room, Pause(now=clock.now)), Applied)
    assert await _indexed(shared) == {}
    assert isinstance(await node.submit(room, Resume(now=clock.now)), Applied)
    assert await _indexed(shared) == {room.id: clock.now + 50_000}
    assert isinstance(await node.submit(room, Extend(seconds=30, now=clock.now)), Applied)
    assert await _indexed(shared) == {room.id: clock.now + 80_000} == {room.id: room.state.deadline}
    assert isinstance(await node.submit(room, End(now=clock.now)), Applied)
    await node.stop()  # waits for the ended room's entries to go
    assert await _indexed(shared) == {}


async def test_one_node_on_its_own_store_writes_no_deadlines_index() -> None:
    log = MemoryLog()  # not shared: one node, which holds every live room
    node = RoomService(log)
    room = await node.create(small_scenario(deadline_seconds=60))
    await node.arrive(room, "buyer")
    await node.arrive(room, "seller")
    assert room.state.deadline is not None and room.timer is not None
    assert await _indexed(log) == {}
    await node.stop()


async def test_a_deadline_fires_once_on_another_node_when_the_rooms_node_is_gone() -> None:
    shared, clock = MemoryLog(), Clock()
    a, b, c = (RoomService(NodeLog(shared), clock=clock) for _ in range(3))
    room = await a.create(small_scenario(deadline_seconds=5))
    await a.attach(room, Watcher("facilitator"), 0, lambda _: b"")
    await a.arrive(room, "buyer")
    await a.arrive(room, "seller")
    assert room.state.phase is Phase.RUNNING and room.id not in b.rooms | c.rooms
    await a.stop()  # node A dies: its timer never fires
    nodes_b, nodes_c = Nodes(b.log, clock, "b"), Nodes(c.log, clock, "c")
    for n in (nodes_b, nodes_c):
        await n.beat()
    alive = await nodes_b.alive()
    assert alive == {"b", "c"}
    clock.now += 5_000 + deadlines.GRACE_MS // 2  # due, but within the grace: not yet
    assert [await b.expire_overdue(nodes_b, alive), await c.expire_overdue(nodes_c, alive)] == [
        0,
        0,
    ]
    clock.now += deadlines.GRACE_MS
    fired = await asyncio.gather(b.expire_overdue(nodes_b, alive), c.expire_overdue(nodes_c, alive))
    assert sorted(fired) == [0, 1]  # one node sweeps (the lease), and it ends the room
    await asyncio.sleep(0.05)  # the sweeping node's own timer for the room, armed on load
    await b.stop()
    await c.stop()
    stored = [_decode_event(entry) for _, entry in await shared.read(room.stream)]
    ended = [event for event in stored if isinstance(event, Ended)]
    assert len(ended) == 1 and ended[0].outcome == "expired", stored
    assert await _indexed(shared) == {}
    assert [await b.expire_overdue(nodes_b, alive), await c.expire_overdue(nodes_c, alive)] == [
        0,
        0,
    ]


async def test_the_sweep_corrects_an_entry_that_is_early_or_stale() -> None:
    shared, clock = MemoryLog(), Clock()
    a, b = RoomService(NodeLog(shared), clock=clock), RoomService(NodeLog(shared), clock=clock)
    room = await a.create(small_scenario(deadline_seconds=5))
    await a.arrive(room, "buyer")
    await a.arrive(room, "seller")
    deadline = room.state.deadline
    assert deadline is not None
    await shared.put_index({deadlines.key(room.id): deadlines.encode(deadline - 60_000)})
    nodes_b = Nodes(b.log, clock, "b")
    await nodes_b.beat()
    assert await b.expire_overdue(nodes_b, {"b"}) == 0  # early: set right, nothing fired
    assert await _indexed(shared) == {room.id: deadline}
    assert isinstance(await a.submit(room, Pause(now=clock.now)), Applied)
    await shared.put_index({deadlines.key(room.id): deadlines.encode(deadline - 60_000)})
    assert await b.expire_overdue(nodes_b, {"b"}) == 0  # paused: the entry goes
    assert await _indexed(shared) == {}
    await a.stop()
    await b.stop()


async def test_a_nodes_own_append_announced_before_its_reply_costs_no_read() -> None:
    shared = MemoryLog()
    a = RoomService(NodeLog(shared, late_replies=True))
    room = await a.create(small_scenario())
    facilitator = Watcher("facilitator")
    await a.attach(room, facilitator, 0, lambda _: b"")
    await settle(a)
    reads = a.log.reads  # type: ignore[attr-defined]
    for n in range(10):
        assert isinstance(await a.submit(room, Announce(text=f"n{n}", now=0)), Applied)
    await settle(a)
    assert a.log.reads == reads  # type: ignore[attr-defined]
    assert facilitator.seqs == list(range(1, room.state.seq + 1))


async def test_a_subscriber_welcomed_as_the_store_fails_still_gets_every_event_after_it() -> None:
    # The store failed between the welcome and the subscription (a catch-up that a
    # wake-up started had failed, so the copy was stale): the attach must still
    # subscribe the client it welcomed, or that client hears nothing again.
    shared = MemoryLog()
    a_log = NodeLog(shared)
    a, b = RoomService(a_log), RoomService(NodeLog(shared))
    room_b = await b.create(small_scenario())
    room_a = await a.room(room_b.id)
    assert room_a is not None
    watcher = Watcher("facilitator")

    def welcome(room: Room) -> bytes:
        room.stale, a_log.down = True, True  # as if a failed catch-up had left it so
        return b""

    await a.attach(room_a, watcher, 0, welcome)
    assert watcher in room_a.subscribers and room_a.watched
    a_log.down = False  # the store is back: the next wake-up is read
    for n in range(3):
        assert isinstance(await b.submit(room_b, Announce(text=f"n{n}", now=0)), Applied)
    await settle(a, b)
    assert watcher.seqs == list(range(1, room_b.state.seq + 1))
