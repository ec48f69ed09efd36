"""The application heartbeat: ``ping`` is answered with ``pong`` behind everything the
connection was owed when the ping was read (server/web/ws.py), on real sockets."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from dealroom.server.web.keys import ROOMS
from tests.support import terms

from .conftest import MakeServer, Running
from .wsclient import JSON_SUB, MSGPACK_SUB, Frame, WsClient

BOTH = pytest.mark.parametrize("sub", [JSON_SUB, MSGPACK_SUB])

REPLIES = ("ack", "error", "pong")


async def _replies(client: WsClient, count: int) -> list[Frame]:
    """The next ``count`` acks, errors and pongs past the read cursor, in arrival order."""
    return [await client.until(lambda f: f["type"] in REPLIES) for _ in range(count)]


async def _room_seq(server: Running, room_id: str) -> int:
    status, body = await server.api("GET", f"/api/rooms/{room_id}")
    assert status == 200, body
    return int(body["state"]["seq"])


def _slow_commits(server: Running, monkeypatch: pytest.MonkeyPatch, delay: float) -> None:
    """Each group commit settles ``delay`` seconds late: frames sent behind a move
    surely arrive while it waits (in the session's backlog)."""
    log = server.app[ROOMS].log
    append_soon = log.append_soon

    def late(stream: str, seq: int, entries: Any, done: Callable[[Any], None]) -> None:
        loop = asyncio.get_running_loop()
        append_soon(stream, seq, entries, lambda error: loop.call_later(delay, done, error))

    monkeypatch.setattr(log, "append_soon", late)


@BOTH
async def test_a_ping_before_hello_gets_a_pong_with_seq_0(server: Running, sub: str) -> None:
    room = await server.room()
    client = await server.client(sub)
    before = int(time.time() * 1000)
    await client.send({"type": "ping", "id": "p-early"})
    pong = await client.recv()
    assert pong == {
        "type": "pong",
        "id": "p-early",
        "seq": 0,
        "server_time": pong["server_time"],
        "seat_connections": 0,
    }
    assert before - 1000 <= pong["server_time"] <= time.time() * 1000 + 1000
    await client.send({"type": "ping"})
    second = await client.recv()
    assert (second["type"], second["id"], second["seq"]) == ("pong", None, 0)
    # ...and no error: the connection joins as if nothing had been said.
    welcome = await client.hello(room["seats"]["buyer"]["token"])
    assert welcome["type"] == "welcome"
    assert [f["type"] for f in client.frames] == ["pong", "pong", "welcome"]


@BOTH
async def test_a_ping_after_hello_carries_the_rooms_seq(server: Running, sub: str) -> None:
    room, buyer, seller = await server.seated(sub)
    started = buyer.frames[-1]
    assert started["kind"] == "started"
    await buyer.send({"type": "ping"})
    pong = await buyer.until(lambda f: f["type"] == "pong")
    assert (pong["id"], pong["seq"]) == (None, started["seq"])
    assert pong["seq"] == await _room_seq(server, room["id"])
    # An event the buyer may not see still moves the room's seq on (as welcome.seq does).
    status, _ = await server.api(
        "POST", f"/api/rooms/{room['id']}/message", {"text": "psst", "to": "seller"}
    )
    assert status == 200
    private = await seller.event("message")
    await buyer.send({"type": "ping", "id": "p2"})
    pong = await buyer.until(lambda f: f["type"] == "pong")
    assert (pong["id"], pong["seq"]) == ("p2", private["seq"])
    assert not [f for f in buyer.frames if f["type"] == "error"]


@BOTH
async def test_observers_and_facilitators_get_pongs_too(server: Running, sub: str) -> None:
    room, _, _ = await server.seated(sub)
    observer = await server.client(sub)
    assert (await observer.hello(room["seats"]["observer"]["token"]))["type"] == "welcome"
    facilitator = await server.client(sub)
    welcome = await facilitator.hello("facilitator-test-token", room=room["id"])
    assert welcome["type"] == "welcome"
    seq = await _room_seq(server, room["id"])
    for client in (observer, facilitator):
        await client.send({"type": "ping", "id": "w"})
        pong = await client.until(lambda f: f["type"] == "pong")
        assert (pong["id"], pong["seq"], pong["seat_connections"]) == ("w", seq, 0)


@BOTH
async def test_a_pong_says_when_the_seat_is_open_elsewhere_too(server: Running, sub: str) -> None:
    """A second tab or device on the same seat: both connections' pongs say 2, and 1
    again once the other one has closed."""
    room, buyer, _ = await server.seated(sub)
    await buyer.send({"type": "ping"})
    assert (await buyer.until(lambda f: f["type"] == "pong"))["seat_connections"] == 1
    again = await server.client(sub)
    assert (await again.hello(room["seats"]["buyer"]["token"]))["type"] == "welcome"
    for client in (buyer, again):
        await client.send({"type": "ping", "id": "two"})
        pong = await client.until(lambda f: f["type"] == "pong" and f["id"] == "two")
        assert pong["seat_connections"] == 2
    await again.close()
    for _ in range(100):  # the server sees the close a moment later
        await buyer.send({"type": "ping", "id": "after"})
        pong = await buyer.until(lambda f: f["type"] == "pong" and f["id"] == "after")
        if pong["seat_connections"] == 1:
            break
        await asyncio.sleep(0.02)
    assert pong["seat_connections"] == 1


@BOTH
async def test_a_pong_comes_after_the_ack_and_events_of_the_move_before_it(
    server: Running, sub: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, buyer, seller = await server.seated(sub)
    _slow_commits(server, monkeypatch, 0.2)
    start = len(buyer.frames)
    await buyer.send({"type": "move", "id": "o1", "kind": "offer", "terms": terms(150)})
    await buyer.send({"type": "ping", "id": "after-o1"})
    pong = await buyer.until(lambda f: f["type"] == "pong")
    got = buyer.frames[start:]
    assert [(f["type"], f.get("kind")) for f in got] == [
        ("event", "offer"),
        ("ack", None),
        ("pong", None),
    ]
    assert got[1]["id"] == "o1"
    assert pong["id"] == "after-o1"
    assert pong["seq"] == got[1]["seq"] == got[0]["seq"]
    # The counterpart, which did not ping, sees the offer and no pong.
    assert (await seller.event("offer", by="buyer"))["move"] == "o1"
    assert not [f for f in seller.frames if f["type"] == "pong"]


@BOTH
async def test_a_burst_of_moves_and_pings_is_answered_in_sending_order(
    server: Running, sub: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, buyer, _ = await server.seated(sub)
    _slow_commits(server, monkeypatch, 0.05)
    start = len(buyer.frames)
    burst: list[tuple[Frame, str]] = [  # (frame, the answer expected)
        ({"type": "ping", "id": "p0"}, "pong"),
        ({"type": "move", "id": "o1", "kind": "offer", "terms": terms(150)}, "ack"),
        ({"type": "ping", "id": "p1"}, "pong"),
        ({"type": "ping"}, "pong"),
        ({"type": "move", "id": "t1", "kind": "message", "text": "first"}, "ack"),
        ({"type": "move", "id": "c1", "kind": "concede", "terms": terms(140)}, "error"),
        ({"type": "ping", "id": "p2"}, "pong"),
        ({"type": "move", "id": "o1", "kind": "offer", "terms": terms(150)}, "ack"),  # a retry
        ({"type": "ping", "id": ""}, "error"),  # an invalid id: invalid_frame, in its place
        ({"type": "move", "id": "o2", "kind": "offer", "terms": terms(140)}, "ack"),
        ({"type": "ping", "id": "p3"}, "pong"),
    ]
    for frame, _ in burst:
        await buyer.send(frame)
    answers = await _replies(buyer, len(burst))
    assert [a["type"] for a in answers] == [expect for _, expect in burst]
    assert [a["id"] for a in answers] == [frame.get("id") for frame, _ in burst]
    assert answers[5]["code"] == "not_a_concession"
    assert answers[7]["duplicate"] is True
    assert answers[8]["code"] == "invalid_frame"
    # Each pong says the seq of everything before it, and all of it has arrived.
    received = buyer.frames[start:]
    for index, frame in enumerate(received):
        if frame["type"] != "pong":
            continue
        before = [f["seq"] for f in received[:index] if f["type"] == "event"]
        after = [f["seq"] for f in received[index:] if f["type"] == "event"]
        assert max(before, default=0) <= frame["seq"] < min(after, default=frame["seq"] + 1)
    pongs = [a["seq"] for a in answers if a["type"] == "pong"]
    o1, t1, o2 = (a["seq"] for a in answers if a["type"] == "ack" and not a["duplicate"])
    assert pongs == [o1 - 1, o1, o1, t1, o2]


@BOTH
async def test_pongs_never_overtake_the_counterparts_events(server: Running, sub: str) -> None:
    """Both seats move and ping at once: on each connection every event up to a
    pong's seq has arrived before that pong, whoever's move it was."""
    room, buyer, seller = await server.seated(sub)
    rounds = 15

    async def play(client: WsClient, name: str) -> None:
        for n in range(rounds):
            await client.send({"type": "move", "id": f"{name}{n}", "kind": "message", "text": "x"})
            await client.send({"type": "ping", "id": f"{name}-p{n}"})
            if n % 4 == 3:
                await asyncio.sleep(0.002)

    await asyncio.gather(play(buyer, "b"), play(seller, "s"))
    for client in (buyer, seller):  # its pong: every move of its own has been answered
        await client.send({"type": "ping", "id": "last"})
    for client in (buyer, seller):
        await client.until(lambda f: f["type"] == "pong" and f["id"] == "last", timeout=10)
    seq = await _room_seq(server, room["id"])  # both seats' moves all made
    for client, name in ((buyer, "b"), (seller, "s")):
        await client.send({"type": "ping", "id": "end"})
        end = await client.until(lambda f: f["type"] == "pong" and f["id"] == "end")
        assert end["seq"] == seq
        frames = client.frames
        assert [f["id"] for f in frames if f["type"] in REPLIES] == [
            *(move_id for n in range(rounds) for move_id in (f"{name}{n}", f"{name}-p{n}")),
            "last",
            "end",
        ]
        seen: set[int] = set()
        for frame in frames:
            if frame["type"] == "event":
                seen.add(frame["seq"])
            elif frame["type"] == "pong" and frame["seq"] > 0:
                messages = {
                    f["seq"]
                    for f in frames
                    if f.get("kind") == "message" and f["seq"] <= frame["seq"]
                }
                assert messages <= seen, frame


@BOTH
async def test_a_ping_with_an_invalid_id_is_invalid_frame_and_the_connection_stays(
    server: Running, sub: str
) -> None:
    room = await server.room()
    client = await server.client(sub)
    cases: list[tuple[Any, Any]] = [  # (id sent, id echoed in the error)
        ("x" * 65, "x" * 65),
        (7, None),
        ("", ""),
        (["p"], None),
    ]
    for sent, echoed in cases:
        await client.send({"type": "ping", "id": sent})
        error = await client.until(lambda f: f["type"] in REPLIES)
        assert (error["type"], error["code"], error["id"]) == ("error", "invalid_frame", echoed)
    await client.send({"type": "ping", "id": "x" * 64})
    assert (await client.until(lambda f: f["type"] in REPLIES))["type"] == "pong"
    assert (await client.hello(room["seats"]["seller"]["token"]))["type"] == "welcome"
    await client.send({"type": "ping", "id": 7})
    error = await client.until(lambda f: f["type"] in REPLIES)
    assert (error["type"], error["code"]) == ("error", "invalid_frame")
    await client.send({"type": "ping", "id": "ok"})
    assert (await client.until(lambda f: f["type"] in REPLIES))["type"] == "pong"


async def test_a_move_before_hello_is_still_hello_required(server: Running) -> None:
    client = await server.client()
    await client.send({"type": "ping", "id": "p"})
    await client.send({"type": "move", "id": "m1", "kind": "walk_away"})
    assert [(f["type"], f.get("code")) for f in await _replies(client, 2)] == [
        ("pong", None),
        ("error", "hello_required"),
    ]


@BOTH
async def test_pings_count_against_the_rate_limit(make_server: MakeServer, sub: str) -> None:
    server = await make_server(rate_per_second=1.0, rate_burst=10, abuse_threshold=1000)
    client = await server.client(sub)
    for n in range(40):
        await client.send({"type": "ping", "id": f"p{n}"})
    answers = [await client.recv() for _ in range(40)]
    codes = [a.get("code", a["type"]) for a in answers]
    assert codes.count("pong") == 10  # the burst is read
    assert codes.count("rate_limited") == 30
    assert [a["id"] for a in answers if a["type"] == "pong"] == [f"p{n}" for n in range(10)]
    await asyncio.sleep(1.1)  # a token refills: pings are answered again
    await client.send({"type": "ping", "id": "again"})
    assert (await client.recv())["id"] == "again"


async def test_a_seats_pings_spend_the_seats_rate(make_server: MakeServer) -> None:
    """After hello, pings spend the seat's bucket, which its moves share."""
    server = await make_server(rate_per_second=1.0, rate_burst=20, abuse_threshold=1000)
    _, buyer, _ = await server.seated()
    for n in range(30):
        await buyer.send({"type": "ping", "id": f"p{n}"})
    await buyer.send({"type": "move", "id": "m1", "kind": "message", "text": "hi"})
    answers = await _replies(buyer, 31)
    assert answers[0]["type"] == "pong"
    assert answers[-1]["code"] == "rate_limited"  # the pings ate the seat's tokens
    assert {a.get("code", a["type"]) for a in answers} == {"pong", "rate_limited"}
