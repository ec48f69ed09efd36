"""What one connection, one seat or one resume can cost the server is bounded (DESIGN.md
principle 7), over real sockets."""

from __future__ import annotations

import asyncio
import time

import pytest
import websockets

from dealroom.server.referee import Announce
from dealroom.server.web.keys import CONNECTIONS, ROOMS

from .conftest import MakeServer
from .wsclient import WsClient

ANNOUNCEMENTS = 6000


async def test_sockets_that_never_say_hello_are_closed_and_starve_nobody(
    make_server: MakeServer,
) -> None:
    server = await make_server(hello_timeout_seconds=1.5)
    idle = [
        await websockets.connect(server.ws_url, subprotocols=["dealroom.v1.json"])  # type: ignore[list-item]
        for _ in range(300)
    ]
    opened = time.monotonic()
    # While they are held, a participant still joins and the health check answers.
    room = await server.room()
    buyer = await server.client()
    assert (await buyer.hello(room["seats"]["buyer"]["token"]))["type"] == "welcome"
    async with server.session.get(server.base + "/healthz") as health:
        assert health.status == 200
    codes = await asyncio.gather(*(_closed_with(ws) for ws in idle))
    assert codes == [4001] * 300
    assert time.monotonic() - opened < 10
    assert len(server.app[CONNECTIONS]) == 1  # the participant, who said hello in time
    assert (await buyer.move("message", text="still here"))["type"] in ("ack", "error")


async def test_sockets_that_never_finish_a_request_are_closed_as_soon_as_silent_websockets(
    make_server: MakeServer,
) -> None:
    # Found by hand: a TCP connection that sent nothing, or half a request's
    # headers, was held for aiohttp's 75 s keep-alive, not the hello timeout:
    # a cheaper way to hold descriptors than a WebSocket that never says hello.
    server = await make_server(hello_timeout_seconds=1.5)
    host, port = server.base.removeprefix("http://").split(":")
    silent = [await asyncio.open_connection(host, int(port)) for _ in range(20)]
    halves = [await asyncio.open_connection(host, int(port)) for _ in range(20)]
    for _, writer in halves:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n")
    opened = time.monotonic()
    ends = await asyncio.gather(
        *(asyncio.wait_for(reader.read(100), 10) for reader, _ in silent + halves)
    )
    assert ends == [b""] * 40
    assert time.monotonic() - opened < 5
    for _, writer in silent + halves:
        writer.close()
    # A browser's idle keep-alive connection between two requests goes the same way,
    # and a new request is served on a new connection.
    async with server.session.get(server.base + "/healthz") as health:
        assert health.status == 200


async def _closed_with(ws: websockets.ClientConnection) -> int | None:
    await asyncio.wait_for(ws.wait_closed(), 10)
    return ws.close_code


async def test_past_the_connection_limit_the_upgrade_is_refused_and_http_still_answers(
    make_server: MakeServer,
) -> None:
    server = await make_server(max_connections=5)
    held = [await server.client() for _ in range(5)]
    with pytest.raises(websockets.InvalidStatus) as refused:
        await server.client()
    assert refused.value.response.status_code == 503
    assert b"server_full" in refused.value.response.body
    async with server.session.get(server.base + "/healthz") as health:
        assert health.status == 200
    await held.pop().close()
    for _ in range(50):  # the server notices the close a moment later
        try:
            held.append(await server.client())
            break
        except websockets.InvalidStatus:
            await asyncio.sleep(0.05)
    assert len(held) == 5


async def test_a_seat_has_one_rate_limit_whatever_the_number_of_connections(
    make_server: MakeServer,
) -> None:
    server = await make_server(rate_per_second=5.0, rate_burst=10, abuse_threshold=100_000)
    room = await server.room()
    token = room["seats"]["buyer"]["token"]
    seats = [await server.client() for _ in range(4)]
    for seat in seats:
        assert (await seat.hello(token))["type"] == "welcome"
    fifth = await server.client()
    busy = await fifth.hello(token)
    assert busy["type"] == "error" and busy["code"] == "seat_busy"

    started = time.monotonic()
    replies = await asyncio.gather(
        *(_messages(seat, 25) for seat in seats)  # 100 moves from one seat
    )
    elapsed = time.monotonic() - started
    acked = sum(r.count("ack") for r in replies)
    # The burst, what the rate refilled meanwhile, and the 4 hellos the gate also counted.
    assert acked <= 10 + 5 * elapsed + 1
    assert sum(r.count("rate_limited") for r in replies) >= 100 - acked - 4 > 0
    # Closing a connection frees its place on the seat.
    await seats[0].close()
    for _ in range(50):
        retry = await server.client()
        if (await retry.hello(token))["type"] == "welcome":
            break
        await retry.close()
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the seat stayed busy after a connection closed")


