"""The facilitator's list of workshops, and its housekeeping: rename, duplicate, archive.

``GET /api/workshops`` lists the newest workshops with where each one is
(``state``: waiting, running, ended or archived), leaving archived ones out
unless ``?archived=include`` (or ``only``) asks for them. A workshop's title,
and whether it is archived, are records in its own log (:mod:`..rooms.workshops`),
like everything else that happens to it.

Archiving puts a finished workshop away: it never deletes anything, and it never
stops a room. While any of the workshop's rooms has not ended the archive is
refused (409 ``workshop_live``, saying how many): the facilitator ends them first
(``POST …/end``, which the console offers after asking), then archives. An
archived workshop's open link and join code seat nobody (409 ``workshop_archived``),
and no room can be added to it, so it stays as it was put away until it is
unarchived.

A duplicate is a new workshop with the original's scenario and settings (open-link
capacity, start mode, and the rooms the facilitator made, with their labels, but
not the ones its open link made for arrivals): new id, new links, new tokens, new
join code, nothing of the original's people or outcomes.
"""

from __future__ import annotations

from collections import defaultdict

import msgspec
from aiohttp import web

from ..referee import Phase
from ..rooms import RoomService
from ..rooms.directory import live
from ..rooms.workshops import HeldWorkshop, Listed, WorkshopLive
from .api import (
    ApiError,
    Title,
    _body,
    _json,
    _known_workshop,
    _workshop,
    _workshop_head,
)
from .keys import CATALOG, ROOMS, WORKSHOPS
from .rounds_api import _live_rooms

__all__ = ["copy_title", "routes"]

routes = web.RouteTableDef()

_LISTED = 100
"""Workshops GET /api/workshops lists unless asked for more: the newest."""
_MOST_LISTED = 1000
_SHOWN: tuple[Listed, ...] = ("exclude", "include", "only")
_COPY = " (copy)"


def _limit(request: web.Request) -> int:
    raw = request.query.get("limit", str(_LISTED))
    if not raw.isdigit() or not 1 <= int(raw) <= _MOST_LISTED:
        raise ApiError(
            400, "invalid_request", f"`limit` is a whole number from 1 to {_MOST_LISTED}."
        )
    return int(raw)


def _shown(request: web.Request) -> Listed:
    raw = request.query.get("archived", "exclude")
    for shown in _SHOWN:
        if raw == shown:
            return shown
    raise ApiError(400, "invalid_request", "`archived` is one of exclude, include, only.")


@routes.get("/api/workshops")
async def list_workshops(request: web.Request) -> web.Response:
    """The newest workshops (``?limit=``, 100 unless given), oldest first, each with its
    state, its room count and how many of its rooms are live; archived ones only if
    ``?archived=include`` or ``only`` asks.

    A year of workshops is history: the listing reads only the ones it shows, counts
    rooms in the room directory, and looks only at live rooms (no ended room is
    loaded for it).
    """
    limit, shown = _limit(request), _shown(request)
    service: RoomService = request.app[ROOMS]
    listed = await request.app[WORKSHOPS].listed(limit, shown)
    live_by_workshop: defaultdict[str | None, list[str]] = defaultdict(list)
    for room_id, ref in await live(service.log):
        live_by_workshop[ref.workshop].append(room_id)
    now = service.clock()
    answer = []
    for held in listed:
        phases = []
        for room_id in live_by_workshop[held.id]:
            room = await service.room(room_id)
            if room is not None and room.state.phase is not Phase.ENDED:
                phases.append(room.state.phase)
        rooms = len(await service.workshop_rooms(held.id))
        answer.append(
            {
                **_workshop_head(held),
                "state": held.state(phases, rooms, now),
                "room_count": rooms,
                "live_rooms": len(phases),
            }
        )
    return _json(answer)


def _title(raw: str) -> str:
    """A workshop's new title: its own words, without the blanks around them."""
    title = raw.strip()
    if not title:
        raise ApiError(400, "invalid_request", "`title` is blank: a workshop needs a name.")
    return title


def copy_title(title: str, most: int = 120) -> str:
    """The title of a workshop's copy, ``"<title> (copy)"``, cut to fit ``most`` characters."""
    return title[: most - len(_COPY)].rstrip() + _COPY


class NewTitle(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST /api/workshops/{id}/rename body."""

    title: Title


@routes.post("/api/workshops/{workshop}/rename")
async def rename_workshop(request: web.Request) -> web.Response:
    """Give the workshop a new title (recorded in its log): the console, the lobby and
    the projector say it from now on."""
    held = await _known_workshop(request)
    title = _title((await _body(request, NewTitle)).title)
    await request.app[WORKSHOPS].rename(held.id, title, request.app[ROOMS].clock())
    return _json(_workshop_head(held))


class Copy(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST /api/workshops/{id}/duplicate body (optional)."""

    title: Title | None = None
    """The copy's title; without it, the original's followed by " (copy)"."""


@routes.post("/api/workshops/{workshop}/duplicate")
async def duplicate_workshop(request: web.Request) -> web.Response:
    """A new workshop with the original's scenario and settings (see the module docstring),
    answered as ``POST /api/workshops`` answers a new one."""
    original = await _known_workshop(request)
    body = await _body(request, Copy)
    title = copy_title(original.record.title) if body.title is None else _title(body.title)
    record = original.record
    scenario = request.app[CATALOG].get(record.scenario)
    if scenario is None:
        raise ApiError(
            409,
            "scenario_missing",
            f"This workshop's scenario {record.scenario!r} is no longer on this server, "
            "so it cannot be run again.",
        )
    service: RoomService = request.app[ROOMS]
    arrivals = {seat.room for seat in original.seats}  # rooms its open link made
    labels = [
        ref.label
        for room_id, ref in await service.workshop_rooms(original.id)
        if room_id not in arrivals
    ]
    copy = await request.app[WORKSHOPS].create(
        title, scenario.id, service.clock(), record.capacity, record.start, copied_from=record.id
    )
    rooms = await service.create_many(scenario, copy.id, labels, held=copy.start == "together")
    return _json(_workshop(request, await _known_workshop(request, copy.id), rooms), status=201)


@routes.post("/api/workshops/{workshop}/archive")
async def archive_workshop(request: web.Request) -> web.Response:
    """Archive the workshop once none of its rooms is live (409 ``workshop_live`` before);
    an archived workshop is answered as it is."""
    held = await _known_workshop(request)
    service: RoomService = request.app[ROOMS]

    async def live_rooms() -> int:
        return len(await _live_rooms(service, held.id))

    archived = await request.app[WORKSHOPS].archive(held.id, service.clock(), live_rooms)
    if isinstance(archived, WorkshopLive):
        rooms = "1 room has" if archived.rooms == 1 else f"{archived.rooms} rooms have"
        raise ApiError(
            409,
            archived.code,
            f"{rooms} not ended in this workshop: end them first (End all, or POST "
            f"/api/workshops/{held.id}/end), then archive it. Archiving never stops a room.",
            {"live_rooms": archived.rooms},
        )
    return _json(_workshop_head(held))


@routes.post("/api/workshops/{workshop}/unarchive")
async def unarchive_workshop(request: web.Request) -> web.Response:
    """Bring an archived workshop back: listed again, its open link open again."""
    held: HeldWorkshop = await _known_workshop(request)
    await request.app[WORKSHOPS].unarchive(held.id, request.app[ROOMS].clock())
    return _json(_workshop_head(held))
