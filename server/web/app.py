"""make_app(settings): the aiohttp application, wired once, no globals.

Cleanup contexts start and stop what the app owns, in order: the event log,
then the workshops and rooms restored from it. ``on_shutdown`` closes every
WebSocket with 1001 (going away) before the log is flushed and closed.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator
from functools import partial

import msgspec
from aiohttp import web

from dealroom.protocol import CloseCode

from .. import collector
from ..auth import Tokens
from ..config import Settings
from ..errors import UserError, unreachable_redis
from ..keyfiles import Keys, load_keys, memory_keys
from ..log import LogUnavailable, open_log
from ..metrics import NodeMetrics, sample_loop_lag, time_collections
from ..nodes import BEAT_SECONDS, TTL_MS, Nodes
from ..rooms import RoomService
from ..rooms.workshops import Workshops
from ..scenarios import Catalog
from .api import api_errors, routes
from .bot_seats import keep_bots, resume_bots, wait_until_listening
from .bots_api import routes as bot_routes
from .client_address import TrustedProxies
from .cohort_api import routes as cohort_routes
from .debrief_api import routes as debrief_routes
from .housekeeping_api import routes as housekeeping_routes
from .join_code import GUESSES, guess_rate
from .join_code import routes as code_routes
from .keys import (
    ANALYSES,
    BOT_TASKS,
    CATALOG,
    CONNECTIONS,
    LOG,
    METRICS,
    NODES,
    ROOMS,
    SEATS,
    SETTINGS,
    TOKENS,
    WORKSHOPS,
)
from .limits import RepeatFilter
from .liveness import sweep_forever
from .lobby import routes as lobby_routes
from .metrics import add_metrics_route
from .open_link import ARRIVALS, PROXIES, arrival_rate
from .open_link import routes as open_routes
from .projector_api import routes as projector_routes
from .rounds_api import routes as round_routes
from .rounds_api import start_latecomer
from .static import add_static_routes
from .ws import Connection, websocket

__all__ = ["make_app"]

log = logging.getLogger(__name__)


def make_app(
    settings: Settings, keys: Keys | None = None, catalog: Catalog | None = None
) -> web.Application:
    """Build the application for ``settings``; nothing starts until it runs.

    ``keys`` are the ones ``dealroom serve`` loaded; without them they are read
    from (or created in) the data dir, or kept in memory for ``--store memory``.
    ``catalog`` is the scenarios ``serve`` already checked; without it they are
    loaded from ``settings.scenario_dirs``.
    """
    app = web.Application(
        middlewares=[api_errors],
        client_max_size=256 * 1024,
        # aiohttp's keep-alive timer also runs from the moment a connection is
        # accepted until its first request is whole: at its 75 s default, a socket
        # that sends nothing (or half its headers) held a descriptor 7x longer than a
        # WebSocket that never says hello. One deadline for both; a browser just
        # opens a new connection for a request after 10 s of quiet.
        handler_args={"keepalive_timeout": settings.hello_timeout_seconds},
    )
    RepeatFilter.install(logging.getLogger("asyncio"))  # accept() storms at the fd limit
    app[SETTINGS] = settings
    app[CATALOG] = catalog if catalog is not None else Catalog(list(settings.scenario_dirs))
    if keys is None:
        load = memory_keys if settings.store == "memory" else load_keys
        keys = load(settings.data_dir, settings.facilitator_token)
    app[TOKENS] = Tokens(keys.secret, keys.facilitator_token)
    app[CONNECTIONS] = weakref.WeakSet()
    app[SEATS] = weakref.WeakKeyDictionary()
    app[BOT_TASKS] = set()
    app[ANALYSES] = {}
    app[ARRIVALS] = arrival_rate()
    app[GUESSES] = guess_rate()
    app[PROXIES] = TrustedProxies(settings.trusted_proxies)
    app[METRICS] = NodeMetrics()
    app.cleanup_ctx.append(_event_log)
    app.cleanup_ctx.append(_nodes)
    app.cleanup_ctx.append(_liveness)
    app.cleanup_ctx.append(_loop_lag)
    app.on_startup.append(resume_bots)  # after the log and the rooms are loaded
    app.on_shutdown.append(_close_sockets)
    app.router.add_get("/ws", websocket)
    app.router.add_routes(routes)
    app.router.add_routes(bot_routes)
    app.router.add_routes(open_routes)
    app.router.add_routes(debrief_routes)
    app.router.add_routes(cohort_routes)
    app.router.add_routes(round_routes)
    app.router.add_routes(housekeeping_routes)
    app.router.add_routes(code_routes)
    app.router.add_routes(lobby_routes)
    app.router.add_routes(projector_routes)
    add_static_routes(app)
    add_metrics_route(app)
    return app


async def _event_log(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    try:
        event_log = open_log(
            settings.store, settings.data_dir, settings.synchronous, settings.redis_url
        )
    except LogUnavailable as exc:
        raise _unusable_log(settings, exc) from None
    app[LOG] = event_log
    rooms = RoomService(event_log, presence_grace=settings.presence_grace_seconds)
    workshops = Workshops(event_log)
    app[ROOMS] = rooms
    app[WORKSHOPS] = workshops
    rooms.on_ready = partial(start_latecomer, app)  # a room that fills during a round
    try:
        await workshops.start()
        await rooms.start()
    except LogUnavailable as exc:  # damage the start-up check could not see (it reads no rows)
        await event_log.close()
        raise _unusable_log(settings, exc) from None
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:  # a damaged entry
        await event_log.close()
        raise _unusable_log(settings, LogUnavailable(f"an entry does not decode: {exc}")) from None
    yield
    await rooms.stop()
    await event_log.close()  # flushes every pending append before returning
    log.info("event log closed")


def _unusable_log(settings: Settings, exc: LogUnavailable) -> UserError:
    if settings.store == "redis":
        return unreachable_redis(settings.redis_url or "", exc)
    return UserError(
        f"cannot use the event log {settings.data_dir / 'events.db'} ({exc}); check the disk "
        "(space, permissions), or restore the data dir from a backup"
    )


async def _nodes(app: web.Application) -> AsyncIterator[None]:
    """On a shared store: this node's identity and beat, and its share of the duties."""
    event_log = app[LOG]
    nodes = Nodes(event_log, app[ROOMS].clock)
    app[NODES] = nodes
    app[ROOMS].node = nodes.id
    if not event_log.shared:
        yield
        return
    await nodes.beat()  # alive before it takes any lease
    duties = asyncio.create_task(_node_duties(app), name="node duties")
    yield
    duties.cancel()
    await asyncio.gather(duties, return_exceptions=True)
    try:
        await nodes.leave()  # the others take this node's duties at their next round
    except LogUnavailable:
        log.warning("could not say this node is leaving; its bots move in %d s", TTL_MS // 1000)


async def _node_duties(app: web.Application) -> None:
    """Every beat: say this node is alive, fire deadlines their rooms' nodes did not
    (one node at a time: server/rooms/deadlines.py), record `left` for seats only dead
    nodes held, and play the bot seats whose node is gone (runs until the app stops)."""
    url = await wait_until_listening(app)
    if url is None:
        log.warning("this node does not listen on its own address: it seats no bots")
    nodes, rooms = app[NODES], app[ROOMS]
    while True:
        try:
            await nodes.beat()
            alive = await nodes.alive()
            await rooms.expire_overdue(nodes, alive)  # deadlines whose rooms' nodes are gone
            await rooms.expire_presence(nodes, alive)
            if url is not None:
                await keep_bots(app, url, alive)
        except LogUnavailable as exc:
            log.warning("node duties: the shared store is unavailable (%s)", exc)
        except Exception:
            log.exception("node duties failed; trying again")
        await asyncio.sleep(BEAT_SECONDS)


async def _liveness(app: web.Application) -> AsyncIterator[None]:
    # Half the heartbeat: a silent connection is pinged after 10-20 s and
    # dropped 10 s after an unanswered ping (as aiohttp's heartbeat did).
    connections: weakref.WeakSet[Connection] = app[CONNECTIONS]
    metrics = app[METRICS]

    def counted(dropped: int) -> None:
        metrics.connections_dropped += dropped

    period = app[SETTINGS].heartbeat_seconds / 2
    sweep = asyncio.create_task(sweep_forever(connections, period, counted))
    yield
    sweep.cancel()
    await asyncio.gather(sweep, return_exceptions=True)


async def _loop_lag(app: web.Application) -> AsyncIterator[None]:
    metrics = app[METRICS]

    def settled(seconds: float) -> None:
        log.info("collected garbage after a burst of connections (%.0f ms)", seconds * 1000)

    watchers = [
        asyncio.create_task(sample_loop_lag(metrics), name="event-loop lag"),
        asyncio.create_task(
            collector.settle_after_arrivals(
                lambda: metrics.connections_opened, lambda: len(app[CONNECTIONS]), settled
            ),
            name="settle after arrivals",
        ),
    ]
    untime = time_collections(metrics)
    yield
    untime()
    for task in watchers:
        task.cancel()
    await asyncio.gather(*watchers, return_exceptions=True)


async def _close_sockets(app: web.Application) -> None:
    app[ROOMS].stopping = True  # closing sockets now is the server leaving, not the seats
    running = app[BOT_TASKS]
    bots = [*running]
    for task in bots:  # in-process bots stop; their sockets close with everyone's below
        task.cancel()
    open_now = app[CONNECTIONS]
    connections = [*open_now]
    await asyncio.gather(
        *(c.ws.close(code=CloseCode.GOING_AWAY, message=b"server shutdown") for c in connections),
        *bots,
        return_exceptions=True,
    )
