"""The lobby over real sockets: its data holds the code, the short URL and the arrivals
by name and nothing private, the round's deadline once started; its QR code encodes
HOST/j/CODE; a bad token is a 404. The projector's data carries the round too."""

from __future__ import annotations

import io
import json
from typing import Any

import aiohttp
import segno

from .conftest import Running
from .wsclient import WsClient


async def _lobby(session: aiohttp.ClientSession, url: str) -> tuple[str, dict[str, Any]]:
    async with session.get(url + "/data") as r:
        assert r.status == 200 and r.headers["Cache-Control"] == "no-store"
        raw = await r.text()
    return raw, json.loads(raw)


async def test_the_lobby_names_arrivals_and_counts_down_the_round(server: Running) -> None:
    body = {"scenario": "small", "start": "together", "title": "Group A"}
    _, workshop = await server.api("POST", "/api/workshops", body)
    lobby = workshop["lobby"]["url"]
    raw, data = await _lobby(server.session, lobby)
    assert data["code"] == workshop["code"]
    assert data["code_shown"] == f"{workshop['code'][:3]} {workshop['code'][3:]}"
    assert data["join_url"] == server.base + "/j"
    assert data["short_url"] == server.base.split("://")[1] + "/j"
    assert data["arrivals"] == {"count": 0, "names": []}
    assert data["round"] is None and data["workshop"] == {"title": "Group A", "start": "together"}

    clients = []
    for name in ("Ana", "Sam", "Bo"):
        async with server.session.post(
            f"{server.base}/open/{workshop['open_link']['token']}/seat", json={"name": name}
        ) as r:
            seat = await r.json()
        client = await WsClient.connect(server.ws_url)
        assert (await client.hello(seat["token"], name=name))["type"] == "welcome"
        clients.append(client)
    for client in clients:  # each one's own `joined` is in its room's log
        await client.event("joined", by=client.frames[0]["role"])
    raw, data = await _lobby(server.session, lobby)
    assert data["arrivals"] == {"count": 3, "names": ["Ana", "Sam", "Bo"]}
    # Names, and nothing else about anyone: no room, role, brief or token.
    _, scenario = await server.api("GET", "/api/scenarios/small")
    for private in ("buyer", "seller", "room", "SECRET", scenario["roles"]["buyer"]["brief"][:20]):
        assert private not in raw, private

    status, started = await server.api("POST", f"/api/workshops/{workshop['id']}/start")
    assert status == 200
    _, data = await _lobby(server.session, lobby)
    assert data["round"] == started["workshop"]["round"]
    assert 0 < data["round"]["deadline"] - data["server_time"] <= 600_000

    async with server.session.get(server.base + data["qr"]) as r:
        assert r.status == 200 and r.content_type == "image/svg+xml"
        svg = await r.read()
    expected = io.BytesIO()
    segno.make(f"{server.base}/j/{workshop['code']}", error="m").save(
        expected, kind="svg", scale=10, border=2, xmldecl=False, title="join link"
    )
    assert svg == expected.getvalue()

    # The projector's data carries the round too (a deadline is no secret).
    async with server.session.get(workshop["projector"]["url"] + "/data") as r:
        projected = await r.json()
    assert projected["round"] == data["round"] and isinstance(projected["server_time"], int)
    for client in clients:
        await client.close()


async def test_a_bad_lobby_link_is_404(server: Running) -> None:
    _, workshop = await server.api("POST", "/api/workshops", {"scenario": "small"})
    lobby = workshop["lobby"]
    assert lobby == {
        "token": workshop["projector"]["token"],
        "url": f"{server.base}/lobby/{lobby['token']}",
    }
    forged = workshop["projector"]["token"][:-2] + "xx"
    for path in (f"/lobby/{forged}", f"/lobby/{forged}/data", f"/lobby/{forged}/qr.svg"):
        async with server.session.get(server.base + path) as r:
            assert r.status == 404, path
    open_token = workshop["open_link"]["token"]  # another workshop token is no lobby token
    async with server.session.get(f"{server.base}/lobby/{open_token}") as r:
        assert r.status == 404
    async with server.session.get(workshop["lobby"]["url"]) as r:
        assert r.status == 200 and 'id="qr"' in await r.text()
