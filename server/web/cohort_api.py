"""The debrief views over HTTP: a workshop's cohort, a room's replay, the projector.

``GET /api/workshops/{id}/cohort`` and ``GET /api/rooms/{room}/replay`` are
facilitator API (Bearer token). ``GET /projector/{token}`` is a workshop's
projector page and ``/projector/{token}/data`` its figures (and its round's
deadline, for the countdown), never a brief, a message or a name, and room
labels and terms only at the facilitator's word (a room in the spotlight,
labels on the scatter: :mod:`.projector_api`), so the link may be shown on a
screen the whole room reads. Until the
facilitator reveals the workshop's debrief (``POST
/api/workshops/{id}/reveal``, recorded in the workshop's log) the projector
gets counts only: nothing derived from private scoring (DESIGN.md
principle 6), since a reservation line on the wall is the counterpart's
walk-away point. After the reveal it gets the scatter as the cohort view draws
it: each room's scores, the frontier, the Nash point, both reservation values.

Analyses are cached per room and seq (:mod:`.analyses`): a console and a
projector polling every second or two re-analyse only the rooms that changed.
"""

from __future__ import annotations

from typing import Any

import msgspec
from aiohttp import web

from ..debrief import Cohort, RoomAnalysis, cohort, replay_steps
from ..rooms.workshop_records import RevealStep
from ..rooms.workshops import HeldWorkshop
from .analyses import analysis, prepare
from .api import ApiError, _json, _known_workshop, _room, _rooms_of, _workshop_head, round_json
from .keys import CATALOG, ROOMS, TOKENS, WORKSHOPS
from .projector_api import spotlight_json
from .static import _page

__all__ = ["routes"]

routes = web.RouteTableDef()


async def _cohort(request: web.Request, held: HeldWorkshop) -> Cohort:
    workshop = held.record
    rooms = await _rooms_of(request, held.id)
    if rooms:
        # The scenario as the rooms froze it at creation; a room added later with
        # another scenario has no place on this outcome space and is left out.
        scenario = rooms[0].state.scenario
        rooms = [r for r in rooms if r.state.scenario.id == scenario.id]
    else:
        catalog_scenario = request.app[CATALOG].get(workshop.scenario)
        if catalog_scenario is None:
            raise ApiError(404, "not_found", f"There is no scenario {workshop.scenario!r}.")
        scenario = catalog_scenario
    await prepare([scenario])
    return cohort(scenario, [analysis(request.app, r) for r in rooms])


def _head(view: Cohort) -> dict[str, Any]:
    money = view.money
    return {
        "scenario": {
            "id": view.scenario.id,
            "title": view.scenario.title,
            "currency": view.scenario.currency,
        },
        "money": None if money is None else msgspec.to_builtins(money),
        "reservation": view.reservation,
        "max_score": view.max_score,
        "frontier": view.frontier,
        "nash": view.nash,
        "best_joint": view.best_joint,
        "counts": view.counts,
    }


def _public_head(view: Cohort) -> dict[str, Any]:
    """What anyone in the room may see: the scenario's public name and the counts.

    Every figure of :func:`_head` but these comes from the roles' private
    scoring (max scores, reservation values, frontier, Nash point, best joint
    value), and the money issue's range is left out with them: it is only
    the histogram's axis, drawn after the reveal.
    """
    return {
        "scenario": {
            "id": view.scenario.id,
            "title": view.scenario.title,
            "currency": view.scenario.currency,
        },
        "counts": view.counts,
    }


def _side_counts(room: RoomAnalysis, attribute: str) -> dict[str, Any]:
    return {"buyer": getattr(room.buyer, attribute), "seller": getattr(room.seller, attribute)}


def _row(room: RoomAnalysis) -> dict[str, Any]:
    return {
        "room": room.room,
        "label": room.label,
        "phase": room.phase,
        "outcome": room.outcome,
        "deadlocked": room.deadlocked,
        "buyer_score": room.buyer.score,
        "seller_score": room.seller.score,
        "joint": room.joint,
        "distance_to_frontier": room.distance_to_frontier,
        "buyer_beat_reservation": room.buyer.beat_reservation,
        "seller_beat_reservation": room.seller.beat_reservation,
        "money_value": room.money_value,
        "first_offer_by": room.first_offer_by,
        "anchor": room.anchor,
        "offers": _side_counts(room, "offers"),
        "growing_concessions": _side_counts(room, "growing_concessions"),
        "intents": _side_counts(room, "intents"),
        "deadlocks": room.deadlocks,
        "deadlocks_broken": room.deadlocks_broken,
        "time_to_agreement_ms": room.time_to_agreement_ms,
        "authority": _side_counts(room, "authority"),
        "curves": {
            side.role: [
                {"seq": p.seq, "t": p.t, "own": p.own, "other": p.other, "class": p.offer_class}
                for p in side.curve
            ]
            for side in (room.buyer, room.seller)
        },
    }


