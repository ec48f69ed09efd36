"""A workshop's round over real sockets: held rooms wait, one start gives every room one
deadline, latecomers join the running round, and extend/announce/end act on every room."""

from __future__ import annotations

import asyncio
from typing import Any

from .conftest import Running
from .wsclient import WsClient


async def _together(server: Running, rooms: int = 3, **extra: Any) -> dict[str, Any]:
    body = {"scenario": "small", "rooms": rooms, "start": "together", **extra}
    status, workshop = await server.api("POST", "/api/workshops", body)
    assert status == 201, workshop
    assert workshop["start"] == "together" and workshop["round"] is None
    assert all(room["held"] for room in workshop["rooms"])
    return workshop


async def _join(server: Running, room: dict[str, Any], role: str, name: str) -> WsClient:
    client = await server.client()
    welcome = await client.hello(room["seats"][role]["token"], name=name)
    assert welcome["type"] == "welcome", welcome
    return client


async def _nothing_starts(client: WsClient) -> None:
    """The client's room records no `started` for a while (a held room waits)."""
    try:
        started = await client.event("started", timeout=0.4)
    except TimeoutError:
        return
    raise AssertionError(f"the room started by itself: {started}")


async def _room_state(server: Running, room_id: str) -> dict[str, Any]:
    status, room = await server.api("GET", f"/api/rooms/{room_id}")
    assert status == 200
    return room["state"]  # type: ignore[no-any-return]


async def _settled(server: Running, room_id: str, joined: int) -> dict[str, Any]:
    """The room's state once ``joined`` seats' joins are in its log."""
    for _ in range(100):
        state = await _room_state(server, room_id)
        if len(state["joined"]) >= joined:
            return state
        await asyncio.sleep(0.02)
    raise AssertionError(f"room {room_id}: {joined} seats never joined")


async def test_filled_rooms_wait_then_start_together_with_one_deadline(server: Running) -> None:
    workshop = await _together(server)
    one, two, three = workshop["rooms"]
    clients = [
        await _join(server, one, "buyer", "Ana"),
        await _join(server, one, "seller", "Sam"),
        await _join(server, two, "seller", "Bo"),
        await _join(server, two, "buyer", "Cy"),
        await _join(server, three, "buyer", "Di"),  # its seller is late
    ]
    for room, joined in ((one, 2), (two, 2), (three, 1)):
        state = await _settled(server, room["id"], joined)
        assert state["phase"] == "waiting" and state["deadline"] is None
    await _nothing_starts(clients[0])

    status, answer = await server.api("POST", f"/api/workshops/{workshop['id']}/start")
    assert status == 200, answer
    round_ = answer["workshop"]["round"]
    assert round_["deadline"] == round_["started_at"] + 600_000  # the scenario's 600 s
    assert answer["applied"] == 2
    results = {r["room"]: r for r in answer["rooms"]}
    for room in (one, two):
        assert results[room["id"]]["result"] == "applied"
        assert results[room["id"]]["state"]["deadline"] == round_["deadline"]
    assert results[three["id"]]["result"] == "refused"
    assert results[three["id"]]["code"] == "not_started"
    assert results[three["id"]]["state"]["phase"] == "waiting"
    # Every seat sees the usual `started`, with the round's deadline.
    for client in clients[:4]:
        started = await client.event("started")
        assert started["deadline"] == round_["deadline"] and started["by"] == "system"

    # The late seller: the room starts at once, with the same deadline.
    late = await _join(server, three, "seller", "Ed")
    started = await late.event("started")
    assert started["deadline"] == round_["deadline"]
    assert (await clients[4].event("started"))["deadline"] == round_["deadline"]

    # So does a pair that arrives through the open link now, in a new room.
    token = workshop["open_link"]["token"]
    seats = []
    for name in ("Fay", "Gus"):
        async with server.session.post(
            f"{server.base}/open/{token}/seat", json={"name": name}
        ) as r:
            assert r.status == 201
            seats.append(await r.json())
    assert seats[0]["room"] == seats[1]["room"]
    pair = [await server.client(), await server.client()]
    for client, seat in zip(pair, seats, strict=True):
        assert (await client.hello(seat["token"]))["type"] == "welcome"
    assert (await pair[0].event("started"))["deadline"] == round_["deadline"]
    _, again = await server.api("GET", f"/api/workshops/{workshop['id']}")
    assert again["round"] == round_
    assert {r["state"]["deadline"] for r in again["rooms"]} == {round_["deadline"]}
    for client in [*clients, late, *pair]:
        await client.close()


