"""Facilitator API for bots: seat one in an empty seat, or open a practice room.

Bots run inside the server process but speak the public protocol over a real
WebSocket to the server's own address, exactly as an outside client would.
They live until their room ends; on shutdown they are cancelled with the rest,
and a restarted server seats them again (:mod:`.bot_seats`).
"""

from __future__ import annotations

import logging
from typing import Annotated, Literal

import msgspec
from aiohttp import web

from dealroom.bots.personas import PERSONAS
from dealroom.bots.strategies import STRATEGIES

from .api import ApiError, Id, _body, _json, _room, _scenario, _seats
from .bot_seats import BotSeat, launch, lease_of, remember
from .keys import LOG, NODES, ROOMS

__all__ = ["routes"]

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

SeatRole = Literal["buyer", "seller"]


class NewBot(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST /api/rooms/{room}/bots body."""

    role: SeatRole
    persona: Id = "amiable"
    strategy: Id | None = None
    pace: Annotated[float, msgspec.Meta(ge=0, le=10)] = 1.0


class NewPractice(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST /api/practice body: the learner's role; the bot takes the other seat."""

    scenario: Id
    persona: Id = "driver"
    strategy: Id | None = None
    role: SeatRole = "buyer"
    pace: Annotated[float, msgspec.Meta(ge=0, le=10)] = 1.0


def _check_choice(persona: str, strategy: str | None) -> None:
    if persona not in PERSONAS:
        raise ApiError(
            400,
            "invalid_request",
            f"Unknown persona {persona!r}; choose from {', '.join(PERSONAS)}.",
        )
    if strategy is not None and strategy not in STRATEGIES:
        raise ApiError(
            400,
            "invalid_request",
            f"Unknown strategy {strategy!r}; choose from {', '.join(STRATEGIES)}.",
        )


def _own_ws_url(request: web.Request) -> str:
    """The address this request came in on: bots connect back to it over loopback-or-LAN."""
    transport = request.transport
    sockname = transport.get_extra_info("sockname") if transport is not None else None
    if not sockname:
        raise ApiError(503, "unavailable", "Cannot tell the server's own address.")
    host, port = str(sockname[0]), int(sockname[1])
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"ws://{host}:{port}/ws"


async def _start_bot(request: web.Request, seat: BotSeat) -> dict[str, object]:
    await remember(request.app, seat)  # so that a restarted server seats it again
    if request.app[LOG].shared:  # this node plays it: the other nodes leave it alone
        nodes = request.app[NODES]
        await nodes.take(lease_of(seat), await nodes.alive(), force=True)
    strategy = launch(request.app, _own_ws_url(request), seat)
    return {"role": seat.role, "persona": seat.persona, "strategy": strategy, "pace": seat.pace}


@routes.post("/api/rooms/{room}/bots")
async def seat_bot(request: web.Request) -> web.Response:
    """Put a bot into one seat of a room (an empty seat, or a practice opponent)."""
    room = await _room(request)
    body = await _body(request, NewBot)
    _check_choice(body.persona, body.strategy)
    if room.presence.get(body.role):
        raise ApiError(409, "seat_taken", f"The {body.role} seat has someone connected.")
    seat = BotSeat(
        room=room.id,
        role=body.role,
        persona=body.persona,
        strategy=body.strategy,
        pace=body.pace,
    )
    return _json(await _start_bot(request, seat), status=201)


@routes.post("/api/practice")
async def practice(request: web.Request) -> web.Response:
    """A practice room for one learner against a persona bot; answers the learner's link."""
    body = await _body(request, NewPractice)
    _check_choice(body.persona, body.strategy)
    scenario = _scenario(request, body.scenario)
    room = await request.app[ROOMS].create(scenario, label=f"Practice vs {body.persona}")
    bot_role: SeatRole = "seller" if body.role == "buyer" else "buyer"
    bot = await _start_bot(
        request,
        BotSeat(
            room=room.id,
            role=bot_role,
            persona=body.persona,
            strategy=body.strategy,
            pace=body.pace,
        ),
    )
    seat = _seats(request, room)[body.role]
    return _json(
        {
            "room": room.id,
            "role": body.role,
            "url": seat["url"],
            "token": seat["token"],
            "bot": bot,
        },
        status=201,
    )
