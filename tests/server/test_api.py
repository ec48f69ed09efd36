"""The facilitator HTTP API."""

from __future__ import annotations

from tests.support import terms

from .conftest import Running


async def test_requires_the_facilitator_token(server: Running) -> None:
    for token in ("", "wrong"):
        status, body = await server.api("GET", "/api/rooms", token=token)
        assert status == 401 and body["error"]["code"] == "unauthorized"
    async with server.session.get(server.base + "/healthz") as r:
        assert r.status == 200 and (await r.json())["status"] == "ok"


async def test_scenarios_list_is_public_and_detail_is_whole(server: Running) -> None:
    status, listing = await server.api("GET", "/api/scenarios")
    assert status == 200
    ids = {s["id"] for s in listing}
    assert {"equipment-purchase", "software-subscription", "fleet-lease", "small"} <= ids
    assert all("brief" not in str(s["roles"]) for s in listing)
    status, detail = await server.api("GET", "/api/scenarios/small")
    assert status == 200 and detail["roles"]["buyer"]["brief"].startswith("BUYER-SECRET")
    status, missing = await server.api("GET", "/api/scenarios/nope")
    assert status == 404 and missing["error"]["code"] == "not_found"


async def test_workshop_with_rooms(server: Running) -> None:
    status, workshop = await server.api(
        "POST", "/api/workshops", {"scenario": "equipment-purchase", "rooms": 3, "title": "Q4"}
    )
    assert status == 201
    assert workshop["title"] == "Q4" and len(workshop["rooms"]) == 3
    seats = workshop["rooms"][0]["seats"]
    assert set(seats) == {"buyer", "seller", "observer"}
    assert seats["buyer"]["url"].endswith("/join/" + seats["buyer"]["token"])
    status, listing = await server.api("GET", "/api/workshops")
    assert status == 200 and listing[0]["room_count"] == 3
    status, again = await server.api("GET", f"/api/workshops/{workshop['id']}")
    assert [r["id"] for r in again["rooms"]] == [r["id"] for r in workshop["rooms"]]
    status, rooms = await server.api("GET", f"/api/rooms?workshop={workshop['id']}")
    assert len(rooms) == 3
    status, extra = await server.api(
        "POST", "/api/rooms", {"scenario": "equipment-purchase", "workshop": workshop["id"]}
    )
    assert status == 201 and extra["workshop"] == workshop["id"]


async def test_bad_requests_get_clear_errors(server: Running) -> None:
    cases = [
        ("POST", "/api/rooms", {"scenario": 5}),
        ("POST", "/api/rooms", {"scenario": "small", "colour": "red"}),
        ("POST", "/api/workshops", {"scenario": "small", "rooms": 100000}),
    ]
    for method, path, body in cases:
        status, answer = await server.api(method, path, body)
        assert status == 400 and answer["error"]["code"] == "invalid_request", (path, body)
    status, answer = await server.api("POST", "/api/rooms", {"scenario": "nope"})
    assert status == 404
    status, answer = await server.api("POST", "/api/rooms", {"scenario": "small", "workshop": "w0"})
    assert status == 404
    status, answer = await server.api("GET", "/api/rooms/none")
    assert status == 404 and answer["error"]["code"] == "not_found"


async def test_control_actions(server: Running) -> None:
    room, buyer, seller = await server.seated()
    rid = room["id"]
    status, paused = await server.api("POST", f"/api/rooms/{rid}/pause")
    assert status == 200 and paused["state"]["phase"] == "paused"
    assert (await buyer.event("paused"))["remaining_ms"] > 0
    refused = await buyer.move("offer", terms=terms())
    assert refused["code"] == "room_paused"
    status, again = await server.api("POST", f"/api/rooms/{rid}/pause")
    assert status == 409 and again["error"]["code"] == "invalid_action"
    status, extended = await server.api("POST", f"/api/rooms/{rid}/extend", {"seconds": 60})
    assert status == 200
    assert extended["state"]["remaining_ms"] > paused["state"]["remaining_ms"] + 59_000
    status, resumed = await server.api("POST", f"/api/rooms/{rid}/resume")
    assert status == 200 and resumed["state"]["deadline"] is not None
    assert (await seller.event("resumed"))["deadline"] == resumed["state"]["deadline"]
    status, _ = await server.api("POST", f"/api/rooms/{rid}/announce", {"text": "Five minutes"})
    assert status == 200
    assert (await seller.event("announcement"))["text"] == "Five minutes"
    status, bad = await server.api("POST", f"/api/rooms/{rid}/extend", {"seconds": -5})
    assert status == 409 and bad["error"]["code"] == "invalid_action"
    status, _ = await server.api("POST", f"/api/rooms/{rid}/end")
    assert status == 200
    status, detail = await server.api("GET", f"/api/rooms/{rid}")
    kinds = [e["kind"] for e in detail["events"]]
    assert kinds[0] == "created" and kinds[-1] == "ended"
    assert {"paused", "extended", "resumed", "announcement"} <= set(kinds)
    status, late = await server.api("POST", f"/api/rooms/{rid}/pause")
    assert status == 409 and late["error"]["code"] == "room_ended"


async def test_favicon_is_no_content_not_an_error(server: Running) -> None:
    async with server.session.get(f"{server.base}/favicon.ico") as response:
        assert response.status == 204
        assert "max-age" in response.headers["Cache-Control"]
