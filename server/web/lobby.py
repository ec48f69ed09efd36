"""The lobby: the screen at the front of the room while people arrive.

``GET /lobby/{projector token}`` shows, in large type for a projector, a big
QR code of ``HOST/j/CODE`` (:mod:`.join_code`), the short URL ``HOST/j`` and
the workshop's code, everyone who has arrived by name, and once the
facilitator starts the round, its countdown. It takes the projector's token
(the same link, the same permission: safe to show the whole room); its data
(``/lobby/{token}/data``) holds the arrivals' display names, which everyone in
the room sees arriving anyway, and nothing else about anyone: no room, role,
brief, message, term or score.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from aiohttp import web

from dealroom.protocol import Joined

from ..rooms import Room, join_codes
from .api import _base_url, _json, _rooms_of, round_json
from .cohort_api import projected
from .keys import ROOMS, WORKSHOPS
from .static import _page

__all__ = ["NAMES_SHOWN", "routes"]

NAMES_SHOWN = 300
"""The most arrivals' names the lobby's data carries (the newest; the count is whole)."""

routes = web.RouteTableDef()


def _arrivals(rooms: list[Room]) -> list[tuple[int, str]]:
    """Each seat that has joined, as (when it first joined, its latest name), oldest first."""
    seats: list[tuple[int, str]] = []
    for room in rooms:
        first: dict[str, list[Any]] = {}
        for event in room.events:
            if isinstance(event, Joined) and event.by in ("buyer", "seller"):
                seat = first.setdefault(event.by, [event.at, ""])
                seat[1] = event.name.strip() or seat[1]
        seats.extend((at, name) for at, name in first.values())
    seats.sort(key=lambda seat: seat[0])
    return seats


@routes.get("/lobby/{token}")
async def lobby_page(request: web.Request) -> web.FileResponse:
    """The lobby page for the projector while people arrive."""
    await projected(request)
    return _page("lobby.html")


@routes.get("/lobby/{token}/data")
async def lobby_data(request: web.Request) -> web.Response:
    """The lobby's figures: the code and URL, the arrivals by name, the round's deadline."""
    held = await projected(request)
    service = request.app[ROOMS]
    code = await request.app[WORKSHOPS].ensure_code(held.id, service.clock())
    base = _base_url(request)
    arrivals = _arrivals(await _rooms_of(request, held.id))
    body = {
        "workshop": {"title": held.record.title, "start": held.record.start},
        "code": code,
        "code_shown": join_codes.shown(code),
        "join_url": f"{base}/j",
        "short_url": f"{base.split('://', 1)[-1]}/j",
        "qr": f"/lobby/{request.match_info['token']}/qr.svg",
        "arrivals": {
            "count": len(arrivals),
            "names": [name for _, name in arrivals[-NAMES_SHOWN:] if name],
        },
        "round": round_json(held.round),
        "server_time": service.clock(),
    }
    response = _json(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@routes.get("/lobby/{token}/qr.svg")
async def lobby_qr(request: web.Request) -> web.Response:
    """The QR code of ``HOST/j/CODE``: short, so its modules are big enough to scan from
    the back of the room (the code leads to the open link)."""
    held = await projected(request)
    code = await request.app[WORKSHOPS].ensure_code(held.id, request.app[ROOMS].clock())
    out = io.BytesIO()
    segno.make(f"{_base_url(request)}/j/{code}", error="m").save(
        out, kind="svg", scale=10, border=2, xmldecl=False, title="join link"
    )
    response = web.Response(body=out.getvalue(), content_type="image/svg+xml")
    response.headers["Cache-Control"] = "no-cache"
    return response
