"""A participant's own debrief, opened with their seat token once the room has ended."""

from __future__ import annotations

from aiohttp import web

from ..auth import Seat
from ..debrief import coaching
from ..referee import Phase
from .analyses import analysis, prepare
from .api import _json
from .keys import ROOMS, TOKENS

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get("/debrief/{token}")
async def own_debrief(request: web.Request) -> web.Response:
    """Your result, where it sits among the same role's results in the workshop
    (anonymised), and coaching signals. Never the counterpart's private score."""
    seat = request.app[TOKENS].verify(request.match_info["token"])
    if not isinstance(seat, Seat) or seat.role == "observer":
        return _json({"error": {"code": "invalid_token", "message": "Not a seat token."}}, 404)
    service = request.app[ROOMS]
    room = await service.room(seat.room)
    if room is None:
        return _json({"error": {"code": "unknown_room", "message": "No such room."}}, 404)
    if room.state.phase is not Phase.ENDED:
        error = {"code": "not_ended", "message": "The debrief opens when the room has ended."}
        return _json({"error": error}, 409)
    role = seat.role
    await prepare([room.state.scenario])
    result = analysis(request.app, room)
    mine = result.buyer if role == "buyer" else result.seller
    cohort: list[float] = []
    if room.state.workshop is not None:
        # The workshop's rooms from the room directory; ended ones load on demand.
        for other_id, _ in await service.workshop_rooms(room.state.workshop):
            other = await service.room(other_id)
            if other is not None and other.state.phase is Phase.ENDED:
                theirs = analysis(request.app, other)
                score = (theirs.buyer if role == "buyer" else theirs.seller).score
                if score is not None:
                    cohort.append(score)
    return _json(
        {
            "role": role,
            "outcome": result.outcome,
            "terms": result.terms,
            "score": mine.score,
            "reservation_value": mine.reservation_value,
            "beat_reservation": mine.beat_reservation,
            "distance_to_frontier": result.distance_to_frontier,
            "cohort": sorted(cohort),
            "coaching": [{"key": s.key, "values": s.values} for s in coaching(result, role)],
        }
    )