async def _messages(client: WsClient, count: int) -> list[str]:
    ids = [f"flood-{id(client)}-{n}" for n in range(count)]
    for move_id in ids:
        await client.send({"type": "move", "id": move_id, "kind": "message", "text": "x" * 2000})
    outcomes: list[str] = []
    while len(outcomes) < count:
        frame = await client.recv()
        if frame["type"] == "ack":
            outcomes.append("ack")
        elif frame["type"] == "error":
            outcomes.append(frame["code"])
    return outcomes


async def test_resuming_a_very_large_room_from_zero_catches_up_completely(
    make_server: MakeServer,
) -> None:
    """12 MB of events, 48 times the send buffer: the replay follows the client's reading."""
    server = await make_server(store="memory", send_buffer_bytes=256 * 1024)
    created = await server.room()
    rooms = server.app[ROOMS]
    room = await rooms.room(created["id"])
    assert room is not None
    text = "a long announcement " * 100  # 2,000 characters
    for _ in range(ANNOUNCEMENTS):
        await rooms.submit(room, Announce(text=text, now=rooms.clock()))
    last = room.state.seq

    client = await WsClient.connect(server.ws_url, max_queue=4)  # a reader that falls behind
    token = created["seats"]["buyer"]["token"]
    await client.send({"type": "hello", "token": token, "resume_after": 0})
    await asyncio.sleep(1.0)  # read nothing for a while: the server must wait, not cut us off
    seqs: list[int] = []
    while not seqs or seqs[-1] < last:
        frame = await client.recv(timeout=30)
        if frame["type"] == "event":
            seqs.append(frame["seq"])
    assert seqs == sorted(set(seqs)) and seqs[-1] == last  # in order, no duplicate
    assert len([s for s in seqs if s > 1]) >= ANNOUNCEMENTS  # every announcement
    # Still connected, and live events follow the replay.
    seller = await server.client()
    welcome = await seller.hello(created["seats"]["seller"]["token"], resume_after=last)
    assert welcome["type"] == "welcome"
    joined = await client.event("joined", by="seller", timeout=10)
    assert joined["seq"] > last


async def test_reconnecting_in_a_loop_neither_grows_the_log_nor_escapes_the_seat_rate(
    make_server: MakeServer,
) -> None:
    server = await make_server(rate_per_second=5.0, rate_burst=10, abuse_threshold=100_000)
    room = await server.room()
    token = room["seats"]["buyer"]["token"]
    watcher = await server.client()
    assert (await watcher.hello(room["seats"]["seller"]["token"]))["type"] == "welcome"
    answers = []
    for n in range(30):  # connect, hello with a new name, close: far faster than the rate
        churn = await server.client()
        answers.append((await churn.hello(token, name=f"name {n}"))["type"])
        await churn.close()
    assert answers.count("welcome") <= 10 + 5 * 10  # the burst, then the seat's rate at most
    assert "error" in answers  # hellos were refused: they count against the seat
    detail = await server.api("GET", f"/api/rooms/{room['id']}")
    presence = [e for e in detail[1]["events"] if e["kind"] in ("joined", "left")]
    # One joined per seat: every reconnect came back within the grace period.
    assert [(e["kind"], e["by"]) for e in presence] == [("joined", "seller"), ("joined", "buyer")]


async def test_a_seat_gone_longer_than_the_grace_period_is_recorded_as_left(
    make_server: MakeServer,
) -> None:
    server = await make_server(presence_grace_seconds=0.3)
    room = await server.room()
    watcher = await server.client()
    assert (await watcher.hello(room["seats"]["seller"]["token"]))["type"] == "welcome"
    buyer = await server.client()
    assert (await buyer.hello(room["seats"]["buyer"]["token"]))["type"] == "welcome"
    await buyer.close()
    left = await watcher.event("left", by="buyer", timeout=5)
    back = await server.client()
    assert (await back.hello(room["seats"]["buyer"]["token"]))["type"] == "welcome"
    joined = await watcher.event("joined", by="buyer", timeout=5)
    assert joined["seq"] > left["seq"]
