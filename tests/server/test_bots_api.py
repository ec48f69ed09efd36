"""Bots seated by the facilitator API, and practice rooms, over real sockets."""

from __future__ import annotations

from .conftest import Running


async def test_practice_room_gives_a_link_and_a_persona_bot_plays_the_other_side(
    server: Running,
) -> None:
    status, practice = await server.api(
        "POST", "/api/practice", {"scenario": "small", "persona": "driver", "pace": 0}
    )
    assert status == 201, practice
    assert practice["role"] == "buyer" and practice["url"].endswith("/join/" + practice["token"])
    assert practice["bot"] == {
        "role": "seller",
        "persona": "driver",
        "strategy": "boulware",
        "pace": 0.0,
    }
    learner = await server.client()
    welcome = await learner.hello(practice["token"])
    assert welcome["role"] == "buyer"
    offer = await learner.event("offer", by="seller", timeout=10)
    assert offer["class"] == "opening"
    accepted = await learner.move("accept", offer=offer["seq"])
    assert accepted["type"] == "ack"
    assert (await learner.event("ended"))["outcome"] == "agreed"


async def test_seat_a_bot_in_an_empty_seat(server: Running) -> None:
    room = await server.room()
    status, bot = await server.api(
        "POST", f"/api/rooms/{room['id']}/bots", {"role": "seller", "persona": "amiable", "pace": 0}
    )
    assert status == 201 and bot["strategy"] == "conceder"
    buyer = await server.client()
    await buyer.hello(room["seats"]["buyer"]["token"])
    await buyer.event("started", timeout=10)
    opening = await buyer.event("offer", by="seller", timeout=10)
    assert opening["class"] == "opening"


async def test_bad_bot_requests(server: Running) -> None:
    room, _, _ = await server.seated()
    status, answer = await server.api("POST", f"/api/rooms/{room['id']}/bots", {"role": "buyer"})
    assert status == 409 and answer["error"]["code"] == "seat_taken"
    status, answer = await server.api(
        "POST", "/api/practice", {"scenario": "small", "persona": "wizard"}
    )
    assert status == 400 and "analytical" in answer["error"]["message"]
    status, answer = await server.api(
        "POST", "/api/practice", {"scenario": "small", "strategy": "luck"}
    )
    assert status == 400 and answer["error"]["code"] == "invalid_request"
