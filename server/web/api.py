"""The facilitator HTTP API under ``/api/`` (``Authorization: Bearer <token>``).

Requests and responses are JSON. A refused request answers
``{"error": {"code": C, "message": M}}`` with a stable code: ``unauthorized``
(401), ``not_found`` (404), ``invalid_request`` (400), or the referee's code
for a refused control action (409).

Every string a body carries has a length limit (DESIGN.md principle 7): free
text is echoed to other viewers (a workshop title reaches the projector), so
an over-long field is refused with a 400 that names the field and its limit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from aiohttp import web

from dealroom.protocol import JSON, Role, Scenario

from ..auth import SEAT_ROLES, Tokens
from ..debrief import events_jsonl, rooms_csv
from ..log import LogUnavailable
from ..referee import (
    Announce,
    Applied,
    Approve,
    Command,
    End,
    Extend,
    Mediate,
    Pause,
    Phase,
    Refused,
    Resume,
    room_view,
)
from ..rooms import Room, RoomService
from ..rooms.workshop_records import DEFAULT_CAPACITY, RevealStep, Start
from ..rooms.workshops import MAX_CAPACITY, HeldWorkshop, Round
from .analyses import analysis, prepare
from .keys import CATALOG, ROOMS, SETTINGS, TOKENS, WORKSHOPS

__all__ = ["routes"]

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_MAX_ROOMS_PER_CALL = 500
_T = TypeVar("_T")

Id = Annotated[str, msgspec.Meta(max_length=64)]
"""A scenario, workshop or persona id: short, and echoed in a not-found message."""
Title = Annotated[str, msgspec.Meta(max_length=120)]
"""A workshop title or a room label (the console's inputs allow as much)."""
Prose = Annotated[str, msgspec.Meta(max_length=2000)]
"""A facilitator's free text: as long as a participant's message may be."""


class ApiError(Exception):
    """Turned into a JSON error body by the middleware; ``details`` are more fields of it
    (what a client needs to act on the refusal, e.g. how many rooms are live)."""

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=msgspec.json.encode(data), status=status, content_type="application/json"
    )


@web.middleware
async def api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Authenticate ``/api/`` and turn every failure into a JSON error with a stable code."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    try:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not request.app[TOKENS].is_facilitator(token.strip()):
            raise ApiError(401, "unauthorized", "Send the facilitator token as a Bearer token.")
        return await handler(request)
    except ApiError as exc:
        error = {**exc.details, "code": exc.code, "message": exc.message}
        return _json({"error": error}, status=exc.status)
    except web.HTTPException as exc:
        code = "not_found" if exc.status == 404 else "invalid_request"
        return _json({"error": {"code": code, "message": exc.reason}}, status=exc.status)
    except LogUnavailable:
        log.exception("event log unavailable")
        msg = "The event log is unavailable; retry."
        return _json({"error": {"code": "unavailable", "message": msg}}, status=503)


_TOO_LONG = re.compile(r"Expected `(?:str|array)` of length <= (\d+) - at `\$\.?(.*)`")


async def _body(request: web.Request, kind: type[_T]) -> _T:
    raw = await request.read()
    try:
        return msgspec.json.decode(raw or b"{}", type=kind)
    except msgspec.DecodeError as exc:
        raise ApiError(400, "invalid_request", _explained(str(exc))) from exc


def _explained(error: str) -> str:
    """msgspec's complaint, with an over-long field said in words: which field, what limit."""
    too_long = _TOO_LONG.fullmatch(error)
    if too_long is None:
        return error
    limit, field = too_long.groups()
    return f"`{field}` is too long: at most {limit} characters."


def _scenario(request: web.Request, scenario_id: str) -> Scenario:
    scenario = request.app[CATALOG].get(scenario_id)
    if scenario is None:
        raise ApiError(404, "not_found", f"There is no scenario {scenario_id!r}.")
    return scenario


async def _room(request: web.Request) -> Room:
    room = await request.app[ROOMS].room(request.match_info["room"])
    if room is None:
        raise ApiError(404, "not_found", f"There is no room {request.match_info['room']!r}.")
    return room


def _base_url(request: web.Request) -> str:
    configured = request.app[SETTINGS].public_url
    return (configured or str(request.url.origin())).rstrip("/")


