"""One room in the projector's spotlight, and room labels on its scatter.

The facilitator puts a room of the workshop on the projector (``POST
/api/workshops/{id}/spotlight``) and takes it off (``DELETE``); the projector's
data then carries that room's replay as the whole group may see it: offers with
their terms, roles and classes, and the outcome; never a message, a name or a
private event, and scores and walk-away values only as far as the reveal goes
(DESIGN.md principle 6). Labels on the scatter are the facilitator's word too.
Both are records of the workshop's log: they survive a reload and a restart.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from dealroom.server.log import MemoryLog
from dealroom.server.rooms.projector import ProjectorView
from dealroom.server.rooms.workshop_records import LabelsChanged, SpotlightChanged
from dealroom.server.rooms.workshops import Workshops
from tests.serverproc import Process
from tests.support import terms

from .conftest import Running
from .test_cohort_api import _agreed_room, _workshop
from .test_projector_reveal import _numbers, _projector


async def _haggled_room(server: Running, workshop: str) -> dict[str, Any]:
    """A room of ``workshop`` where both sides open, the seller concedes, the buyer asks a
    question and a mediator writes privately, and the buyer accepts."""
    room = await server.room(workshop=workshop, label="Room 7")
    buyer, seller = await server.client(), await server.client()
    await buyer.hello(room["seats"]["buyer"]["token"], name="Ann")
    await seller.hello(room["seats"]["seller"]["token"], name="Bob")
    await buyer.event("started")
    await seller.move("offer", terms=terms(190, "1 year", 12))
    await buyer.move("offer", terms=terms(120, "3 years", 2))
    await buyer.move("message", text="SECRET-CHAT what matters to you?", intent="question")
    status, _ = await server.api(
        "POST", f"/api/rooms/{room['id']}/message", {"text": "MEDIATOR-NOTE", "to": "buyer"}
    )
    assert status == 200
    concession = await seller.move("offer", terms=terms(170, "1 year", 12))
    await buyer.move("accept", offer=concession["seq"])
    await buyer.event("ended")
    await buyer.close()
    await seller.close()
    return room


def _offers(spotlight: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(s["by"], s["class"], s["terms"]) for s in spotlight["steps"] if s["kind"] == "offer"]


async def test_a_room_in_the_spotlight_is_replayed_on_the_projector(server: Running) -> None:
    workshop = await _workshop(server)
    room = await _haggled_room(server, workshop["id"])
    await _agreed_room(server, workshop["id"], 160)
    path = f"/api/workshops/{workshop['id']}/spotlight"
    token = workshop["projector"]["token"]
    _, data = await _projector(server.session, server.base, token)
    assert data["spotlight"] is None

    status, head = await server.api("POST", path, {"room": room["id"]})
    assert status == 200
    assert head["spotlight"]["room"] == room["id"] and isinstance(head["spotlight"]["since"], int)
    raw, data = await _projector(server.session, server.base, token)
    spotlight = data["spotlight"]
    assert (spotlight["room"], spotlight["label"]) == (room["id"], "Room 7")
    assert spotlight["since"] == head["spotlight"]["since"]
    assert spotlight["phase"] == "ended"
    assert _offers(spotlight) == [
        ("seller", "opening", terms(190, "1 year", 12)),
        ("buyer", "opening", terms(120, "3 years", 2)),
        ("seller", "concession", terms(170, "1 year", 12)),
    ]
    kinds = [s["kind"] for s in spotlight["steps"]]
    assert kinds == ["started", "offer", "offer", "offer", "accepted", "agreement", "ended"]
    assert spotlight["steps"][-1]["outcome"] == "agreed"
    assert [i["id"] for i in spotlight["scenario"]["issues"]] == ["price", "warranty", "delivery"]
    # Nothing private: no message, mediator's note, name or brief; before the reveal,
    # no score and no walk-away value either.
    for private in ("SECRET-CHAT", "MEDIATOR-NOTE", "Ann", "Bob", "BUYER-SECRET", "SELLER-SECRET"):
        assert private not in raw
    for step in spotlight["steps"]:
        assert "scores" not in step and "text" not in step and "intent" not in step
        assert all("scores" not in s for s in step["standing"].values() if s)
    assert spotlight["max_score"] is None and spotlight["reservation"] is None
    # The small scenario's walk-away values are nowhere (times aside: a step's ms may be 30).
    untimed = [{k: v for k, v in s.items() if k not in ("t", "at")} for s in spotlight["steps"]]
    assert {30.0, 25.0} & _numbers(json.dumps({**spotlight, "steps": untimed})) == set()
    # The facilitator's own replay has all of it.
    _, replay = await server.api("GET", f"/api/rooms/{room['id']}/replay")
    assert any(s.get("text") == "SECRET-CHAT what matters to you?" for s in replay["steps"])

    # The reveal's steps let the spotlight show more: scores with the deals, walk-away
    # values with the walk-away lines.
    await server.api("POST", f"/api/workshops/{workshop['id']}/reveal", {"step": 1})
    _, data = await _projector(server.session, server.base, token)
    offer = next(s for s in data["spotlight"]["steps"] if s["kind"] == "offer")
    assert set(offer["scores"]) == {"buyer", "seller"}
    assert set(offer["standing"]["seller"]["scores"]) == {"buyer", "seller"}
    assert data["spotlight"]["max_score"] and data["spotlight"]["reservation"] is None
    await server.api("POST", f"/api/workshops/{workshop['id']}/reveal", {"step": 2})
    _, data = await _projector(server.session, server.base, token)
    assert data["spotlight"]["reservation"] == {"buyer": 30, "seller": 25}

    # Showing it again changes nothing (its replay does not restart); stopping ends it.
    status, again = await server.api("POST", path, {"room": room["id"]})
    assert status == 200 and again["spotlight"] == head["spotlight"]
    status, stopped = await server.api("DELETE", path)
    assert status == 200 and stopped["spotlight"] is None
    _, data = await _projector(server.session, server.base, token)
    assert data["spotlight"] is None and data["revealed"] is True
    status, listed = await server.api("GET", f"/api/workshops/{workshop['id']}")
    assert listed["spotlight"] is None
    status, stopped = await server.api("DELETE", path)  # stopping twice: still stopped
    assert status == 200 and stopped["spotlight"] is None


async def test_another_room_takes_the_spotlight(server: Running) -> None:
    workshop = await _workshop(server)
    first = await _agreed_room(server, workshop["id"], 150)
    second = await server.room(workshop=workshop["id"], label="Still waiting")
    path = f"/api/workshops/{workshop['id']}/spotlight"
    _, head = await server.api("POST", path, {"room": first["id"]})
    _, head = await server.api("POST", path, {"room": second["id"]})
    assert head["spotlight"]["room"] == second["id"]
    _, data = await _projector(server.session, server.base, workshop["projector"]["token"])
    # A room still waiting: on the projector with no step yet, and nothing of the other.
    assert data["spotlight"]["room"] == second["id"] and data["spotlight"]["steps"] == []
    assert data["spotlight"]["phase"] == "waiting"


async def test_the_spotlight_refuses_bad_rooms_and_strangers(server: Running) -> None:
    workshop = await _workshop(server)
    other = await _workshop(server)
    theirs = await server.room(workshop=other["id"])
    loose = await server.room()  # in no workshop at all
    path = f"/api/workshops/{workshop['id']}/spotlight"
    bad_bodies: list[Any] = [
        {},
        {"room": ""},
        {"room": "../etc"},
        {"room": "x" * 65},
        {"room": 7},
        {"room": None},
        {"room": theirs["id"], "step": 1},
        [theirs["id"]],
    ]
    for body in bad_bodies:
        status, answer = await server.api("POST", path, body)
        assert status == 400 and answer["error"]["code"] == "invalid_request", body
    status, answer = await server.api("POST", path, {"room": "Nope1234"})
    assert status == 404 and answer["error"]["code"] == "not_found"
    assert "Nope1234" in answer["error"]["message"]
    for stranger in (theirs, loose):
        status, answer = await server.api("POST", path, {"room": stranger["id"]})
        assert status == 409 and answer["error"]["code"] == "room_not_in_workshop"
    for method in ("POST", "DELETE"):
        status, answer = await server.api(method, "/api/workshops/wnope/spotlight", {"room": "x"})
        assert status == 404 and answer["error"]["code"] == "not_found"
        status, answer = await server.api(method, path, {"room": theirs["id"]}, token="")
        assert status == 401 and answer["error"]["code"] == "unauthorized"
        projector = workshop["projector"]["token"]
        status, answer = await server.api(method, path, {"room": theirs["id"]}, token=projector)
        assert status == 401
    _, head = await server.api("GET", f"/api/workshops/{workshop['id']}")
    assert head["spotlight"] is None  # nothing refused was recorded
    _, data = await _projector(server.session, server.base, workshop["projector"]["token"])
    assert data["spotlight"] is None


async def test_labels_on_the_projectors_scatter_at_the_facilitators_word(
    server: Running,
) -> None:
    workshop = await _workshop(server)
    await _agreed_room(server, workshop["id"], 150)
    await _agreed_room(server, workshop["id"], 170)
    path = f"/api/workshops/{workshop['id']}/labels"
    token = workshop["projector"]["token"]
    assert workshop["labels_shown"] is False
    await server.api("POST", f"/api/workshops/{workshop['id']}/reveal", {"step": 1})
    raw, data = await _projector(server.session, server.base, token)
    assert data["labels_shown"] is False and "Room" not in raw
    assert all("label" not in r for r in data["rooms"])

    status, head = await server.api("POST", path, {"shown": True})
    assert status == 200 and head["labels_shown"] is True
    _, data = await _projector(server.session, server.base, token)
    assert data["labels_shown"] is True
    _, cohort = await server.api("GET", f"/api/workshops/{workshop['id']}/cohort")
    assert [(r["label"], r["buyer_score"]) for r in data["rooms"]] == [
        (r["label"], r["buyer_score"]) for r in cohort["rooms"]
    ]
    assert [r["label"] for r in data["rooms"]] == ["", ""]  # rooms made without a label

    status, head = await server.api("POST", path, {"shown": False})
    assert status == 200 and head["labels_shown"] is False
    _, data = await _projector(server.session, server.base, token)
    assert all("label" not in r for r in data["rooms"])

    for bad in ({}, {"shown": "yes"}, {"shown": 1}, {"shown": True, "room": "x"}):
        status, answer = await server.api("POST", path, bad)
        assert status == 400 and answer["error"]["code"] == "invalid_request", bad
    status, answer = await server.api("POST", "/api/workshops/wnope/labels", {"shown": True})
    assert status == 404 and answer["error"]["code"] == "not_found"
    status, answer = await server.api("POST", path, {"shown": True}, token=token)
    assert status == 401


async def test_labels_before_the_reveal_show_nothing(server: Running) -> None:
    """Before the reveal the projector has no per-room figures, labels or not."""
    workshop = await _workshop(server)
    await server.room(workshop=workshop["id"], label="Room 1")
    await server.api("POST", f"/api/workshops/{workshop['id']}/labels", {"shown": True})
    raw, data = await _projector(server.session, server.base, workshop["projector"]["token"])
    assert data["labels_shown"] is True and data["revealed"] is False
    assert "rooms" not in data and "Room 1" not in raw


def test_the_projectors_view_folds_its_records() -> None:
    view = ProjectorView()
    shown = view.fold(SpotlightChanged(room="r1", at=10))
    assert shown.spotlight is not None
    assert (shown.spotlight.room, shown.spotlight.since) == ("r1", 10)
    assert shown.fold(SpotlightChanged(room="r1", at=20)) is shown  # its replay keeps its start
    moved = shown.fold(SpotlightChanged(room="r2", at=30)).spotlight
    assert moved is not None and (moved.room, moved.since) == ("r2", 30)
    assert shown.fold(SpotlightChanged(room=None, at=40)).spotlight is None
    assert view.fold(SpotlightChanged(room=None, at=40)) == view
    labelled = shown.fold(LabelsChanged(shown=True, at=50))
    assert labelled.labels and labelled.spotlight == shown.spotlight
    assert not labelled.fold(LabelsChanged(shown=False, at=60)).labels


async def test_the_projectors_records_load_again_from_the_log() -> None:
    log = MemoryLog()
    workshops = Workshops(log)
    await workshops.start()
    created = await workshops.create("Monday", "small", now=1)
    await workshops.project(created.id, SpotlightChanged(room="r1", at=2))
    await workshops.project(created.id, SpotlightChanged(room="r1", at=3))  # nothing new
    await workshops.project(created.id, LabelsChanged(shown=True, at=4))
    await workshops.project(created.id, LabelsChanged(shown=True, at=5))  # nothing new
    held = await workshops.get(created.id)
    assert held is not None and held.seq == 3  # the creation record and two changes
    again = await Workshops(log).get(created.id)
    assert again is not None
    assert (
        again.projector
        == held.projector
        == ProjectorView(spotlight=held.projector.spotlight, labels=True)
    )
    assert again.projector.spotlight is not None and again.projector.spotlight.since == 2


async def test_the_spotlight_and_labels_survive_a_restart(process: Process) -> None:
    await process.start()
    try:
        workshop = await process.api(
            "POST", "/api/workshops", {"scenario": "fleet-lease", "rooms": 2}
        )
        room = workshop["rooms"][1]
        shown = await process.api(
            "POST", f"/api/workshops/{workshop['id']}/spotlight", {"room": room["id"]}
        )
        await process.api("POST", f"/api/workshops/{workshop['id']}/labels", {"shown": True})
        assert process.stop() == 0
        await process.start()
        token = workshop["projector"]["token"]
        async with aiohttp.ClientSession() as session:
            _, data = await _projector(session, process.base, token)
        assert data["spotlight"]["room"] == room["id"]
        assert data["spotlight"]["since"] == shown["spotlight"]["since"]
        assert data["spotlight"]["label"] == "Room 2" and data["labels_shown"] is True
    finally:
        process.stop()
