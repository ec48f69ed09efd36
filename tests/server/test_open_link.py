"""A workshop's open link pairs arrivals into rooms, balanced, and survives a restart."""

from __future__ import annotations

from dealroom.server.log import MemoryLog
from dealroom.server.rooms.workshops import Workshops

from .conftest import Running


async def test_arrivals_are_paired_into_rooms_with_balanced_roles(server: Running) -> None:
    status, workshop = await server.api("POST", "/api/workshops", {"scenario": "small"})
    assert status == 201
    link = workshop["open_link"]
    assert link["url"].endswith("/open/" + link["token"])
    seats = []
    for n in range(5):
        async with server.session.post(
            f"{server.base}/open/{link['token']}/seat", json={"name": f"P{n}"}
        ) as r:
            assert r.status == 201
            seats.append(await r.json())
    assert [s["role"] for s in seats] == ["buyer", "seller", "seller", "buyer", "buyer"]
    assert seats[0]["room"] == seats[1]["room"] and seats[2]["room"] == seats[3]["room"]
    assert len({s["room"] for s in seats}) == 3
    _, again = await server.api("GET", f"/api/workshops/{workshop['id']}")
    assert {r["id"] for r in again["rooms"]} == {s["room"] for s in seats}
    # The seat handed out is a real seat: hello with it joins that room in that role.
    client = await server.client()
    welcome = await client.hello(seats[2]["token"])
    assert welcome["room"] == seats[2]["room"] and welcome["role"] == "seller"
    async with server.session.get(f"{server.base}/open/{link['token']}") as r:
        assert r.status == 200 and "Take a seat" in await r.text()


async def test_a_bad_open_link_is_refused(server: Running) -> None:
    _, workshop = await server.api("POST", "/api/workshops", {"scenario": "small"})
    forged = workshop["open_link"]["token"][:-2] + "xx"
    async with server.session.post(f"{server.base}/open/{forged}/seat", json={}) as r:
        assert r.status == 404 and (await r.json())["error"]["code"] == "not_found"
    seat_token_as_link = workshop["id"] + ".buyer.abc"
    async with server.session.post(f"{server.base}/open/{seat_token_as_link}/seat") as r:
        assert r.status == 404


async def test_assignments_are_restored_from_the_log() -> None:
    log = MemoryLog()
    first = Workshops(log)
    workshop = await first.create("W", "small", now=1)
    rooms = iter(["r1", "r2"])

    async def new_room() -> str:
        return next(rooms)

    await first.assign(workshop.id, new_room, now=2)
    restarted = Workshops(log)
    await restarted.start()
    before, after = await first.get(workshop.id), await restarted.get(workshop.id)
    assert before is not None and after is not None and after.seats == before.seats
    second = await restarted.assign(workshop.id, new_room, now=3)
    assert (second.room, second.role) == ("r1", "seller")


async def test_qr_codes_encode_the_join_and_open_links(server: Running) -> None:
    import io

    import segno

    _, workshop = await server.api("POST", "/api/workshops", {"scenario": "small", "rooms": 1})
    seat = workshop["rooms"][0]["seats"]["buyer"]
    for token, url in (
        (seat["token"], seat["url"]),
        (workshop["open_link"]["token"], workshop["open_link"]["url"]),
    ):
        async with server.session.get(f"{server.base}/qr/{token}.svg") as r:
            assert r.status == 200 and r.content_type == "image/svg+xml"
            body = await r.read()
        expected = io.BytesIO()
        segno.make(url, error="m").save(
            expected, kind="svg", scale=6, border=2, xmldecl=False, title="join link"
        )
        assert body == expected.getvalue()


async def test_a_participant_reads_their_own_debrief_once_the_room_ends(server: Running) -> None:
    _, workshop = await server.api("POST", "/api/workshops", {"scenario": "small", "rooms": 1})
    room = workshop["rooms"][0]
    buyer = await server.client()
    seller = await server.client()
    await buyer.hello(room["seats"]["buyer"]["token"])
    await seller.hello(room["seats"]["seller"]["token"])
    await buyer.event("started")
    url = f"{server.base}/debrief/{room['seats']['buyer']['token']}"
    async with server.session.get(url) as r:
        assert r.status == 409
    offer = await seller.move("offer", terms={"price": 150, "warranty": "2 years", "delivery": 7})
    await buyer.move("message", text="Why that date?", intent="question")
    await buyer.move("accept", offer=offer["seq"])
    async with server.session.get(url) as r:
        assert r.status == 200
        debrief = await r.json()
    assert debrief["role"] == "buyer" and debrief["score"] == 52.5
    assert debrief["beat_reservation"] is True and debrief["cohort"] == [52.5]
    assert {c["key"] for c in debrief["coaching"]} >= {"coach_beat_batna"}
    # Only the reader's own figures: never the counterpart's private score.
    assert set(debrief) == {
        "role",
        "outcome",
        "terms",
        "score",
        "reservation_value",
        "beat_reservation",
        "distance_to_frontier",
        "cohort",
        "coaching",
    }
    async with server.session.get(
        f"{server.base}/debrief/{room['seats']['observer']['token']}"
    ) as r:
        assert r.status == 404
