"""Bad input gets a typed error and the connection stays open (issue 3, item 7)."""

from __future__ import annotations

import asyncio
from typing import Any

import msgpack
import pytest
import websockets

from tests.support import terms

from .conftest import MakeServer, Running
from .wsclient import JSON_SUB, MSGPACK_SUB, WsClient

BOTH = pytest.mark.parametrize("sub", [JSON_SUB, MSGPACK_SUB])


async def _still_open(client: WsClient) -> None:
    """The connection still answers: a frame after the bad one gets its own reply."""
    await client.send({"type": "shout"})
    frame = await client.until(lambda f: f["type"] == "error" and f["code"] == "unknown_type")
    assert frame["code"] == "unknown_type"


@BOTH
async def test_undecodable_frame(server: Running, sub: str) -> None:
    client = await server.client(sub)
    await client.send_raw(b"\xc1\x00" if sub == MSGPACK_SUB else "{not json")
    error = await client.recv()
    assert error["type"] == "error" and error["code"] == "bad_frame" and error["id"] is None
    await _still_open(client)


@BOTH
async def test_unknown_type_and_non_map(server: Running, sub: str) -> None:
    client = await server.client(sub)
    await client.send({"type": "teleport"})
    assert (await client.recv())["code"] == "unknown_type"
    await client.send_raw(client.encode([1, 2, 3]))  # type: ignore[arg-type]
    assert (await client.recv())["code"] == "invalid_frame"
    await _still_open(client)


@BOTH
async def test_schema_violations(server: Running, sub: str) -> None:
    _, buyer, _ = await server.seated(sub)
    cases = [
        {"type": "move", "id": "x1", "kind": "offer"},  # no terms
        {"type": "move", "id": "x2", "kind": "offer", "terms": "cheap"},
        {"type": "move", "id": "x3", "kind": "dance"},
        {"type": "move", "id": "x4", "kind": "message", "text": "hi", "intent": "shout"},
        {"type": "move", "id": "", "kind": "walk_away"},
        {"type": "hello", "token": 5},
    ]
    for case in cases:
        await buyer.send(case)
        error = await buyer.until(lambda f: f["type"] == "error")
        assert error["code"] == "invalid_frame", case
        if case.get("id"):
            assert error["id"] == case["id"]
    await _still_open(buyer)


@BOTH
async def test_terms_out_of_domain(server: Running, sub: str) -> None:
    _, buyer, _ = await server.seated(sub)
    bad_terms = [
        terms(price=999),
        terms(price=155),  # off-step
        terms(warranty="forever"),
        {"price": 150, "warranty": "2 years"},  # missing delivery
        {**terms(), "colour": "red"},
        terms(delivery="soon"),  # type: ignore[arg-type]
    ]
    for bad in bad_terms:
        error = await buyer.move("offer", terms=bad)
        assert error["type"] == "error" and error["code"] == "invalid_terms", bad
        assert error["message"]
    assert (await buyer.move("offer", terms=terms()))["type"] == "ack"


async def test_move_before_hello(server: Running) -> None:
    client = await server.client()
    error = await client.move("offer", terms=terms())
    assert error["code"] == "hello_required"
    await _still_open(client)


async def test_bad_token_then_good_hello(server: Running) -> None:
    room = await server.room()
    client = await server.client()
    error = await client.hello("nope")
    assert error["code"] == "invalid_token"
    forged = room["seats"]["buyer"]["token"].replace("buyer", "seller", 1)
    assert (await client.hello(forged))["code"] == "invalid_token"
    other = await server.room()
    moved = other["seats"]["buyer"]["token"].replace(other["id"], room["id"], 1)
    assert (await client.hello(moved))["code"] == "invalid_token"
    welcome = await client.hello(room["seats"]["buyer"]["token"])
    assert welcome["type"] == "welcome"
    again = await client.hello(room["seats"]["buyer"]["token"])
    assert again["code"] == "already_joined"


async def test_move_in_a_closed_room(server: Running) -> None:
    room, buyer, _ = await server.seated()
    status, _ = await server.api("POST", f"/api/rooms/{room['id']}/end")
    assert status == 200
    assert (await buyer.event("ended"))["outcome"] == "closed"
    error = await buyer.move("offer", terms=terms())
    assert error["code"] == "room_ended"
    await _still_open(buyer)


async def test_move_before_the_room_starts(server: Running) -> None:
    room = await server.room()
    buyer = await server.client()
    await buyer.hello(room["seats"]["buyer"]["token"])
    assert (await buyer.move("offer", terms=terms()))["code"] == "not_started"


