"""Every free-text field of the HTTP API has a length limit, and saying too much names it.

A workshop title once took 200 kB and the unauthenticated projector echoed it.
Each case sends one field one character over its limit; the answer is a 400
whose message names the field and the limit, and nothing was created.
"""

from __future__ import annotations

from typing import Any

import pytest

from dealroom.server.web.keys import ROOMS, WORKSHOPS

from .conftest import Running

# (path, the body around the field, field, limit); {room} and {workshop} are filled in.
CASES = [
    ("/api/workshops", {"scenario": "small"}, "title", 120),
    ("/api/workshops", {}, "scenario", 64),
    ("/api/rooms", {"scenario": "small"}, "label", 120),
    ("/api/rooms", {}, "scenario", 64),
    ("/api/rooms", {"scenario": "small"}, "workshop", 64),
    ("/api/rooms/{room}/announce", {}, "text", 2000),
    ("/api/rooms/{room}/message", {"to": "buyer"}, "text", 2000),
    ("/api/rooms/{room}/approvals/3", {"approve": False}, "note", 2000),
    ("/api/rooms/{room}/bots", {"role": "buyer"}, "persona", 64),
    ("/api/rooms/{room}/bots", {"role": "buyer"}, "strategy", 64),
    ("/api/practice", {}, "scenario", 64),
    ("/api/practice", {"scenario": "small"}, "persona", 64),
    ("/api/practice", {"scenario": "small"}, "strategy", 64),
    ("/open/{open}/seat", {}, "name", 80),
]


@pytest.mark.parametrize(("path", "body", "field", "limit"), CASES, ids=lambda c: str(c))
async def test_a_field_over_its_limit_is_refused_by_name(
    server: Running, path: str, body: dict[str, Any], field: str, limit: int
) -> None:
    _, workshop = await server.api("POST", "/api/workshops", {"scenario": "small", "rooms": 1})
    room = workshop["rooms"][0]
    url = path.format(room=room["id"], workshop=workshop["id"], open=workshop["open_link"]["token"])
    rooms_before = len(server.app[ROOMS].rooms)
    workshops_before = len(await server.app[WORKSHOPS].listing())
    events_before = len(server.app[ROOMS].rooms[room["id"]].events)

    status, answer = await server.api("POST", url, {**body, field: "x" * (limit + 1)})
    assert status == 400, answer
    assert answer["error"]["code"] == "invalid_request"
    message = answer["error"]["message"]
    assert f"`{field}`" in message and f"at most {limit} characters" in message, message
    assert len(server.app[ROOMS].rooms) == rooms_before
    assert len(await server.app[WORKSHOPS].listing()) == workshops_before
    assert len(server.app[ROOMS].rooms[room["id"]].events) == events_before
