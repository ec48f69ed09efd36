"""Bots seated by the facilitator API, and practice rooms, over real sockets."""

from __future__ import annotations

import asyncio

from dealroom.server.web.keys import LOG

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


async def test_a_bot_seat_is_indexed_while_its_room_is_live(server: Running) -> None:
    """Start-up resumes bots from the index `bots:live`; a room that ends takes its seats out."""
    log = server.app[LOG]
    room = await server.room()
    status, _ = await server.api(
        "POST", f"/api/rooms/{room['id']}/bots", {"role": "seller", "persona": "driver", "pace": 0}
    )
    assert status == 201
    assert [key for key, _ in await log.scan_index("bots:live")] == [f"{room['id']}:seller"]
    status, _ = await server.api("POST", f"/api/rooms/{room['id']}/end")
    assert status == 200
    for _ in range(100):  # removed with the room's directory entry, once `ended` is durable
        if not await log.scan_index("bots:live"):
            break
        await asyncio.sleep(0.02)
    assert await log.scan_index("bots:live") == []
    assert len(await log.read(f"bots:{room['id']}")) == 1  # the record itself stays
