"""Workshop housekeeping over real sockets: rename, duplicate, archive and unarchive, and
the listing's state per workshop; bad input refused with stable codes, nothing lost."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec

from dealroom.server.rooms.workshop_records import Renamed, decode
from dealroom.server.web.housekeeping_api import copy_title
from dealroom.server.web.keys import CATALOG, LOG
from tests.support import small_scenario

from .conftest import TOKEN, Running
from .wsclient import WsClient


async def _workshop(server: Running, **body: Any) -> dict[str, Any]:
    status, workshop = await server.api("POST", "/api/workshops", {"scenario": "small", **body})
    assert status == 201, workshop
    return workshop  # type: ignore[no-any-return]


async def _listed(server: Running, query: str = "") -> dict[str, dict[str, Any]]:
    status, listing = await server.api("GET", "/api/workshops" + query)
    assert status == 200, listing
    return {w["id"]: w for w in listing}


async def _records(server: Running, workshop_id: str) -> list[Any]:
    """The workshop's stream, read back from the log."""
    raw = await server.app[LOG].read(f"workshop:{workshop_id}")
    return [decode(seq, entry) for seq, entry in raw]


async def _seated(server: Running, room: dict[str, Any]) -> list[WsClient]:
    clients = []
    for role in ("buyer", "seller"):
        client = await server.client()
        assert (await client.hello(room["seats"][role]["token"]))["type"] == "welcome"
        clients.append(client)
    await clients[0].event("started")
    return clients


def _error(answer: dict[str, Any]) -> str:
    return answer["error"]["code"]  # type: ignore[no-any-return]


# --- rename ---------------------------------------------------------------------------------


async def test_rename_is_a_record_in_the_workshops_log(server: Running) -> None:
    workshop = await _workshop(server, title="Tuesday")
    path = f"/api/workshops/{workshop['id']}/rename"
    status, answer = await server.api("POST", path, {"title": "  Tuesday, group B  "})
    assert status == 200 and answer["title"] == "Tuesday, group B"  # blanks around it dropped
    status, detail = await server.api("GET", f"/api/workshops/{workshop['id']}")
    assert detail["title"] == "Tuesday, group B"
    assert (await _listed(server))[workshop["id"]]["title"] == "Tuesday, group B"
    lobby = workshop["lobby"]["token"]
    async with server.session.get(f"{server.base}/lobby/{lobby}/data") as r:
        assert (await r.json())["workshop"]["title"] == "Tuesday, group B"
    # The same title again records nothing; the creation record keeps the first title.
    await server.api("POST", path, {"title": "Tuesday, group B"})
    records = await _records(server, workshop["id"])
    assert records[0].title == "Tuesday"
    assert [r.title for r in records if isinstance(r, Renamed)] == ["Tuesday, group B"]


async def test_rename_refuses_a_blank_or_too_long_title_and_changes_nothing(
    server: Running,
) -> None:
    workshop = await _workshop(server, title="Kept")
    path = f"/api/workshops/{workshop['id']}/rename"
    for body, says in (
        ({"title": ""}, "blank"),
        ({"title": "   "}, "blank"),
        ({"title": "x" * 121}, "`title` is too long: at most 120 characters."),
        ({}, "title"),
        ({"title": 7}, "str"),
        ({"title": "Fine", "colour": "red"}, "colour"),
    ):
        status, answer = await server.api("POST", path, body)
        assert status == 400 and _error(answer) == "invalid_request", (body, answer)
        assert says in answer["error"]["message"], (body, answer)
    status, answer = await server.api("POST", path, {"title": "x" * 120})
    assert status == 200 and answer["title"] == "x" * 120  # the limit itself is fine
    status, answer = await server.api("POST", "/api/workshops/wnope/rename", {"title": "A"})
    assert status == 404 and _error(answer) == "not_found"
    status, answer = await server.api("POST", path, {"title": "A"}, token="wrong")
    assert status == 401 and _error(answer) == "unauthorized"
    assert len(await _records(server, workshop["id"])) == 2  # created, one rename


# --- duplicate ------------------------------------------------------------------------------


async def test_duplicate_copies_scenario_settings_and_facilitator_rooms_with_new_links(
    server: Running,
) -> None:
    original = await _workshop(
        server, title="Sales academy", rooms=2, capacity=30, start="together"
    )
    await server.api(
        "POST", "/api/rooms", {"scenario": "small", "workshop": original["id"], "label": "Demo"}
    )
    # Two arrivals through the open link: their room is theirs, not part of the setup.
    for name in ("Ana", "Bo"):
        async with server.session.post(
            f"{server.base}/open/{original['open_link']['token']}/seat", json={"name": name}
        ) as r:
            assert r.status == 201
    status, copy = await server.api("POST", f"/api/workshops/{original['id']}/duplicate")
    assert status == 201, copy
    assert copy["title"] == "Sales academy (copy)" and copy["copied_from"] == original["id"]
    for same in ("scenario", "capacity", "start"):
        assert copy[same] == original[same]
    assert copy["id"] != original["id"] and copy["code"] != original["code"]
    for link in ("open_link", "projector", "lobby"):
        assert copy[link]["token"] != original[link]["token"]
    assert [r["label"] for r in copy["rooms"]] == ["Room 1", "Room 2", "Demo"]
    assert all(r["held"] and r["workshop"] == copy["id"] for r in copy["rooms"])
    tokens = {r["seats"]["buyer"]["token"] for r in copy["rooms"]}
    _, detail = await server.api("GET", f"/api/workshops/{original['id']}")
    assert tokens.isdisjoint(r["seats"]["buyer"]["token"] for r in detail["rooms"])
    assert len(detail["rooms"]) == 4  # the original keeps everything
    # A fresh start: no seats taken, no round, nothing revealed, not archived.
    assert copy["seats_taken"] == 0 and copy["round"] is None and copy["revealed"] == 0
    assert copy["archived_at"] is None and copy["state"] == "waiting"
    listed = await _listed(server)
    assert listed[copy["id"]]["room_count"] == 3