async def test_oversized_frame_gets_an_error(server: Running) -> None:
    _, buyer, _ = await server.seated()
    big = "x" * (2 * 1024 * 1024)  # over the 64 KiB frame limit, under the 4 MiB hard cap
    await buyer.send({"type": "move", "id": "big", "kind": "message", "text": big})
    error = await buyer.until(lambda f: f["type"] == "error")
    assert error["code"] == "frame_too_large"
    assert (await buyer.move("message", text="small again"))["type"] == "ack"


async def test_frame_over_the_hard_cap_closes_with_1009(server: Running) -> None:
    client = await server.client()
    # The server closes as soon as the frame header announces the size; if the
    # client is still writing the payload then, the kernel may reset the socket
    # before the close frame is read. Either way the server ended it.
    with pytest.raises((websockets.ConnectionClosed, ConnectionResetError)) as closed:
        await client.send_raw("x" * (4 * 1024 * 1024 + 10))
        await client.recv()
    if isinstance(closed.value, websockets.ConnectionClosed) and closed.value.rcvd is not None:
        assert closed.value.rcvd.code == 1009
    await _still_open(await server.client())  # and it serves everyone else


async def test_the_hard_cap_close_code_is_1009(make_server: MakeServer) -> None:
    server = await make_server(max_frame_bytes=500, hard_frame_bytes=2000)
    client = await server.client()
    await client.send_raw("x" * 1000)  # between the limits: an error, the connection stays
    assert (await client.recv())["code"] == "frame_too_large"
    await client.send_raw("x" * 2100)  # small enough to arrive whole: the close frame is read
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await client.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_flood_gets_rate_limited_errors(make_server: MakeServer) -> None:
    server = await make_server(rate_per_second=5.0, rate_burst=10, abuse_threshold=1000)
    client = await server.client(MSGPACK_SUB)
    for _ in range(40):
        await client.send_raw(msgpack.packb({"type": "shout"}))
    codes = [(await client.recv())["code"] for _ in range(40)]
    assert codes.count("unknown_type") == 10  # the burst is read
    assert codes.count("rate_limited") == 30
    await asyncio.sleep(0.5)  # tokens refill: frames are read again
    await _still_open(client)


async def test_sustained_flood_closes_with_1008(make_server: MakeServer) -> None:
    server = await make_server(rate_per_second=5.0, rate_burst=5, abuse_threshold=20)
    client = await server.client()
    with pytest.raises(websockets.ConnectionClosed) as closed:
        for _ in range(200):
            await client.send_raw('{"type":"shout"}')
        while True:
            await client.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


async def test_server_faults_cost_a_frame_not_the_connection(
    server: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dealroom.server.log import LogUnavailable
    from dealroom.server.rooms import RoomService

    _, buyer, _ = await server.seated()
    real = RoomService.submit_soon
    faults: list[Exception] = [LogUnavailable("disk gone"), RuntimeError("bug")]

    def failing(self: RoomService, room: Any, command: Any, done: Any) -> None:
        if not faults:
            real(self, room, command, done)
        elif isinstance(faults[0], LogUnavailable):  # as a failed group commit answers
            asyncio.get_running_loop().call_soon(done, faults.pop(0))
        else:
            raise faults.pop(0)  # a bug in the room service

    monkeypatch.setattr(RoomService, "submit_soon", failing)
    assert (await buyer.move("offer", "f1", terms=terms()))["code"] == "unavailable"
    assert (await buyer.move("offer", "f1", terms=terms()))["code"] == "internal_error"
    retry = await buyer.move("offer", "f1", terms=terms())
    assert retry["type"] == "ack" and retry["duplicate"] is False


async def test_tokens_with_any_text_are_refused_not_failed(server: Running) -> None:
    """hmac.compare_digest raises on non-ASCII str: a token is compared as bytes."""
    client = await server.client()
    for token in ("é.buyer.é", "r.buyer.ü" * 3, "\u202e.seller.x"):
        reply = await client.hello(token)
        assert reply["type"] == "error" and reply["code"] == "invalid_token"
    for path in ("/projector/%C3%A9.projector.%C3%A9/data", "/debrief/x.buyer.%C3%A9"):
        async with server.session.get(server.base + path) as answer:
            assert answer.status == 404, path
    async with server.session.post(server.base + "/open/w.open.%C3%A9/seat", json={}) as answer:
        assert answer.status == 404
