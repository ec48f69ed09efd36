"""What the facilitator puts on a workshop's projector besides the reveal.

``POST /api/workshops/{id}/spotlight {"room": R}`` puts one room of the
workshop on the projector: the projector shows that room's negotiation
replayed, instead of the cohort, until ``DELETE /api/workshops/{id}/spotlight``
takes it off. ``POST /api/workshops/{id}/labels {"shown": true}`` labels each
deal on the projector's scatter with its room's label. Both are recorded in the
workshop's log (:mod:`..rooms.projector` folds them), so a projector that reloads, and a
restarted server, show the same thing; both answer the workshop's head, which
says what the projector shows (``spotlight``, ``labels_shown``).

:func:`spotlight_json` is the spotlight as the projector's data carries it: the
room's replay as the whole group may see it (:func:`..debrief.projected_steps`:
offers, their terms, roles and classes, the outcome; no message, name or
private event), both private scores only once the reveal shows the deals, and
both walk-away values only once it shows the walk-away lines.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from aiohttp import web

from dealroom.protocol import Role

from ..debrief import projected_steps, replay_steps
from ..rooms.workshop_records import LabelsChanged, RevealStep, SpotlightChanged
from ..rooms.workshops import HeldWorkshop
from .api import ApiError, _body, _json, _known_workshop, _workshop_head
from .keys import ROOMS, WORKSHOPS

__all__ = ["routes", "spotlight_json"]

routes = web.RouteTableDef()

RoomId = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
"""A room's id as the server makes them (letters and digits; ``-`` and ``_`` allowed)."""


class Spotlit(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST /api/workshops/{id}/spotlight body: the room to show."""

    room: RoomId


class Labels(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST /api/workshops/{id}/labels body."""

    shown: bool


@routes.post("/api/workshops/{workshop}/spotlight")
async def spotlight_room(request: web.Request) -> web.Response:
    """Put one room of the workshop on its projector (another room takes its place)."""
    held = await _known_workshop(request)
    body = await _body(request, Spotlit)
    room = await request.app[ROOMS].room(body.room)
    if room is None:
        raise ApiError(404, "not_found", f"There is no room {body.room!r}.")
    if room.state.workshop != held.id:
        raise ApiError(
            409,
            "room_not_in_workshop",
            f"The room {body.room!r} is not in this workshop: its projector shows only its "
            "own rooms.",
        )
    change = SpotlightChanged(room=room.id, at=request.app[ROOMS].clock())
    await request.app[WORKSHOPS].project(held.id, change)
    return _json(_workshop_head(held))


@routes.delete("/api/workshops/{workshop}/spotlight")
async def stop_spotlight(request: web.Request) -> web.Response:
    """Take the room off the projector: it shows what it showed before."""
    held = await _known_workshop(request)
    change = SpotlightChanged(room=None, at=request.app[ROOMS].clock())
    await request.app[WORKSHOPS].project(held.id, change)
    return _json(_workshop_head(held))


@routes.post("/api/workshops/{workshop}/labels")
async def scatter_labels(request: web.Request) -> web.Response:
    """Show or hide the room labels beside the deals on the projector's scatter."""
    held = await _known_workshop(request)
    body = await _body(request, Labels)
    change = LabelsChanged(shown=body.shown, at=request.app[ROOMS].clock())
    await request.app[WORKSHOPS].project(held.id, change)
    return _json(_workshop_head(held))


async def spotlight_json(request: web.Request, held: HeldWorkshop) -> dict[str, Any] | None:
    """The room in the workshop's spotlight, replayed as the projector may show it; None
    when there is none."""
    spotlight = held.projector.spotlight
    room = None if spotlight is None else await request.app[ROOMS].room(spotlight.room)
    if spotlight is None or room is None or room.state.workshop != held.id:
        return None
    scenario = room.state.scenario
    scores = held.revealed >= RevealStep.DEALS
    walk_away = held.revealed >= RevealStep.WALK_AWAY
    roles: tuple[Role, Role] = ("buyer", "seller")
    return {
        "room": room.id,
        "label": room.state.label,
        "since": spotlight.since,
        "phase": room.state.phase.value,
        # The issues as every seat reads them, in every language the scenario has.
        "scenario": {
            "issues": scenario.issues,
            "translations": {
                lang: {"issues": text.issues} for lang, text in scenario.translations.items()
            },
        },
        "max_score": {r: scenario.max_score(r) for r in roles} if scores else None,
        "reservation": (
            {r: scenario.roles[r].reservation_value for r in roles} if walk_away else None
        ),
        "steps": projected_steps(replay_steps(room.events), scores=scores),
    }