async def test_start_takes_the_rounds_length(server: Running) -> None:
    workshop = await _together(server, rooms=1)
    [room] = workshop["rooms"]
    clients = [await _join(server, room, "buyer", "A"), await _join(server, room, "seller", "B")]
    await _settled(server, room["id"], 2)
    status, answer = await server.api(
        "POST", f"/api/workshops/{workshop['id']}/start", {"seconds": 90}
    )
    assert status == 200, answer
    round_ = answer["workshop"]["round"]
    assert round_["deadline"] == round_["started_at"] + 90_000
    assert (await clients[0].event("started"))["deadline"] == round_["deadline"]
    for bad in ({"seconds": 0}, {"seconds": 86_401}, {"minutes": 5}):
        status, refused = await server.api("POST", f"/api/workshops/{workshop['id']}/start", bad)
        assert status == 400 and refused["error"]["code"] == "invalid_request"
    for client in clients:
        await client.close()


async def test_start_is_refused_when_nothing_can_start(server: Running) -> None:
    status, plain = await server.api("POST", "/api/workshops", {"scenario": "small", "rooms": 1})
    assert status == 201 and plain["start"] == "on_join" and not plain["rooms"][0]["held"]
    status, refused = await server.api("POST", f"/api/workshops/{plain['id']}/start")
    assert status == 409 and refused["error"]["code"] == "invalid_action"
    assert "together" in refused["error"]["message"]

    workshop = await _together(server, rooms=2)
    status, refused = await server.api("POST", f"/api/workshops/{workshop['id']}/start")
    assert status == 409 and refused["error"]["code"] == "not_started"
    buyer = await _join(server, workshop["rooms"][0], "buyer", "Solo")
    await _settled(server, workshop["rooms"][0]["id"], 1)
    status, refused = await server.api("POST", f"/api/workshops/{workshop['id']}/start")
    assert status == 409 and refused["error"]["code"] == "not_started"
    _, still = await server.api("GET", f"/api/workshops/{workshop['id']}")
    assert still["round"] is None  # a refused start records no round

    # Once started, starting again with nothing waiting is refused the same way.
    seller = await _join(server, workshop["rooms"][0], "seller", "Duo")
    await _settled(server, workshop["rooms"][0]["id"], 2)
    status, answer = await server.api("POST", f"/api/workshops/{workshop['id']}/start")
    assert status == 200 and answer["applied"] == 1
    status, refused = await server.api("POST", f"/api/workshops/{workshop['id']}/start")
    assert status == 409 and refused["error"]["code"] == "not_started"
    assert "running" in refused["error"]["message"]

    status, missing = await server.api("POST", "/api/workshops/wnope/start")
    assert status == 404 and missing["error"]["code"] == "not_found"
    status, denied = await server.api("POST", f"/api/workshops/{workshop['id']}/start", token="x")
    assert status == 401 and denied["error"]["code"] == "unauthorized"
    await buyer.close()
    await seller.close()


