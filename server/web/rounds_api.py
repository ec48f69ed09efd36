"""A workshop's round, and facilitator actions on every room of a workshop at once.

``POST /api/workshops/{id}/start`` starts a together-workshop's round: every
held room with both seats in starts now, all with one deadline (the round's),
so one countdown holds for the whole group. The round is recorded in the
workshop's log first; a room that fills while it runs starts at once with the
same deadline (:func:`start_latecomer`, called by the room service when a
seat's arrival leaves a held room waiting with both seats in), so the whole
group ends together. ``extend``, ``announce`` and ``end`` act on every live
room of any workshop in one request, and ``extend``/``end`` move or end the
running round too, so that latecomers follow.

Every answer lists each room's outcome, as the room's own control action
would have answered it: ``applied`` with the event's seq, or ``refused``
with the referee's code. The round's changes and the starts of rooms that
fill meanwhile take the workshop's ``round_lock``, so on one node a
latecomer gets the round's deadline before an extension (and then the
extension) or after it, never both. Across nodes the two may still cross
within one round trip: that room ends a few minutes off, never twice.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import msgspec
from aiohttp import web

from ..log import LogUnavailable
from ..referee import (
    Announce,
    Applied,
    Command,
    End,
    Extend,
    Phase,
    Refused,
    RoomState,
    Start,
    room_view,
)
from ..referee.rules import MAX_EXTEND_SECONDS
from ..rooms import Room, RoomService
from ..rooms.directory import live
from ..rooms.workshops import HeldWorkshop
from .api import ApiError, Seconds, Text, _body, _json, _known_workshop, _workshop_head
from .keys import ROOMS, WORKSHOPS

__all__ = ["routes", "start_latecomer"]

routes = web.RouteTableDef()


class RoundLength(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST /api/workshops/{id}/start body: how long the round runs."""

    seconds: Annotated[int, msgspec.Meta(ge=1, le=MAX_EXTEND_SECONDS)] | None = None
    """None: the scenario's own deadline (none if the scenario has none)."""


def _ready(state: RoomState) -> bool:
    """A held room waiting, both seats in: what a round's start starts."""
    return state.held and state.phase is Phase.WAITING and state.joined >= {"buyer", "seller"}


async def _live_rooms(service: RoomService, workshop_id: str) -> list[Room]:
    """The workshop's rooms that have not ended, oldest first, without loading ended ones."""
    live_ids = {room_id for room_id, ref in await live(service.log) if ref.workshop == workshop_id}
    rooms = []
    for room_id, _ in await service.workshop_rooms(workshop_id):
        if room_id in live_ids:
            room = await service.room(room_id)
            if room is not None and room.state.phase is not Phase.ENDED:
                rooms.append(room)
    return rooms


async def _act(service: RoomService, room: Room, command: Command) -> dict[str, Any]:
    """Submit ``command`` to one room; its outcome as the workshop's answer lists it."""
    outcome: dict[str, Any] = {"room": room.id, "label": room.state.label}
    try:
        decision = await service.submit(room, command)
    except LogUnavailable:
        message = "The event log is unavailable; retry."
        return {**outcome, "result": "refused", "code": "unavailable", "message": message}
    if isinstance(decision, Refused):
        outcome.update(result="refused", code=decision.code, message=decision.message)
    else:
        assert isinstance(decision, Applied)
        seq = decision.events[0].seq if decision.events else room.state.seq
        outcome.update(result="applied", seq=seq)
    return {**outcome, "state": room_view(room.state)}


async def _act_on_all(
    service: RoomService, rooms: list[Room], command: Command, held: HeldWorkshop
) -> web.Response:
    """``command`` on every room at once (their appends share commits); the answer."""
    outcomes = await asyncio.gather(*(_act(service, room, command) for room in rooms))
    applied = sum(o["result"] == "applied" for o in outcomes)
    return _json({"workshop": _workshop_head(held), "applied": applied, "rooms": outcomes})