def _seats(request: web.Request, room: Room) -> dict[str, dict[str, str]]:
    tokens: Tokens = request.app[TOKENS]
    base = _base_url(request)
    seats: dict[str, dict[str, str]] = {}
    for role in SEAT_ROLES:
        token = tokens.seat(room.id, role)
        seats[role] = {"token": token, "url": f"{base}/join/{token}"}
    return seats


def _summary(room: Room) -> dict[str, Any]:
    state = room.state
    return {
        "id": room.id,
        "label": state.label,
        "workshop": state.workshop,
        "scenario": state.scenario.id,
        "created_at": state.created_at,
        "held": state.held,
        "present": sorted(room.presence),
        "state": msgspec.to_builtins(room_view(state)),
        "last_event": _last_move(room),
        "pending_approvals": [
            {
                "seq": p.seq,
                "role": role,
                "action": p.action,
                "terms": p.terms,
                "offer": p.offer,
                "issues": p.issues,
            }
            for role, p in sorted(state.pending.items(), key=lambda item: item[1].seq)
        ],
    }


def _last_move(room: Room) -> dict[str, Any] | None:
    """The newest event a facilitator's grid shows as the room's last move."""
    for event in reversed(room.events):
        kind = type(event).__struct_config__.tag
        if kind not in ("joined", "left"):
            return {"seq": event.seq, "kind": kind, "by": event.by, "at": event.at}
    return None


# -- scenarios ---------------------------------------------------------------


@routes.get("/api/scenarios")
async def list_scenarios(request: web.Request) -> web.Response:
    """Every scenario this server offers, without the private briefs."""
    return _json([s.public() for s in request.app[CATALOG].all()])


@routes.get("/api/scenarios/{scenario}")
async def get_scenario(request: web.Request) -> web.Response:
    """One scenario, whole (both briefs and scorings): the facilitator sees everything."""
    return _json(_scenario(request, request.match_info["scenario"]))


# -- workshops ---------------------------------------------------------------


Capacity = Annotated[int, msgspec.Meta(ge=0, le=MAX_CAPACITY)]