async def test_extend_announce_and_end_act_on_every_room(server: Running) -> None:
    workshop = await _together(server, rooms=3)
    one, two, three = workshop["rooms"]
    clients = [
        await _join(server, one, "buyer", "A"),
        await _join(server, one, "seller", "B"),
        await _join(server, two, "buyer", "C"),
        await _join(server, two, "seller", "D"),
        await _join(server, three, "buyer", "E"),
    ]
    await _settled(server, two["id"], 2)
    await _settled(server, three["id"], 1)
    base = f"/api/workshops/{workshop['id']}"

    # Before the round: a held room's clock is the round's, so extend refuses them all.
    status, answer = await server.api("POST", f"{base}/extend", {"seconds": 60})
    assert status == 200 and answer["applied"] == 0
    assert {r["code"] for r in answer["rooms"]} == {"invalid_action"}

    status, started = await server.api("POST", f"{base}/start")
    assert status == 200
    deadline = started["workshop"]["round"]["deadline"]

    status, answer = await server.api("POST", f"{base}/extend", {"seconds": 120})
    assert status == 200, answer
    assert answer["workshop"]["round"]["deadline"] == deadline + 120_000
    outcome = {r["room"]: r for r in answer["rooms"]}
    assert [r["room"] for r in answer["rooms"]] == [one["id"], two["id"], three["id"]]
    for room in (one, two):
        assert outcome[room["id"]]["result"] == "applied"
        assert isinstance(outcome[room["id"]]["seq"], int)
        assert outcome[room["id"]]["state"]["deadline"] == deadline + 120_000
    assert outcome[three["id"]]["code"] == "invalid_action"  # waiting for its seller
    extended = await clients[0].event("extended")
    assert extended["deadline"] == deadline + 120_000
    # The latecomer gets the extended round's deadline: everyone still ends together.
    late = await _join(server, three, "seller", "F")
    assert (await late.event("started"))["deadline"] == deadline + 120_000

    for bad in (0, -5, 86_401):
        status, refused = await server.api("POST", f"{base}/extend", {"seconds": bad})
        assert status == 409 and refused["error"]["code"] == "invalid_action"

    status, answer = await server.api("POST", f"{base}/announce", {"text": "Five minutes left."})
    assert status == 200 and answer["applied"] == 3
    for client in (clients[0], clients[2], late):
        assert (await client.event("announcement"))["text"] == "Five minutes left."
    status, refused = await server.api("POST", f"{base}/announce", {"text": "   "})
    assert status == 409 and refused["error"]["code"] == "invalid_action"
    status, refused = await server.api("POST", f"{base}/announce", {"text": ""})
    assert status == 400

    # One room ends on its own first; end-all ends the others and the round.
    status, _ = await server.api("POST", f"/api/rooms/{one['id']}/end")
    assert status == 200
    status, answer = await server.api("POST", f"{base}/end")
    assert status == 200 and answer["applied"] == 2
    assert {r["room"] for r in answer["rooms"]} == {two["id"], three["id"]}  # live rooms only
    assert all(r["state"]["outcome"] == "closed" for r in answer["rooms"])
    assert answer["workshop"]["round"]["ended_at"] is not None
    assert (await clients[2].event("ended"))["outcome"] == "closed"
    status, answer = await server.api("POST", f"{base}/end")
    assert status == 200 and answer["applied"] == 0 and answer["rooms"] == []

    # After the round, a pair that fills a room waits for the next start.
    room = (await server.room(workshop=workshop["id"], label="After"))["seats"]
    assert (await server.api("GET", f"/api/workshops/{workshop['id']}"))[1]["rooms"][-1]["held"]
    pair = [await server.client(), await server.client()]
    for client, role in zip(pair, ("buyer", "seller"), strict=True):
        assert (await client.hello(room[role]["token"]))["type"] == "welcome"
    await _nothing_starts(pair[0])
    # ... and the next start is a new round.
    status, answer = await server.api("POST", f"{base}/start", {"seconds": 300})
    assert status == 200 and answer["applied"] == 1
    assert answer["workshop"]["round"]["ended_at"] is None
    assert (await pair[0].event("started"))["deadline"] == answer["workshop"]["round"]["deadline"]
    for client in [*clients, late, *pair]:
        await client.close()


async def test_workshop_actions_work_on_an_on_join_workshop(server: Running) -> None:
    status, workshop = await server.api("POST", "/api/workshops", {"scenario": "small", "rooms": 2})
    assert status == 201
    one, two = workshop["rooms"]
    clients = [await _join(server, one, "buyer", "A"), await _join(server, one, "seller", "B")]
    await clients[0].event("started")
    base = f"/api/workshops/{workshop['id']}"
    status, answer = await server.api("POST", f"{base}/extend", {"seconds": 60})
    assert status == 200 and answer["applied"] == 2  # the waiting room's time grows too
    assert answer["workshop"]["round"] is None
    by_room = {r["room"]: r["state"] for r in answer["rooms"]}
    assert by_room[two["id"]]["duration_ms"] == 660_000
    status, answer = await server.api("POST", f"{base}/end")
    assert status == 200 and answer["applied"] == 2
    for client in clients:
        await client.close()
