"""What an open link can cost the server: its workshop's capacity, and a pace per address.

The open link is unauthenticated and handed to everyone, so both bounds are
checked over real sockets, with clients on several loopback addresses.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from dealroom.server.log import MemoryLog
from dealroom.server.rooms.workshops import WorkshopFull, Workshops
from dealroom.server.web.arrival_rate import ArrivalRate
from dealroom.server.web.client_address import TrustedProxies
from dealroom.server.web.keys import ROOMS
from dealroom.server.web.open_link import ARRIVALS_BURST

from .conftest import MakeServer, Running


@asynccontextmanager
async def _client_at(address: str) -> AsyncIterator[aiohttp.ClientSession]:
    """A client whose connections come from ``address`` (any of 127.0.0.0/8 on Linux)."""
    connector = aiohttp.TCPConnector(local_addr=(address, 0), force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        yield session


async def _arrive(session: aiohttp.ClientSession, server: Running, token: str) -> Any:
    async with session.post(f"{server.base}/open/{token}/seat", json={"name": "P"}) as r:
        return r.status, await r.json(), r.headers.get("Retry-After")


async def test_an_open_link_cannot_create_rooms_beyond_its_capacity(server: Running) -> None:
    capacity = 7
    status, workshop = await server.api(
        "POST", "/api/workshops", {"scenario": "small", "capacity": capacity}
    )
    assert status == 201 and workshop["capacity"] == capacity and workshop["seats_taken"] == 0
    token = workshop["open_link"]["token"]
    posts_per_client = capacity + 1  # 3 clients: more than 3x capacity in all

    async def client(n: int) -> list[Any]:
        async with _client_at(f"127.0.0.{n + 2}") as session:
            return await asyncio.gather(
                *(_arrive(session, server, token) for _ in range(posts_per_client))
            )

    answers = [a for batch in await asyncio.gather(*(client(n) for n in range(3))) for a in batch]
    assert len(answers) >= 3 * capacity
    seated = [body for status, body, _ in answers if status == 201]
    refused = [body for status, body, _ in answers if status != 201]
    assert len(seated) == capacity
    assert {(s, b["error"]["code"]) for s, b, _ in answers if s != 201} == {(409, "workshop_full")}
    assert all(str(capacity) in b["error"]["message"] for b in refused)
    rooms = {b["room"] for b in seated}
    assert len(rooms) <= math.ceil(capacity / 2)
    in_service = [r for r in server.app[ROOMS].rooms.values() if r.state.workshop == workshop["id"]]
    assert len(in_service) == len(rooms)
    _, now = await server.api("GET", f"/api/workshops/{workshop['id']}")
    assert now["seats_taken"] == capacity and len(now["rooms"]) == len(rooms)
    assert sorted(r["label"] for r in now["rooms"]) == [f"Room {n + 1}" for n in range(len(rooms))]

    # The facilitator raises the capacity: the odd arrival gets a partner, then it is full again.
    status, raised = await server.api(
        "POST", f"/api/workshops/{workshop['id']}/capacity", {"capacity": capacity + 1}
    )
    assert status == 200 and raised["capacity"] == capacity + 1
    status, seat, _ = await _arrive(server.session, server, token)
    assert status == 201 and seat["room"] in rooms
    status, body, _ = await _arrive(server.session, server, token)
    assert status == 409 and body["error"]["code"] == "workshop_full"


async def test_a_workshop_created_without_a_capacity_seats_sixty(server: Running) -> None:
    _, workshop = await server.api("POST", "/api/workshops", {"scenario": "small"})
    assert workshop["capacity"] == 60
    status, body = await server.api(
        "POST", f"/api/workshops/{workshop['id']}/capacity", {"capacity": 100_000}
    )
    assert status == 400 and body["error"]["code"] == "invalid_request"
    status, body = await server.api("POST", "/api/workshops/wnope/capacity", {"capacity": 9})
    assert status == 404


async def test_one_address_is_paced_and_another_is_not(server: Running) -> None:
    # Capacity 0: every arrival is refused as full, yet each one spends the address's pace.
    _, workshop = await server.api("POST", "/api/workshops", {"scenario": "small", "capacity": 0})
    token = workshop["open_link"]["token"]
    async with _client_at("127.0.0.2") as busy:
        answers = [await _arrive(busy, server, token) for _ in range(ARRIVALS_BURST)]
        assert {(s, b["error"]["code"]) for s, b, _ in answers} == {(409, "workshop_full")}
        status, body, retry_after = await _arrive(busy, server, token)
        assert status == 429 and body["error"]["code"] == "rate_limited"
        assert retry_after is not None and int(retry_after) >= 1
        assert retry_after in body["error"]["message"]
    async with _client_at("127.0.0.3") as other:
        status, body, _ = await _arrive(other, server, token)
        assert status == 409 and body["error"]["code"] == "workshop_full"


@pytest.mark.parametrize("trusted", [True, False])
async def test_behind_a_trusted_balancer_each_forwarded_address_has_its_own_pace(
    make_server: MakeServer, trusted: bool
) -> None:
    # Every request comes from the balancer's address (here 127.0.0.4): only a
    # balancer named with --trusted-proxy has its X-Forwarded-For believed.
    server = await make_server(trusted_proxies=("127.0.0.4/32",) if trusted else ())
    _, workshop = await server.api("POST", "/api/workshops", {"scenario": "small", "capacity": 0})
    token = workshop["open_link"]["token"]
    url = f"{server.base}/open/{token}/seat"
    async with _client_at("127.0.0.4") as balancer:

        async def arrive(forwarded_for: str) -> int:
            headers = {"X-Forwarded-For": forwarded_for}
            async with balancer.post(url, json={"name": "P"}, headers=headers) as r:
                return r.status

        # A client that writes its own header gains nothing: the balancer appends.
        busy = [await arrive(f"198.51.100.{n}, 203.0.113.7") for n in range(ARRIVALS_BURST)]
        assert set(busy) == {409}
        assert await arrive("203.0.113.7") == 429
        # Another participant behind the same balancer:
        assert await arrive("203.0.113.8") == (409 if trusted else 429)


def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy() -> None:
    proxies = TrustedProxies(["10.0.0.0/24", "::1"])
    assert proxies.client("192.0.2.1", ["203.0.113.9"]) == "192.0.2.1"  # not a proxy
    assert proxies.client("10.0.0.5", ["203.0.113.9"]) == "203.0.113.9"
    assert proxies.client("::ffff:10.0.0.5", ["203.0.113.9"]) == "203.0.113.9"
    # Rightmost untrusted hop: proxies append, what the client wrote comes first.
    assert proxies.client("10.0.0.5", ["6.6.6.6, 203.0.113.9, 10.0.0.7"]) == "203.0.113.9"
    assert proxies.client("::1", ["1.1.1.1", "203.0.113.9"]) == "203.0.113.9"
    assert proxies.client("10.0.0.5", []) == "10.0.0.5"  # no header: the proxy itself
    assert proxies.client("10.0.0.5", ["10.0.0.6"]) == "10.0.0.5"
    assert not TrustedProxies().trusts("127.0.0.1")


def test_the_pace_refills_and_forgets_the_least_recent_address() -> None:
    rate = ArrivalRate(per_minute=30, burst=2, max_addresses=3)
    assert [rate.admit("a", 0.0) for _ in range(2)] == [0.0, 0.0]
    assert rate.admit("a", 0.0) == 2.0  # one seat every 2 s once the burst is spent
    assert rate.admit("a", 1.0) == 1.0  # a refused arrival spends nothing
    assert rate.admit("a", 2.0) == 0.0
    assert rate.admit("a", 2.0) == 2.0
    for n, address in enumerate("bcd"):
        assert rate.admit(address, 3.0 + n) == 0.0
    assert len(rate) == 3  # "a" is forgotten: the table never grows past its bound
    assert [rate.admit("a", 6.0) for _ in range(2)] == [0.0, 0.0]
    assert len(rate) == 3


async def test_capacity_is_kept_in_the_workshops_log() -> None:
    log = MemoryLog()
    workshops = Workshops(log)
    workshop = await workshops.create("W", "small", now=1, capacity=2)
    rooms = iter(["r1", "r2"])

    async def new_room() -> str:
        return next(rooms)

    assert not isinstance(await workshops.assign(workshop.id, new_room, now=2), WorkshopFull)
    assert not isinstance(await workshops.assign(workshop.id, new_room, now=3), WorkshopFull)
    assert await workshops.assign(workshop.id, new_room, now=4) == WorkshopFull(2)
    await workshops.set_capacity(workshop.id, 3, now=5)
    restarted = Workshops(log)
    await restarted.start()
    held = await restarted.get(workshop.id)
    assert held is not None and held.record.capacity == 3
    third = await restarted.assign(workshop.id, new_room, now=6)
    assert not isinstance(third, WorkshopFull) and third.room == "r2"
    assert await restarted.assign(workshop.id, new_room, now=7) == WorkshopFull(3)


async def test_nodes_racing_on_one_open_link_make_a_room_per_pair_and_a_spare_at_most() -> None:
    # Two nodes seat arrivals on one workshop at once. A node that made a room for a
    # seat, then lost the append to the other node's seat, keeps that room for its
    # next pair instead of leaving it empty and making another: the rooms stay
    # within the capacity's pairs, plus one spare per node at most.
    log = MemoryLog()
    nodes = [Workshops(log), Workshops(log)]
    workshop = await nodes[0].create("W", "small", now=1, capacity=12)
    made: list[str] = []

    async def new_room() -> str:
        await asyncio.sleep(0)  # another node's arrival can land meanwhile
        made.append(f"r{len(made)}")
        return made[-1]

    arrivals = [nodes[n % 2].assign(workshop.id, new_room, now=2 + n) for n in range(16)]
    seats = [s for s in await asyncio.gather(*arrivals) if not isinstance(s, WorkshopFull)]
    assert len(seats) == 12
    assert len({(s.room, s.role) for s in seats}) == 12  # no seat given twice
    assert len({s.room for s in seats}) == 6
    assert len(made) <= 6 + len(nodes), made