class NewWorkshop(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST /api/workshops body."""

    scenario: Id
    title: Title = ""
    rooms: Annotated[int, msgspec.Meta(ge=0, le=_MAX_ROOMS_PER_CALL)] = 0
    capacity: Capacity = DEFAULT_CAPACITY
    """Seats the open link may hand out (participants; two per room)."""
    start: Start = "on_join"
    """``together``: its rooms wait, both seats in, for the facilitator to start a round."""


@routes.post("/api/workshops")
async def create_workshop(request: web.Request) -> web.Response:
    """Create a workshop and, optionally, its first ``rooms`` rooms."""
    body = await _body(request, NewWorkshop)
    scenario = _scenario(request, body.scenario)
    service: RoomService = request.app[ROOMS]
    workshop = await request.app[WORKSHOPS].create(
        body.title or scenario.title, scenario.id, service.clock(), body.capacity, body.start
    )
    labels = [f"Room {n + 1}" for n in range(body.rooms)]
    held = workshop.start == "together"
    rooms = await service.create_many(scenario, workshop.id, labels, held=held)
    return _json(_workshop(request, await _known_workshop(request, workshop.id), rooms), status=201)


def _workshop(request: web.Request, held: HeldWorkshop, rooms: list[Room]) -> dict[str, Any]:
    tokens: Tokens = request.app[TOKENS]
    open_token, projector = tokens.open_link(held.id), tokens.projector(held.id)
    base = _base_url(request)
    live = [r.state.phase for r in rooms if r.state.phase is not Phase.ENDED]
    return {
        **_workshop_head(held),
        "state": held.state(live, len(rooms), request.app[ROOMS].clock()),
        "live_rooms": len(live),
        "open_link": {"token": open_token, "url": f"{base}/open/{open_token}"},
        "projector": {"token": projector, "url": f"{base}/projector/{projector}"},
        "lobby": {"token": projector, "url": f"{base}/lobby/{projector}"},
        "join_code": {"code": held.record.code, "url": f"{base}/j"} if held.record.code else None,
        "rooms": [{**_summary(r), "seats": _seats(request, r)} for r in rooms],
    }


def _workshop_head(held: HeldWorkshop) -> dict[str, Any]:
    """The workshop's record as it stands: its open-link seats, its reveal, its round,
    whether it is archived."""
    record = msgspec.to_builtins(held.record)
    del record["record"]  # the log's tag, not part of the API's workshop
    record["code"] = record["code"] or None  # a workshop from before codes, until it gets one
    return {
        **record,
        # What its projector shows at the facilitator's word (server/web/projector_api.py).
        "spotlight": held.projector.spotlight,
        "labels_shown": held.projector.labels,
        "seats_taken": len(held.seats),
        "revealed_at": held.revealed_at,
        "revealed": int(held.revealed),
        "round": round_json(held.round),
        "archived_at": held.archived_at,
    }


def round_json(current: Round | None) -> dict[str, Any] | None:
    """A workshop's latest round for the API: when it started, its deadline, when it ended."""
    if current is None:
        return None
    return {
        "started_at": current.started_at,
        "deadline": current.deadline,
        "ended_at": current.ended_at,
    }


async def _known_workshop(request: web.Request, workshop_id: str | None = None) -> HeldWorkshop:
    workshop_id = workshop_id or request.match_info["workshop"]
    held = await request.app[WORKSHOPS].get(workshop_id)
    if held is None:
        raise ApiError(404, "not_found", f"There is no workshop {workshop_id!r}.")
    return held


async def _rooms_of(request: web.Request, workshop_id: str) -> list[Room]:
    """The workshop's rooms, oldest first: live ones from memory, ended ones loaded on demand.

    The room directory names them, so no other workshop's room is touched;
    ended rooms land in the room service's bounded cache.
    """
    service: RoomService = request.app[ROOMS]
    rooms = []
    for room_id, _ in await service.workshop_rooms(workshop_id):
        room = await service.room(room_id)
        if room is not None:
            rooms.append(room)
    return rooms


@routes.get("/api/workshops/{workshop}")
async def get_workshop(request: web.Request) -> web.Response:
    """A workshop and all its rooms with their seats (a workshop from before join codes
    gets its code here)."""
    held = await _known_workshop(request)
    await request.app[WORKSHOPS].ensure_code(held.id, request.app[ROOMS].clock())
    return _json(_workshop(request, held, await _rooms_of(request, held.id)))


class NewCapacity(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST /api/workshops/{id}/capacity body."""

    capacity: Capacity


@routes.post("/api/workshops/{workshop}/capacity")
async def set_capacity(request: web.Request) -> web.Response:
    """Set how many seats the workshop's open link may hand out (recorded in its log)."""
    held = await _known_workshop(request)
    body = await _body(request, NewCapacity)
    clock = request.app[ROOMS].clock()
    await request.app[WORKSHOPS].set_capacity(held.id, body.capacity, clock)
    return _json(_workshop_head(held))


class Reveal(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST /api/workshops/{id}/reveal body (optional: without it, everything at once)."""

    step: Annotated[int, msgspec.Meta(ge=int(RevealStep.DEALS), le=int(RevealStep.FRONTIER))] = (
        RevealStep.FRONTIER
    )
    """1: the deals; 2: and both walk-away lines; 3: and the frontier and Nash point."""


@routes.post("/api/workshops/{workshop}/reveal")
async def reveal_debrief(request: web.Request) -> web.Response:
    """Reveal the workshop's debrief on its projector, up to a step: the deals, then
    both walk-away lines, then the frontier (all three without a body).

    Recorded in the workshop's log, so a restarted server keeps it revealed; steps only
    go forward, and the first reveal's time stands.
    """
    held = await _known_workshop(request)
    body = await _body(request, Reveal)
    clock = request.app[ROOMS].clock()
    await request.app[WORKSHOPS].reveal(held.id, clock, RevealStep(body.step))
    return _json(_workshop_head(held))


@routes.get(r"/api/workshops/{workshop}/export.{fmt:(csv|jsonl)}")
async def export_workshop(request: web.Request) -> web.Response:
    """The workshop's rooms as CSV (one row each) or every event as JSON Lines."""
    workshop_id = (await _known_workshop(request)).id
    rooms = await _rooms_of(request, workshop_id)
    if request.match_info["fmt"] == "csv":
        await prepare(r.state.scenario for r in rooms)
        body = rooms_csv(analysis(request.app, r) for r in rooms)
        content_type = "text/csv"
    else:
        body = events_jsonl({r.id: r.events for r in rooms})
        content_type = "application/x-ndjson"
    response = web.Response(text=body, content_type=content_type)
    name = f"{workshop_id}.{request.match_info['fmt']}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- rooms -------------------------------------------------------------------


class NewRoom(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST /api/rooms body."""

    scenario: Id
    workshop: Id | None = None
    label: Title = ""


@routes.post("/api/rooms")
async def create_room(request: web.Request) -> web.Response:
    """Create a room; the answer holds a join token and URL for every seat."""
    body = await _body(request, NewRoom)
    scenario = _scenario(request, body.scenario)
    held = False
    if body.workshop is not None:  # a together-workshop's rooms wait for its round
        workshop = await _known_workshop(request, body.workshop)
        if workshop.archived_at is not None:
            raise ApiError(
                409,
                "workshop_archived",
                "This workshop is archived: unarchive it before adding rooms to it.",
            )
        held = workshop.record.start == "together"
    room = await request.app[ROOMS].create(
        scenario, workshop=body.workshop, label=body.label, held=held
    )
    return _json({**_summary(room), "seats": _seats(request, room)}, status=201)


@routes.get("/api/rooms")
async def list_rooms(request: web.Request) -> web.Response:
    """The live rooms, oldest first; ``?workshop=ID``: that workshop's rooms, ended ones too.

    Not every room ever held: a year of ended rooms is history, reached
    through its workshop (DESIGN.md principle 7).
    """
    workshop = request.query.get("workshop")
    if workshop is not None:
        return _json([_summary(r) for r in await _rooms_of(request, workshop)])
    rooms = sorted(request.app[ROOMS].rooms.values(), key=lambda r: r.state.created_at)
    return _json([_summary(r) for r in rooms])


@routes.get("/api/rooms/{room}")
async def get_room(request: web.Request) -> web.Response:
    """A room's state, seats and full log (private events included)."""
    room = await _room(request)
    events = b"[" + b",".join(JSON.encode(e) for e in room.events) + b"]"
    head = msgspec.json.encode({**_summary(room), "seats": _seats(request, room)})
    body = head[:-1] + b',"events":' + events + b"}"
    return web.Response(body=body, content_type="application/json")


class Seconds(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST .../extend body."""

    seconds: int


class Text(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST .../announce body: announcements go to the whole room."""

    text: Annotated[Prose, msgspec.Meta(min_length=1)]


class Note(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST .../message body: a mediator's message, private to ``to`` when given."""

    text: Annotated[Prose, msgspec.Meta(min_length=1)]
    to: Role | None = None


Action = Literal["pause", "resume", "extend", "announce", "message", "end"]


async def _command(request: web.Request, action: Action, now: int) -> Command:
    match action:
        case "pause":
            return Pause(now=now)
        case "resume":
            return Resume(now=now)
        case "end":
            return End(now=now)
        case "extend":
            return Extend(seconds=(await _body(request, Seconds)).seconds, now=now)
        case "announce":
            return Announce(text=(await _body(request, Text)).text, now=now)
        case "message":
            note = await _body(request, Note)
            return Mediate(text=note.text, to=note.to, now=now)


@routes.post(r"/api/rooms/{room}/{action:(pause|resume|extend|announce|message|end)}")
async def control(request: web.Request) -> web.Response:
    """A facilitator action on one room; answers the seq of the event it recorded."""
    room = await _room(request)
    service: RoomService = request.app[ROOMS]
    action: Action = request.match_info["action"]  # type: ignore[assignment]
    return await _submit(request, room, await _command(request, action, service.clock()))


class SignOff(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST .../approvals/{request} body: the manager's sign-off, or not."""

    approve: bool
    note: Prose = ""


@routes.post(r"/api/rooms/{room}/approvals/{request:\d+}")
async def approve(request: web.Request) -> web.Response:
    """Approve or decline a move past a role's authority (the facilitator acts as the manager)."""
    room = await _room(request)
    body = await _body(request, SignOff)
    command = Approve(
        request=int(request.match_info["request"]),
        approved=body.approve,
        note=body.note,
        now=request.app[ROOMS].clock(),
    )
    return await _submit(request, room, command)


async def _submit(request: web.Request, room: Room, command: Command) -> web.Response:
    service: RoomService = request.app[ROOMS]
    decision = await service.submit(room, command)
    if isinstance(decision, Refused):
        raise ApiError(409, decision.code, decision.message)
    assert isinstance(decision, Applied)
    seq = decision.events[0].seq if decision.events else room.state.seq
    return _json({"seq": seq, "state": room_view(room.state)})
