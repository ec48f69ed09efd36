"""Retried move ids are acked again with the same seq; racing appends never both land."""

from __future__ import annotations

import asyncio

from dealroom.protocol import Offer
from dealroom.server.log import SqliteLog
from dealroom.server.referee import Applied, Duplicate, MoveCommand
from dealroom.server.rooms import RoomService
from tests.support import small_scenario, terms

from .conftest import Running


async def test_same_move_id_from_two_connections_gets_the_same_seq(server: Running) -> None:
    room, buyer, _ = await server.seated()
    second = await server.client()  # a reconnect of the same seat, say
    await second.hello(room["seats"]["buyer"]["token"])
    first_ack, second_ack = await asyncio.gather(
        buyer.move("offer", "retry-1", terms=terms()),
        second.move("offer", "retry-1", terms=terms()),
    )
    assert first_ack["type"] == second_ack["type"] == "ack"
    assert first_ack["seq"] == second_ack["seq"]
    assert first_ack["duplicate"] != second_ack["duplicate"]
    _, detail = await server.api("GET", f"/api/rooms/{room['id']}")
    offers = [e for e in detail["events"] if e["kind"] == "offer"]
    assert [e["move"] for e in offers] == ["retry-1"]
    # A later retry (a lost ack) is still the same seq, never a second offer.
    third = await buyer.move("offer", "retry-1", terms=terms(price=120))
    assert third["seq"] == first_ack["seq"] and third["duplicate"] is True


async def test_the_same_id_from_the_other_seat_is_another_move(server: Running) -> None:
    _, buyer, seller = await server.seated()
    a = await buyer.move("offer", "same", terms=terms())
    b = await seller.move("offer", "same", terms=terms())
    assert a["seq"] != b["seq"] and not a["duplicate"] and not b["duplicate"]


async def test_two_nodes_racing_for_one_seq_never_both_land(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two services on one log (two nodes): compare-and-set decides, the loser catches up."""
    log = SqliteLog(tmp_path / "events.db")
    node_a, node_b = RoomService(log), RoomService(log)
    room_a = await node_a.create(small_scenario())
    room_b = await node_b.room(room_a.id)
    assert room_b is not None
    for role, node, room in (("buyer", node_a, room_a), ("seller", node_b, room_b)):
        await node.arrive(room, role)  # type: ignore[arg-type]
    await node_a._catch_up(room_a)
    results = await asyncio.gather(
        node_a.submit(
            room_a,
            MoveCommand("buyer", Offer(id="a", terms=terms(120)), now=room_a.state.created_at + 1),
        ),
        node_b.submit(
            room_b,
            MoveCommand("seller", Offer(id="b", terms=terms(190)), now=room_b.state.created_at + 1),
        ),
    )
    seqs = [r.events[0].seq for r in results if isinstance(r, Applied)]
    assert len(seqs) == 2 and len(set(seqs)) == 2  # both moves landed, at different seqs
    entries = await log.read(room_a.stream)
    assert [seq for seq, _ in entries] == list(range(1, len(entries) + 1))
    # Node b catches up and sees exactly what node a sees.
    await node_b._catch_up(room_b)
    await node_a._catch_up(room_a)
    assert room_a.state.seq == room_b.state.seq == len(entries)
    assert room_a.state.standing == room_b.state.standing
    # The same move id through the other node is a duplicate, not a second offer.
    retry = await node_b.submit(
        room_b,
        MoveCommand("buyer", Offer(id="a", terms=terms(120)), now=room_b.state.created_at + 2),
    )
    assert isinstance(retry, Duplicate) and retry.seq in seqs
    await log.close()