async def test_duplicate_takes_a_title_and_keeps_the_copys_within_the_limit(
    server: Running,
) -> None:
    original = await _workshop(server, title="y" * 120)
    path = f"/api/workshops/{original['id']}/duplicate"
    status, copy = await server.api("POST", path)
    assert status == 201 and copy["title"] == "y" * 113 + " (copy)" and len(copy["title"]) == 120
    assert copy["rooms"] == [] and copy["start"] == "on_join"
    status, named = await server.api("POST", path, {"title": "Thursday"})
    assert status == 201 and named["title"] == "Thursday"
    for body in ({"title": " "}, {"title": "z" * 121}, {"rooms": 3}):
        status, answer = await server.api("POST", path, body)
        assert status == 400 and _error(answer) == "invalid_request", (body, answer)
    status, answer = await server.api("POST", "/api/workshops/wnope/duplicate")
    assert status == 404 and _error(answer) == "not_found"
    assert copy_title("Short") == "Short (copy)"
    assert copy_title("a" * 112 + "  b") == "a" * 112 + " (copy)"  # no blank left at the cut


async def test_duplicate_of_a_workshop_whose_scenario_is_gone_is_refused(
    server: Running,
) -> None:
    catalog = server.app[CATALOG]
    catalog.add(msgspec.structs.replace(small_scenario(), id="retired"))
    original = await _workshop(server, scenario="retired")
    del catalog._scenarios["retired"]  # the trainer removed its file and restarted
    status, answer = await server.api("POST", f"/api/workshops/{original['id']}/duplicate")
    assert status == 409 and _error(answer) == "scenario_missing"
    assert "'retired'" in answer["error"]["message"]


# --- archive --------------------------------------------------------------------------------


async def test_archive_is_refused_while_rooms_are_live_and_stops_none(server: Running) -> None:
    workshop = await _workshop(server, rooms=2)
    running, waiting = workshop["rooms"]
    clients = await _seated(server, running)
    path = f"/api/workshops/{workshop['id']}/archive"
    status, answer = await server.api("POST", path)
    assert status == 409 and _error(answer) == "workshop_live"
    assert answer["error"]["message"].startswith("2 rooms have not ended in this workshop")
    assert answer["error"]["live_rooms"] == 2
    _, detail = await server.api("GET", f"/api/workshops/{workshop['id']}")
    assert detail["archived_at"] is None and detail["state"] == "running"
    assert detail["live_rooms"] == 2
    assert [r["state"]["phase"] for r in detail["rooms"]] == ["running", "waiting"]
    assert len(await _records(server, workshop["id"])) == 1  # nothing recorded

    await server.api("POST", f"/api/rooms/{waiting['id']}/end")
    status, answer = await server.api("POST", path)
    assert status == 409 and answer["error"]["message"].startswith("1 room has not ended")

    # Ended first (what the console asks before archiving), then archived.
    status, ended = await server.api("POST", f"/api/workshops/{workshop['id']}/end")
    assert status == 200 and ended["applied"] == 1
    status, answer = await server.api("POST", path)
    assert status == 200 and answer["archived_at"] is not None
    for client in clients:
        await client.close()


