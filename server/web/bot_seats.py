"""In-process bots that outlive a restart: each seated bot is recorded in the log.

Bots run inside the server and speak the public protocol over a real
WebSocket to its own address. A restart (an upgrade, a crash) would leave
their seats empty and their rooms stalled, so every seat handed to a bot is
appended to the stream ``bots:<room>``; when the server is listening again it
seats the same bot in every room that has not ended. A bot rebuilds its view
of the table from the room's events (it resumes from seq 0), so it carries on
where its predecessor stopped.

Start-up reads the seats to resume from the log's index ``bots:live`` (one
entry per seat of a live room, put before the seat's record and removed with
the room's directory entry when it ends), not from every ``bots:`` stream
ever written. A data dir from before the index is indexed once, from its
streams.

Several nodes on one log (``serve --redis``) must not all seat every bot: each
seat is a lease (server/nodes.py) held by the node that plays it, and every
node keeps the seats (:func:`keep_bots`): a live seat whose holder is dead
(its node was killed) is taken by exactly one of the others, which seats the
same bot again, so a facilitator's bots keep playing whatever node dies.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

import msgspec
from aiohttp import web

from dealroom.bots.seat import persona_bot

from ..log import EventLog, IndexKey, SeqConflict
from ..referee import Phase
from .keys import BOT_TASKS, LOG, NODES, ROOMS, SETTINGS, TOKENS

__all__ = [
    "BUILT",
    "BotSeat",
    "keep_bots",
    "launch",
    "lease_of",
    "remember",
    "resume_bots",
    "wait_until_listening",
]

log = logging.getLogger(__name__)

_STREAM = "bots:"
_LIVE = "bots:live"
"""Seats of live rooms: key ``<room>:<role>``, value the :class:`BotSeat`."""
BUILT = IndexKey("meta", "bots-index")
"""Present once the index is complete (written from the start, or built once)."""
_LISTEN_WAIT_SECONDS = 30.0


class BotSeat(msgspec.Struct, frozen=True, kw_only=True):
    """A bot given a seat: which room and role, and how it plays."""

    room: str
    role: Literal["buyer", "seller"]
    persona: str
    strategy: str | None = None
    pace: float = 1.0


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(BotSeat).decode


async def remember(app: web.Application, seat: BotSeat) -> None:
    """Record ``seat`` so that a restarted server seats the same bot again."""
    event_log = app[LOG]
    stream = f"{_STREAM}{seat.room}"
    # The index first: a crash before the record still resumes the bot the caller asked for.
    await event_log.put_index({_key(seat.room, seat.role): _encode(seat)})
    for _ in range(5):
        entries = await event_log.read(stream)
        try:
            await event_log.append(stream, len(entries) + 1, [_encode(seat)])
            return
        except SeqConflict:
            continue  # another bot was seated in this room at the same moment
    raise RuntimeError(f"could not record the bot seat of room {seat.room}")


def lease_of(seat: BotSeat) -> str:
    """The lease (server/nodes.py) of the node that plays ``seat``."""
    return f"bot:{seat.room}:{seat.role}"


def _key(room: str, role: str) -> IndexKey:
    return IndexKey(_LIVE, f"{room}:{role}")


def _seat_keys(room: str) -> list[IndexKey]:
    return [_key(room, "buyer"), _key(room, "seller")]


async def _indexed(event_log: EventLog) -> bool:
    return any(key == BUILT.key for key, _ in await event_log.scan_index(BUILT.name))


async def _build_index(event_log: EventLog) -> None:
    """Index the seats recorded by a version without the index (once per data dir).

    Every seat goes in, the latest bot of each; the ended rooms' drop out at
    the first scan, as any stale entry does.
    """
    seats: dict[IndexKey, bytes] = {}
    for stream in await event_log.streams(_STREAM):
        for _, entry in await event_log.read(stream):
            seat = _decode(entry)
            seats[_key(seat.room, seat.role)] = entry
    seats[BUILT] = b""
    await event_log.put_index(seats)


def launch(app: web.Application, ws_url: str, seat: BotSeat) -> str:
    """Start the bot of ``seat`` as a task of the app; answers its strategy's name."""
    bot = persona_bot(
        ws_url,
        app[TOKENS].seat(seat.room, seat.role),
        persona=seat.persona,
        strategy=seat.strategy,
        pace=seat.pace,
        seed=f"{seat.room}:{seat.role}",
    )

    async def play() -> None:
        try:
            outcome = await bot.run()
            log.info("bot %s in room %s finished: %s", seat.role, seat.room, outcome)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("bot %s in room %s failed", seat.role, seat.room)

    tasks = app[BOT_TASKS]
    task = asyncio.create_task(play(), name=_task_name(seat))
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return bot.strategy.name


