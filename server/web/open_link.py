"""A workshop's open link: one URL for everyone; arrivals are paired into rooms.

``GET /open/{token}`` is the page that asks for a name; ``POST
/open/{token}/seat`` hands the arrival the next seat (see
:meth:`~..rooms.workshops.Workshops.assign`) and answers its join link. The
link needs no facilitator token: its own token, which names the workshop under
the server's secret, is the permission.

Because anyone holding the link can post, what it can cost is bounded twice
(DESIGN.md principle 7): by the workshop's capacity (seats; beyond it
``409 workshop_full``) and by a per-address pace (:mod:`.arrival_rate`;
beyond it ``429 rate_limited`` with ``Retry-After``). An archived workshop's
link seats nobody (``409 workshop_archived``). The client address is
the socket's peer, or behind a load balancer named with ``--trusted-proxy``
the address it forwards (:mod:`.client_address`).
"""

from __future__ import annotations

import math
import time
from typing import Annotated

import msgspec
from aiohttp import web

from ..rooms.workshops import HeldWorkshop, WorkshopArchived, WorkshopFull
from .api import ApiError, _base_url, _body, _json
from .arrival_rate import ArrivalRate
from .client_address import TrustedProxies
from .keys import CATALOG, ROOMS, TOKENS, WORKSHOPS
from .static import _page

__all__ = [
    "ARRIVALS",
    "ARRIVALS_BURST",
    "ARRIVALS_PER_MINUTE",
    "PROXIES",
    "arrival_rate",
    "routes",
]

ARRIVALS_BURST = 40
"""Seats one client address may take at once: a class behind one NAT address."""
ARRIVALS_PER_MINUTE = 20.0
"""Seats per minute one client address may take once its burst is spent."""

ARRIVALS = web.AppKey("arrivals", ArrivalRate)
"""The app's :class:`ArrivalRate` (kept here, beside the one route that uses it)."""
PROXIES = web.AppKey("trusted proxies", TrustedProxies)
"""Load balancers whose ``X-Forwarded-For`` names the client (``--trusted-proxy``)."""


def arrival_rate() -> ArrivalRate:
    """The open link's per-address pace, as the server runs it."""
    return ArrivalRate(ARRIVALS_PER_MINUTE, ARRIVALS_BURST)


routes = web.RouteTableDef()


class Arrival(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST /open/{token}/seat body."""

    name: Annotated[str, msgspec.Meta(max_length=80)] = ""


async def _workshop_of(request: web.Request) -> HeldWorkshop:
    workshop = request.app[TOKENS].verify_open_link(request.match_info["token"])
    held = None if workshop is None else await request.app[WORKSHOPS].get(workshop)
    if held is None:
        raise ApiError(404, "not_found", "This open link is not valid here.")
    return held


@routes.get("/open/{token}")
async def open_page(request: web.Request) -> web.FileResponse:
    """The arrival page: a name, then a seat."""
    return _page("open.html")


@routes.post("/open/{token}/seat")
async def take_seat(request: web.Request) -> web.Response:
    """Hand the arrival a seat: the other seat of a waiting room, or a new room's first."""
    try:
        held = await _workshop_of(request)
        await _body(request, Arrival)
    except ApiError as exc:
        return _json({"error": {"code": exc.code, "message": exc.message}}, status=exc.status)
    app = request.app
    address = app[PROXIES].client(
        request.remote or "", request.headers.getall("X-Forwarded-For", [])
    )
    wait = app[ARRIVALS].admit(address, time.monotonic())
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        message = f"Too many seats taken from your address; try again in {seconds} s."
        response = _json({"error": {"code": "rate_limited", "message": message}}, status=429)
        response.headers["Retry-After"] = str(seconds)
        return response
    workshop_id, workshop = held.id, held.record
    scenario = app[CATALOG].get(workshop.scenario)
    if scenario is None:
        error = {"code": "not_found", "message": "The workshop's scenario is gone."}
        return _json({"error": error}, status=404)
    rooms = app[ROOMS]

    async def new_room() -> str:
        # Counted here, under the workshop's lock: concurrent arrivals get distinct labels.
        count = len(await rooms.workshop_rooms(workshop_id))
        label = f"Room {count + 1}"
        held = workshop.start == "together"  # its rooms wait for the round's start
        room = await rooms.create(scenario, workshop=workshop_id, label=label, held=held)
        return room.id

    seat = await app[WORKSHOPS].assign(workshop_id, new_room, rooms.clock())
    if isinstance(seat, WorkshopFull):
        message = (
            f"This workshop is full: all {seat.capacity} seats are taken. "
            "Ask your facilitator to open more seats."
        )
        return _json({"error": {"code": seat.code, "message": message}}, status=409)
    if isinstance(seat, WorkshopArchived):
        message = "This workshop has closed: ask your facilitator for the current link."
        return _json({"error": {"code": seat.code, "message": message}}, status=409)
    token = app[TOKENS].seat(seat.room, seat.role)
    return _json(
        {
            "room": seat.room,
            "role": seat.role,
            "token": token,
            "url": f"{_base_url(request)}/join/{token}",
        },
        status=201,
    )
