"""The bot client against a real server process: moves, events, refusals, reconnects."""

from __future__ import annotations

import asyncio

import pytest

from dealroom.bots import Client, MoveRefused
from dealroom.protocol import Accept, Ended, Offer, Offered, Ping, Pong, SendMessage
from tests.serverproc import Process


def _terms(room: dict, price: int) -> dict[str, int | str]:  # type: ignore[type-arg]
    """A valid fleet-lease package at ``price``."""
    return {
        "monthly_rate": price,
        "lease_term": "48 months",
        "mileage": 30000,
        "maintenance": "Maintenance and tyres",
        "delivery": 10,
    }


async def _room(process: Process) -> dict:  # type: ignore[type-arg]
    return await process.api("POST", "/api/rooms", {"scenario": "fleet-lease"})  # type: ignore[no-any-return]


@pytest.mark.parametrize("codec", ["json", "msgpack"])
async def test_client_negotiates_and_sees_every_event_in_order(
    process: Process, codec: str
) -> None:
    await process.start()
    room = await _room(process)
    seller = Client(process.ws_url, room["seats"]["seller"]["token"], codec=codec, name="S")
    buyer = Client(process.ws_url, room["seats"]["buyer"]["token"], codec=codec, name="B")
    welcome = await seller.connect()
    assert welcome.role == "seller" and welcome.brief is not None
    await buyer.connect()
    ack = await seller.move(Offer(id=seller.new_id(), terms=_terms(room, 720)))
    counter = await buyer.move(Offer(id=buyer.new_id(), terms=_terms(room, 600)))
    assert counter.seq > ack.seq
    with pytest.raises(MoveRefused) as refused:
        await buyer.move(Offer(id=buyer.new_id(), terms=_terms(room, 601)))
    assert refused.value.error.code in ("invalid_terms", "not_your_turn")
    done = await seller.move(Accept(id=seller.new_id(), offer=counter.seq))
    seen = []
    async for event in seller.events():
        seen.append(event)
        if isinstance(event, Ended):
            break
    seqs = [e.seq for e in seen]
    assert seqs == sorted(set(seqs)) and done.seq in seqs
    offers = [e for e in seen if isinstance(e, Offered)]
    assert [o.seq for o in offers] == [ack.seq, counter.seq]
    await seller.close()
    await buyer.close()


async def test_client_resumes_after_a_server_crash_and_retries_unacked_moves(
    process: Process,
) -> None:
    await process.start()
    room = await _room(process)
    seller = Client(process.ws_url, room["seats"]["seller"]["token"], max_reconnect_seconds=30)
    buyer = Client(process.ws_url, room["seats"]["buyer"]["token"], max_reconnect_seconds=30)
    await seller.connect()
    await buyer.connect()
    first = await seller.move(Offer(id="s-1", terms=_terms(room, 705)))
    process.kill()
    # Sent while the server is down: pending until the client reconnects and resends.
    pending = asyncio.create_task(buyer.move(SendMessage(id="b-1", text="Are you there?")))
    await asyncio.sleep(0.3)
    assert not pending.done()
    await process.start()
    ack = await asyncio.wait_for(pending, 20)
    assert ack.seq > first.seq
    assert buyer.reconnects >= 1
    # The seller resumes too and receives the message once, in order.
    texts = []
    async for event in seller.events():
        if getattr(event, "text", None) == "Are you there?":
            texts.append(event.seq)
            break
    assert texts == [ack.seq]
    detail = await process.api("GET", f"/api/rooms/{room['id']}")
    moves = [e.get("move") for e in detail["events"] if e.get("move")]
    assert moves.count("s-1") == 1 and moves.count("b-1") == 1
    # A retry of an id that landed is acknowledged again, with the same seq.
    again = await buyer.move(SendMessage(id="b-1", text="Are you there?"))
    assert again.seq == ack.seq and again.duplicate
    await seller.close()
    await buyer.close()


async def test_client_ignores_a_pong_it_did_not_ask_for(process: Process) -> None:
    """The bot client never pings; a pong (here asked for behind its back) is no event."""
    await process.start()
    room = await _room(process)
    buyer = Client(process.ws_url, room["seats"]["buyer"]["token"], codec="msgpack")
    await buyer.connect()
    # The room moves past what the buyer may see: the pong's seq is one it never held.
    await process.api("POST", f"/api/rooms/{room['id']}/message", {"text": "hi", "to": "seller"})
    held = buyer.last_seq
    assert buyer._ws is not None
    await buyer._ws.send(buyer.codec.encode(Ping(id="p1")))
    ack = await buyer.move(SendMessage(id=buyer.new_id(), text="still here"))
    assert ack.seq > held
    assert all(not isinstance(e, Pong) for e in buyer.received())
    assert buyer.last_seq == ack.seq
    await buyer.close()