def _own_url(app: web.Application) -> tuple[str, str, int]:
    settings = app[SETTINGS]
    host = settings.host
    if host in ("", "0.0.0.0", "localhost"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    shown = f"[{host}]" if ":" in host else host
    return f"ws://{shown}:{settings.port}/ws", host, settings.port


async def _wait_until_listening(host: str, port: int) -> bool:
    loop = asyncio.get_running_loop()
    give_up = loop.time() + _LISTEN_WAIT_SECONDS
    while loop.time() < give_up:
        try:
            _, writer = await asyncio.open_connection(host, port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return True
    return False


async def resume_bots(app: web.Application) -> None:
    """Seat again every recorded bot whose room has not ended (an ``on_startup`` hook).

    The bots need the server to be listening, which it is only after start-up:
    a background task waits for that, then seats them.
    """
    event_log = app[LOG]
    rooms = app[ROOMS]
    rooms.live_entries.append(_seat_keys)  # a room that ends takes its bot seats with it
    if event_log.shared:  # several nodes: keep_bots seats each bot on one of them
        return
    if not await _indexed(event_log):
        await _build_index(event_log)
    waiting, ended = [], []
    for key, raw in await event_log.scan_index(_LIVE):
        seat = _decode(raw)
        room = rooms.rooms.get(seat.room) or await rooms.room(seat.room)
        if room is not None and room.state.phase is not Phase.ENDED:
            waiting.append(seat)
        else:  # the room ended while its entry's removal was in flight
            ended.append(IndexKey(_LIVE, key))
    await event_log.remove_index(ended)
    if not waiting:
        return
    url, host, port = _own_url(app)

    async def seat_them() -> None:
        if not await _wait_until_listening(host, port):
            log.warning(
                "not listening on %s:%s: %d bots not seated again", host, port, len(waiting)
            )
            return
        for seat in waiting:
            launch(app, url, seat)
        log.info("seated %d bots again after the restart", len(waiting))

    task = asyncio.create_task(seat_them(), name="seat bots again")
    app[BOT_TASKS].add(task)
    task.add_done_callback(app[BOT_TASKS].discard)


async def keep_bots(app: web.Application, url: str, alive: set[str]) -> None:
    """Several nodes, one round: play every live bot seat on exactly one alive node.

    This node takes the lease of every live seat whose holder is not alive (a
    new seat's holder is the node that seated it) and seats its bot; a seat
    this node holds whose bot is not running (it crashed) is seated again too.
    """
    nodes, event_log, rooms = app[NODES], app[LOG], app[ROOMS]
    playing = {task.get_name() for task in app[BOT_TASKS] if not task.done()}
    seats = [_decode(raw) for _, raw in await event_log.scan_index(_LIVE)]
    seats = [seat for seat in seats if _task_name(seat) not in playing]
    # Who holds each lease, read together (one round trip on Redis): a seat another
    # live node plays costs this node nothing more, neither a take nor its room.
    holders = await asyncio.gather(*(nodes.holder(lease_of(seat)) for seat in seats))
    for seat, (holder, _) in zip(seats, holders, strict=True):
        if holder in alive and holder != nodes.id:
            continue
        room = rooms.rooms.get(seat.room) or await rooms.room(seat.room)
        if room is None or room.state.phase is Phase.ENDED:
            continue
        if await nodes.take(lease_of(seat), alive):
            log.info("seating the %s bot of room %s on this node", seat.role, seat.room)
            launch(app, url, seat)


async def wait_until_listening(app: web.Application) -> str | None:
    """This server's own WebSocket URL once it listens; None if it never does."""
    url, host, port = _own_url(app)
    return url if await _wait_until_listening(host, port) else None


def _task_name(seat: BotSeat) -> str:
    return f"bot {seat.room}:{seat.role}"
