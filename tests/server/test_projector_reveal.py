"""The projector shows counts only until the facilitator reveals the workshop's debrief.

DESIGN.md principle 6: a projector sees nothing derived from private scoring
(reservation values, the frontier) until the facilitator reveals it; the reveal
is recorded in the workshop's log and survives a restart.
"""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp
import msgspec

from dealroom.server.log import MemoryLog
from dealroom.server.rooms.workshop_records import DEFAULT_CAPACITY
from dealroom.server.rooms.workshops import Workshops
from tests.serverproc import Process

from .conftest import Running
from .test_cohort_api import _agreed_room, _workshop

PRIVATE_KEYS = {
    "reservation",
    "frontier",
    "nash",
    "max_score",
    "best_joint",
    "money",
    "buyer_score",
    "seller_score",
    "joint",
    "distance_to_frontier",
    "buyer_beat_reservation",
    "seller_beat_reservation",
}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _numbers(raw: str) -> set[float]:
    """Every number written anywhere in a JSON text, inside strings too."""
    return {float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", raw)}


async def _projector(session: aiohttp.ClientSession, base: str, token: str) -> tuple[str, Any]:
    async with session.get(f"{base}/projector/{token}/data") as response:
        assert response.status == 200
        assert response.headers["Cache-Control"] == "no-store"
        raw = await response.text()
    return raw, json.loads(raw)


async def test_before_the_reveal_the_projector_gets_counts_and_nothing_private(
    server: Running,
) -> None:
    workshop = await _workshop(server)
    await _agreed_room(server, workshop["id"], 160)
    await _agreed_room(server, workshop["id"], 170)
    await server.room(workshop=workshop["id"])  # still waiting
    _, scenario = await server.api("GET", "/api/scenarios/small")
    reservation = {r: scenario["roles"][r]["reservation_value"] for r in ("buyer", "seller")}
    assert reservation == {"buyer": 30, "seller": 25}
    token = workshop["projector"]["token"]

    raw, data = await _projector(server.session, server.base, token)
    assert data["revealed"] is False and data["workshop"]["revealed_at"] is None
    assert data["counts"]["rooms"] == 3 and data["counts"]["agreed"] == 2
    assert _keys(data) & PRIVATE_KEYS == set(), sorted(_keys(data))
    assert "rooms" not in data  # no per-room figures at all, only the counts
    for value in reservation.values():
        assert float(value) not in _numbers(raw), raw
    # The facilitator's own cohort view shows everything all along.
    _, cohort = await server.api("GET", f"/api/workshops/{workshop['id']}/cohort")
    assert cohort["reservation"] == reservation and cohort["frontier"]
    assert all(r["buyer_score"] is not None for r in cohort["rooms"][:2])

    status, revealed = await server.api("POST", f"/api/workshops/{workshop['id']}/reveal")
    assert status == 200 and isinstance(revealed["revealed_at"], int)
    raw, data = await _projector(server.session, server.base, token)
    assert data["revealed"] is True
    assert data["workshop"]["revealed_at"] == revealed["revealed_at"]
    assert data["reservation"] == reservation
    assert data["frontier"] == cohort["frontier"] and data["nash"] == cohort["nash"]

    def deals(rooms: list[dict[str, Any]]) -> list[tuple[float, float]]:
        return sorted((r["buyer_score"], r["seller_score"]) for r in rooms if r["buyer_score"])

    assert deals(data["rooms"]) == deals(cohort["rooms"]) and len(deals(data["rooms"])) == 2
    for private in ("SECRET-CHAT", "BUYER-SECRET", "SELLER-SECRET", "Ann", "Bob", "Room"):
        assert private not in raw
    # Revealing again changes nothing: the first reveal's time stands.
    status, again = await server.api("POST", f"/api/workshops/{workshop['id']}/reveal")
    assert status == 200 and again["revealed_at"] == revealed["revealed_at"]
    _, listed = await server.api("GET", f"/api/workshops/{workshop['id']}")
    assert listed["revealed_at"] == revealed["revealed_at"]


async def test_the_reveal_goes_step_by_step_and_never_back(server: Running) -> None:
    """Deals first (scores only), then both walk-away lines, then the frontier and the
    Nash point; a step already reached changes nothing, and the steps survive in the
    workshop's head."""
    workshop = await _workshop(server)
    await _agreed_room(server, workshop["id"], 160)
    _, cohort = await server.api("GET", f"/api/workshops/{workshop['id']}/cohort")
    path = f"/api/workshops/{workshop['id']}/reveal"
    token = workshop["projector"]["token"]

    status, head = await server.api("POST", path, {"step": 1})
    assert status == 200 and head["revealed"] == 1
    raw, data = await _projector(server.session, server.base, token)
    assert (data["revealed"], data["step"]) == (True, 1)
    assert [(r["buyer_score"], r["seller_score"]) for r in data["rooms"]] == [
        (r["buyer_score"], r["seller_score"]) for r in cohort["rooms"]
    ]
    assert data["reservation"] is None and data["frontier"] == [] and data["nash"] is None
    for value in cohort["reservation"].values():
        assert float(value) not in _numbers(raw), raw

    status, head = await server.api("POST", path, {"step": 2})
    assert status == 200 and head["revealed"] == 2
    _, data = await _projector(server.session, server.base, token)
    assert data["reservation"] == cohort["reservation"]
    assert data["frontier"] == [] and data["nash"] is None

    # Back to step 1 is no step at all: the projector keeps what it shows.
    status, head = await server.api("POST", path, {"step": 1})
    assert status == 200 and head["revealed"] == 2
    status, head = await server.api("POST", path, {"step": 3})
    assert head["revealed"] == 3
    _, data = await _projector(server.session, server.base, token)
    assert data["frontier"] == cohort["frontier"] and data["nash"] == cohort["nash"]
    _, listed = await server.api("GET", f"/api/workshops/{workshop['id']}")
    assert (listed["revealed"], listed["revealed_at"]) == (3, head["revealed_at"])

    for bad in ({"step": 0}, {"step": 4}, {"step": "all"}, {"steps": 2}):
        status, body = await server.api("POST", path, bad)
        assert status == 400 and body["error"]["code"] == "invalid_request", bad


async def test_the_reveal_is_the_facilitators_alone(server: Running) -> None:
    workshop = await _workshop(server)
    path = f"/api/workshops/{workshop['id']}/reveal"
    status, body = await server.api("POST", path, token="")
    assert status == 401 and body["error"]["code"] == "unauthorized"
    status, body = await server.api("POST", path, token=workshop["projector"]["token"])
    assert status == 401
    status, body = await server.api("POST", "/api/workshops/wnope/reveal")
    assert status == 404 and body["error"]["code"] == "not_found"
    _, data = await _projector(server.session, server.base, workshop["projector"]["token"])
    assert data["revealed"] is False


async def test_the_reveal_survives_a_restart(process: Process) -> None:
    await process.start()
    try:
        workshop = await process.api("POST", "/api/workshops", {"scenario": "fleet-lease"})
        other = await process.api("POST", "/api/workshops", {"scenario": "fleet-lease"})
        token = workshop["projector"]["token"]
        async with aiohttp.ClientSession() as session:
            _, data = await _projector(session, process.base, token)
            assert data["revealed"] is False
            revealed = await process.api("POST", f"/api/workshops/{workshop['id']}/reveal")
            assert isinstance(revealed["revealed_at"], int)
        assert process.stop() == 0
        await process.start()
        async with aiohttp.ClientSession() as session:
            _, data = await _projector(session, process.base, token)
            assert data["revealed"] is True and "frontier" in data
            assert data["workshop"]["revealed_at"] == revealed["revealed_at"]
            _, still = await _projector(session, process.base, other["projector"]["token"])
            assert still["revealed"] is False and "frontier" not in still
    finally:
        process.stop()


class _LegacyWorkshop(msgspec.Struct, kw_only=True):
    id: str
    title: str
    scenario: str
    created_at: int


class _LegacySeat(msgspec.Struct, kw_only=True):
    room: str
    role: str
    at: int


async def test_workshop_logs_written_before_tagged_records_still_load() -> None:
    log = MemoryLog()
    old = [
        _LegacyWorkshop(id="wold", title="Old", scenario="small", created_at=1),
        _LegacySeat(room="r1", role="buyer", at=2),
        _LegacySeat(room="r1", role="seller", at=3),
    ]
    await log.append("workshop:wold", 1, [msgspec.msgpack.encode(r) for r in old])
    workshops = Workshops(log)
    await workshops.start()
    assert [w.id for w in await workshops.listing()] == ["wold"]  # indexed on first start
    held = await workshops.get("wold")
    assert held is not None
    assert held.record.title == "Old"
    assert held.record.capacity == DEFAULT_CAPACITY
    seats = [(s.room, s.role) for s in held.seats]
    assert seats == [("r1", "buyer"), ("r1", "seller")]
    assert held.revealed_at is None
    # New records go after the old ones, tagged, and all of them load again.
    await workshops.reveal("wold", now=4)
    await workshops.set_capacity("wold", 10, now=5)
    restarted = Workshops(log)
    await restarted.start()
    again = await restarted.get("wold")
    assert again is not None
    assert again.revealed_at == 4
    assert again.record.capacity == 10
    assert len(again.seats) == 2