@routes.get("/api/workshops/{workshop}/cohort")
async def workshop_cohort(request: web.Request) -> web.Response:
    """Every room of the workshop side by side, on the scenario's outcome space."""
    held = await _known_workshop(request)
    view = await _cohort(request, held)
    body = {
        "workshop": _workshop_head(held),
        **_head(view),
        "rooms": [_row(r) for r in view.rooms],
    }
    return _json(body)


@routes.get("/api/rooms/{room}/replay")
async def room_replay(request: web.Request) -> web.Response:
    """A room's log as replay steps: each event and the room as it stood after it."""
    room = await _room(request)
    scenario = room.state.scenario
    body = {
        "room": room.id,
        "label": room.state.label,
        "scenario": {
            "id": scenario.id,
            "title": scenario.title,
            "currency": scenario.currency,
            "issues": scenario.issues,
        },
        "reservation": {r: scenario.roles[r].reservation_value for r in ("buyer", "seller")},
        "max_score": {r: scenario.max_score(r) for r in ("buyer", "seller")},
        "steps": replay_steps(room.events),
    }
    return _json(body)


async def projected(request: web.Request) -> HeldWorkshop:
    """The workshop a projector token (``{token}`` in the path) names; 404 otherwise. The
    projector and the lobby, both shared screens, are reached with it."""
    workshop = request.app[TOKENS].verify_projector(request.match_info["token"])
    # Refreshed: a reveal or a round recorded by another node shows on the next poll.
    held = None if workshop is None else await request.app[WORKSHOPS].refresh(workshop)
    if held is None:
        raise web.HTTPNotFound(reason="This screen's link is not valid here.")
    return held


@routes.get("/projector/{token}")
async def projector_page(request: web.Request) -> web.FileResponse:
    """The projector page: live counts and the cohort scatter for the whole room."""
    await projected(request)
    return _page("projector.html")


@routes.get("/projector/{token}/data")
async def projector_data(request: web.Request) -> web.Response:
    """The projector's figures: counts until the reveal, then step by step the deals,
    the walk-away lines and the frontier; never a brief, message or name. Room labels
    and terms only at the facilitator's word: labels on the scatter, and the replay of
    the room in the spotlight (:func:`.projector_api.spotlight_json`)."""
    held = await projected(request)
    view = await _cohort(request, held)
    step = held.revealed
    workshop = {
        "title": held.record.title,
        "revealed_at": held.revealed_at,
        "start": held.record.start,
    }
    # The round's countdown is public: every seat of the round has the same deadline.
    clock = {"round": round_json(held.round), "server_time": request.app[ROOMS].clock()}
    # A room the facilitator put on the projector, as the reveal lets it be shown.
    shown = {
        "spotlight": await spotlight_json(request, held),
        "labels_shown": held.projector.labels,
    }
    if step is RevealStep.COUNTS:
        body = {"workshop": workshop, **_public_head(view), **clock, **shown, "revealed": False}
        response = _json(body)
        response.headers["Cache-Control"] = "no-store"
        return response
    head = _head(view)
    if step < RevealStep.WALK_AWAY:
        head["reservation"] = None
    if step < RevealStep.FRONTIER:
        head.update(frontier=[], nash=None, best_joint=None, money=None)
    body = {
        "workshop": workshop,
        "revealed": True,
        "step": int(step),
        **clock,
        **shown,
        **head,
        "rooms": [
            {
                "buyer_score": r.buyer.score,
                "seller_score": r.seller.score,
                "outcome": r.outcome,
                "phase": r.phase,
                "deadlocked": r.deadlocked,
                # Each room's label only while the facilitator shows them on the scatter.
                **({"label": r.label} if held.projector.labels else {}),
            }
            for r in view.rooms
        ],
    }
    response = _json(body)
    response.headers["Cache-Control"] = "no-store"
    return response