@routes.post("/api/workshops/{workshop}/start")
async def start_round(request: web.Request) -> web.Response:
    """Start the round: every held room with both seats in, now, with one deadline."""
    held = await _known_workshop(request)
    body = await _body(request, RoundLength)
    if held.record.start != "together":
        raise ApiError(
            409,
            "invalid_action",
            "This workshop starts each room as soon as both its seats have joined; a round "
            'needs a workshop created with "start": "together".',
        )
    service: RoomService = request.app[ROOMS]
    workshops = request.app[WORKSHOPS]
    async with held.round_lock:
        await workshops.refresh(held.id)
        rooms = await _live_rooms(service, held.id)
        ready = [room for room in rooms if _ready(room.state)]
        now = service.clock()
        running = held.round is not None and held.round.running(now)
        if not ready:
            raise ApiError(
                409,
                "not_started",
                "The round is running and no room is waiting with both seats in; a room that "
                "fills now starts by itself."
                if running
                else "No room has both seats in yet: a room can start once both its seats "
                "have joined.",
            )
        seconds = body.seconds
        if seconds is None:  # the scenario's time, as the rooms froze it
            seconds = ready[0].state.scenario.rules.deadline_seconds
        deadline = now + seconds * 1000 if seconds else None
        # Recorded before any room starts: a room that fills from now on joins it.
        current = await workshops.start_round(held.id, deadline, now)
        return await _act_on_all(service, rooms, Start(deadline=current.deadline, now=now), held)


@routes.post("/api/workshops/{workshop}/extend")
async def extend_all(request: web.Request) -> web.Response:
    """Extend every live room of the workshop (and its running round) by ``seconds``."""
    held = await _known_workshop(request)
    seconds = (await _body(request, Seconds)).seconds
    if not 0 < seconds <= MAX_EXTEND_SECONDS:
        message = f"An extension is between 1 and {MAX_EXTEND_SECONDS} seconds, not {seconds}."
        raise ApiError(409, "invalid_action", message)
    service: RoomService = request.app[ROOMS]
    async with held.round_lock:
        now = service.clock()
        await request.app[WORKSHOPS].extend_round(held.id, seconds, now)
        rooms = await _live_rooms(service, held.id)
        return await _act_on_all(service, rooms, Extend(seconds=seconds, now=now), held)


@routes.post("/api/workshops/{workshop}/announce")
async def announce_all(request: web.Request) -> web.Response:
    """The same announcement in every live room of the workshop."""
    held = await _known_workshop(request)
    text = (await _body(request, Text)).text
    if not text.strip():
        raise ApiError(409, "invalid_action", "An announcement needs some text.")
    service: RoomService = request.app[ROOMS]
    rooms = await _live_rooms(service, held.id)
    return await _act_on_all(service, rooms, Announce(text=text, now=service.clock()), held)


@routes.post("/api/workshops/{workshop}/end")
async def end_all(request: web.Request) -> web.Response:
    """End every live room of the workshop (outcome ``closed``), and its running round."""
    held = await _known_workshop(request)
    service: RoomService = request.app[ROOMS]
    async with held.round_lock:
        now = service.clock()
        # Recorded first: a room that fills from now on no longer joins the round.
        await request.app[WORKSHOPS].end_round(held.id, now)
        rooms = await _live_rooms(service, held.id)
        return await _act_on_all(service, rooms, End(now=now), held)


async def start_latecomer(app: web.Application, room: Room) -> None:
    """A held room just got its second seat: start it if its workshop's round runs.

    It gets the round's deadline, however late it fills: the whole group ends
    together. Before a round, or after it, it waits for the next start.
    """
    workshop_id = room.state.workshop
    held = None if workshop_id is None else await app[WORKSHOPS].get(workshop_id)
    if held is None:
        return
    service = app[ROOMS]
    async with held.round_lock:
        await app[WORKSHOPS].refresh(held.id)
        now = service.clock()
        current = held.round
        if current is not None and current.running(now) and _ready(room.state):
            await service.submit(room, Start(deadline=current.deadline, now=now))