async def test_an_archived_workshop_leaves_the_list_closes_its_link_and_keeps_its_data(
    server: Running,
) -> None:
    kept = await _workshop(server, title="Kept")
    workshop = await _workshop(server, title="Old", rooms=1)
    [room] = workshop["rooms"]
    await server.api("POST", f"/api/rooms/{room['id']}/announce", {"text": "Welcome"})
    await server.api("POST", f"/api/rooms/{room['id']}/end")
    path = f"/api/workshops/{workshop['id']}/archive"
    status, archived = await server.api("POST", path)
    assert status == 200
    at = archived["archived_at"]
    status, again = await server.api("POST", path)  # archiving twice is archiving once
    assert status == 200 and again["archived_at"] == at

    assert list(await _listed(server)) == [kept["id"]]
    everything = await _listed(server, "?archived=include")
    assert list(everything) == [kept["id"], workshop["id"]]
    assert everything[workshop["id"]]["state"] == "archived"
    assert list(await _listed(server, "?archived=only")) == [workshop["id"]]
    status, answer = await server.api("GET", "/api/workshops?archived=yes")
    assert status == 400 and _error(answer) == "invalid_request"

    # Nothing is deleted: the workshop, its room and the room's whole log are there.
    status, detail = await server.api("GET", f"/api/workshops/{workshop['id']}")
    assert status == 200 and detail["state"] == "archived" and detail["archived_at"] == at
    status, full = await server.api("GET", f"/api/rooms/{room['id']}")
    assert [e["kind"] for e in full["events"]] == ["created", "announcement", "ended"]
    csv = f"{server.base}/api/workshops/{workshop['id']}/export.csv"
    async with server.session.get(csv, headers={"Authorization": f"Bearer {TOKEN}"}) as r:
        assert r.status == 200 and len((await r.text()).splitlines()) == 2  # head, the room

    # Nobody gets in: not through the open link, nor through a new room.
    seat = f"{server.base}/open/{workshop['open_link']['token']}/seat"
    async with server.session.post(seat, json={"name": "Late"}) as r:
        assert r.status == 409 and (await r.json())["error"]["code"] == "workshop_archived"
    status, answer = await server.api(
        "POST", "/api/rooms", {"scenario": "small", "workshop": workshop["id"]}
    )
    assert status == 409 and _error(answer) == "workshop_archived"

    # Unarchived: listed again and open again, as it was.
    status, back = await server.api("POST", f"/api/workshops/{workshop['id']}/unarchive")
    assert status == 200 and back["archived_at"] is None and back["title"] == "Old"
    status, back = await server.api("POST", f"/api/workshops/{workshop['id']}/unarchive")
    assert status == 200  # unarchiving one that is not archived changes nothing
    listed = await _listed(server)
    assert list(listed) == [kept["id"], workshop["id"]]
    assert listed[workshop["id"]]["state"] == "ended"
    async with server.session.post(seat, json={"name": "Late"}) as r:
        assert r.status == 201
    kinds = [type(r).__struct_config__.tag for r in await _records(server, workshop["id"])]
    assert kinds == ["workshop", "archived", "unarchived", "seat"]


async def test_archive_and_unarchive_of_an_unknown_workshop(server: Running) -> None:
    for action in ("archive", "unarchive"):
        status, answer = await server.api("POST", f"/api/workshops/wnope/{action}")
        assert status == 404 and _error(answer) == "not_found"


# --- the listing's state ------------------------------------------------------------------


async def test_the_listing_says_where_each_workshop_is(server: Running) -> None:
    empty = await _workshop(server, title="No rooms yet")
    waiting = await _workshop(server, title="Rooms waiting", rooms=2)
    running = await _workshop(server, title="Negotiating", rooms=2)
    ended = await _workshop(server, title="Over", rooms=1)
    clients = await _seated(server, running["rooms"][0])
    await server.api("POST", f"/api/workshops/{ended['id']}/end")
    listed = await _listed(server)
    states = {w["title"]: (w["state"], w["room_count"], w["live_rooms"]) for w in listed.values()}
    assert states == {
        "No rooms yet": ("waiting", 0, 0),
        "Rooms waiting": ("waiting", 2, 2),
        "Negotiating": ("running", 2, 2),
        "Over": ("ended", 1, 0),
    }
    assert all(w["archived_at"] is None and w["created_at"] > 0 for w in listed.values())
    assert {w["scenario"] for w in listed.values()} == {"small"}
    assert empty["state"] == "waiting" and waiting["live_rooms"] == 2
    await server.api("POST", f"/api/rooms/{running['rooms'][0]['id']}/pause")
    assert (await _listed(server))[running["id"]]["state"] == "running"  # paused: still on
    for client in clients:
        await client.close()


async def test_a_together_workshop_is_running_while_its_round_runs(server: Running) -> None:
    workshop = await _workshop(server, rooms=2, start="together")
    first, second = workshop["rooms"]
    clients = await _seated_held(server, first)
    status, _ = await server.api("POST", f"/api/workshops/{workshop['id']}/start")
    assert status == 200
    await clients[0].event("started")
    listed = await _listed(server)
    assert listed[workshop["id"]]["state"] == "running"
    await server.api("POST", f"/api/rooms/{first['id']}/end")
    # The round still runs and the second room waits in it for its people.
    assert (await _listed(server))[workshop["id"]]["state"] == "running"
    await server.api("POST", f"/api/workshops/{workshop['id']}/end")
    assert (await _listed(server))[workshop["id"]]["state"] == "ended"
    assert second["held"]
    for client in clients:
        await client.close()


async def _seated_held(server: Running, room: dict[str, Any]) -> list[WsClient]:
    clients = []
    for role in ("buyer", "seller"):
        client = await server.client()
        assert (await client.hello(room["seats"][role]["token"]))["type"] == "welcome"
        clients.append(client)
    for _ in range(100):  # both joins in the room's log before the round starts
        _, detail = await server.api("GET", f"/api/rooms/{room['id']}")
        if len(detail["state"]["joined"]) == 2:
            return clients
        await asyncio.sleep(0.02)
    raise AssertionError("the seats never joined")
