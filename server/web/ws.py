"""The ``/ws`` endpoint: moves bytes between a socket and the room service.

Nothing about negotiation rules lives here. One handler task per connection
reads frames until the client's ``hello`` is welcomed (aiohttp: the handler
lives as long as the socket). From then on each data frame is handled as it is
parsed, in aiohttp's data callback (:mod:`.frames`): a move is judged at once
and answered from its group commit's completion
(:meth:`~..rooms.RoomService.submit_soon`), with no task woken for it on
either side. Frames that arrive while a move awaits its commit wait in the
session's backlog, so each connection's frames are handled, and answered, in
the order they came. That order is what makes a ``ping`` useful: its ``pong``
is written behind everything the connection was owed when the ping was read
(the acks and events of the moves before it included), so a client that gets
the pong is caught up.

Writing goes through :class:`Connection`, which writes pre-encoded frames
straight to the transport (see :mod:`.wire`). Fan-out never awaits a socket: a
client too slow to keep up is cut off with 4002 and resumes by seq (DESIGN.md
principle 7).
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import deque
from dataclasses import dataclass
from functools import partial

from aiohttp import WSMessage, WSMsgType, web

from dealroom.protocol import (
    PROTOCOL_VERSION,
    SUBPROTOCOLS,
    Ack,
    Actor,
    CloseCode,
    Codec,
    Error,
    ErrorCode,
    Hello,
    Ping,
    Pong,
    Role,
    Welcome,
    codec_for,
)
from dealroom.protocol import Move as MoveFrame
from dealroom.protocol.frames import MoveBase
from dealroom.protocol.scenario import EVERY_LANGUAGE

from ..auth import FacilitatorAccess, Seat
from ..log import HistoryLost, LogUnavailable
from ..referee import Applied, Decision, Duplicate, MoveCommand, Refused, room_view
from ..rooms import Room
from .frames import FramesResponse
from .keys import CONNECTIONS, METRICS, ROOMS, SEATS, SETTINGS, TOKENS
from .limits import FloodGate, log_limited
from .wire import OPCODE_BINARY, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT, frame_header

__all__ = ["Connection", "websocket"]

log = logging.getLogger(__name__)


class Connection:
    """One client's socket as a room subscriber."""

    __slots__ = (
        "__weakref__",
        "_checked",
        "_closing",
        "_corked",
        "_limit",
        "_opcode",
        "_pinged",
        "_transport",
        "codec",
        "heard",
        "joined",
        "viewer",
        "ws",
    )

    def __init__(
        self,
        ws: FramesResponse,
        transport: asyncio.Transport | None,
        codec: Codec,
        limit: int,
    ) -> None:
        self.ws = ws
        self.codec = codec
        self.viewer: Actor = "observer"
        self.joined = False
        """Said a ``hello`` that was welcomed (until then ``viewer`` means nothing)."""
        self._transport = transport
        self._opcode = OPCODE_BINARY if codec.binary else OPCODE_TEXT
        self._limit = limit
        self._closing = False
        self._corked: list[bytes] | None = None
        self.heard = 0
        """Frames received (pongs included) and replay frames the client read: signs of life."""
        self._checked = 0
        self._pinged = False

    def deliver(self, frame: bytes) -> None:
        """Write ``frame`` now (or when uncorked); cut the client off if it has stopped reading.

        The transport buffers what the kernel cannot take yet; a client whose
        backlog passes the limit is closed with 4002 and resumes by seq.
        """
        transport = self._transport
        if self._closing or transport is None:
            return
        if transport.is_closing():
            self._closing = True
            return
        if transport.get_write_buffer_size() > self._limit:
            self.close_soon(CloseCode.SLOW_CONSUMER, "send buffer overflow: resume by seq")
            return
        if self._corked is not None:
            self._corked.append(frame_header(len(frame), self._opcode))
            self._corked.append(frame)
            return
        transport.write(frame_header(len(frame), self._opcode) + frame)

    def cork(self) -> None:
        """Hold what is delivered until :meth:`uncork`, then write it in one go.

        Around a client's own move: its event and its ack leave in one
        ``write`` (one system call) instead of two.
        """
        if self._corked is None:
            self._corked = []

    def uncork(self) -> None:
        """Write everything held since :meth:`cork`."""
        held, self._corked = self._corked, None
        transport = self._transport
        if held and transport is not None and not self._closing and not transport.is_closing():
            transport.write(b"".join(held))

    def control(self, opcode: int, payload: bytes = b"") -> None:
        """Write a ping or pong now, ahead of anything corked."""
        transport = self._transport
        if transport is not None and not self._closing and not transport.is_closing():
            transport.write(frame_header(len(payload), opcode) + payload)

    def check_alive(self) -> bool:
        """For the liveness sweep (:mod:`.liveness`): ping if silent; False if dead."""
        if self.heard != self._checked:
            self._checked = self.heard
            self._pinged = False
            return True
        if not self._pinged:
            self._pinged = True
            self.control(OPCODE_PING)
            return True
        return False

    def drop(self) -> None:
        """Close the socket without a handshake: the peer answered nothing for a while."""
        self._closing = True
        if self._transport is not None:
            self._transport.abort()

    def close_soon(self, code: int, message: str) -> None:
        """Close from outside the handler (fan-out, shutdown) without blocking the caller."""
        if self._closing:
            return
        self._closing = True
        task = asyncio.create_task(self.ws.close(code=code, message=message.encode()))
        _background.add(task)
        task.add_done_callback(_background.discard)

    def reply(self, frame: Ack | Error | Pong | Welcome) -> None:
        """Send a direct reply; it goes out after the events already written."""
        self.deliver(self.codec.encode(frame))

    async def send(self, frame: bytes) -> None:
        """Write ``frame``, waiting while the client has not read what came before.

        For a replay, which may be far larger than the send buffer: it goes out
        as fast as the client reads it (backpressure), never into the buffer
        all at once, where it would cut the client off as a slow consumer.
        """
        if self._closing or self.ws.closed:
            raise ConnectionResetError("the connection is closing")
        await self.ws.send_frame(frame, WSMsgType.BINARY if self.codec.binary else WSMsgType.TEXT)
        self.heard += 1  # it reads what we send: alive, though too busy reading to talk


_background: set[asyncio.Task[object]] = set()
_ENDS = frozenset((WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED))


@dataclass(slots=True)
class SeatLimits:
    """What all connections of one seat share (DESIGN.md principle 7: a limit per seat,
    so that opening more sockets does not multiply it)."""

    gate: FloodGate
    connections: int = 0


SeatTable = weakref.WeakKeyDictionary[Room, dict[Role, SeatLimits]]
"""Per room and seat on this node; an entry lives as long as its room does."""


def _server_full(limit: int) -> web.Response:
    return web.json_response(
        {
            "error": {
                "code": "server_full",
                "message": f"The server holds its limit of {limit} connections; retry shortly.",
            }
        },
        status=503,
        headers={"Retry-After": "5"},
    )


async def websocket(request: web.Request) -> web.WebSocketResponse | web.Response:
    """Handle one WebSocket client from ``hello`` to close."""
    app = request.app
    settings = app[SETTINGS]
    limit = settings.connection_limit()
    if len(app[CONNECTIONS]) >= limit:
        # Refused before the upgrade, while a plain HTTP answer still costs nothing.
        log_limited(log, "connection limit reached (%d): refusing WebSocket upgrades", limit)
        app[METRICS].connections_refused += 1
        return _server_full(limit)
    ws = FramesResponse(
        protocols=SUBPROTOCOLS,
        max_msg_size=settings.hard_frame_bytes,
        autoping=False,  # pings and pongs are counted as signs of life (see .liveness)
        compress=False,  # per-connection zlib state costs ~50 KiB and CPU per frame
        decode_text=False,
    )
    await ws.prepare(request)
    app[METRICS].connections_opened += 1
    # Any transport with write() will do: uvloop's are not asyncio.Transport subclasses.
    conn = Connection(
        ws,
        request.transport,
        codec_for(ws.ws_protocol),
        settings.send_buffer_bytes,
    )
    app[CONNECTIONS].add(conn)
    session = _Session(request.app, conn)
    try:
        await session.run()
    finally:
        app[CONNECTIONS].discard(conn)
        await session.finish()
    return ws


_BACKLOG_BYTES = 1 << 17
"""Received bytes a connection may have waiting behind a move's commit before the
server stops reading its socket (as aiohttp's own queue does, at the same size)."""


class _Session:
    """The reading side of one connection: hello, then frames in arrival order."""

    def __init__(self, app: web.Application, conn: Connection) -> None:
        self.app = app
        self.conn = conn
        self.rooms = app[ROOMS]
        self.metrics = app[METRICS]
        settings = app[SETTINGS]
        self.settings = settings
        self.gate = FloodGate(
            settings.rate_per_second,
            settings.rate_burst,
            settings.abuse_threshold,
            time.monotonic(),
        )
        self.room: Room | None = None
        self.seat_role: Role | None = None
        self.seat: SeatLimits | None = None
        """Shared with the seat's other connections once ``hello`` took a seat."""
        self.moving = False
        """A move of this connection waits for its commit; later frames wait in the backlog."""
        self.backlog: deque[bytes] = deque()
        self._backlog_bytes = 0
        self._paused = False
        self.done = False
        """Closed, or closing for flooding: frames still arriving are dropped."""
        self.language: str | None = None
        """The language the client asked for in its ``hello`` (scenario words in it)."""

    async def _next_message(self, hello_by: float) -> bytes | None:
        """The next data frame; None once the client closed or never said ``hello`` in time."""
        ws = self.conn.ws
        while True:
            timeout = None
            if self.room is None:  # a connection is held only for a client that joins
                timeout = hello_by - time.monotonic()
                if timeout <= 0:
                    await ws.close(code=CloseCode.HELLO_TIMEOUT, message=b"no hello in time")
                    return None
            try:
                message = await ws.receive(timeout=timeout)
            except TimeoutError:
                continue  # the deadline is checked above
            data = self._data_of(message)
            if data is not None or message.type in _ENDS:
                return data

    def _data_of(self, message: WSMessage) -> bytes | None:
        """A data frame's bytes; None for anything else (a ping is answered here)."""
        conn = self.conn
        conn.heard += 1
        kind = message.type
        if kind is WSMsgType.BINARY or kind is WSMsgType.TEXT:
            data: bytes | str = message.data
            return data.encode() if isinstance(data, str) else data
        if kind is WSMsgType.PING:
            conn.control(OPCODE_PONG, message.data)
        return None  # a pong is a sign of life and nothing more

    async def run(self) -> None:
        """Read frames until the client closed; hand them to :meth:`received` once joined."""
        hello_by = time.monotonic() + self.settings.hello_timeout_seconds
        while True:  # until the socket ends (a flood closes it from the side: see _screen)
            if self.room is not None:  # joined: data frames go to _parsed from now on
                self.conn.ws.take_frames(self._parsed)
            data = await self._next_message(hello_by)
            if data is None:
                return
            if self.done:
                continue  # closing: read on until the close handshake ends
            if self.room is not None:
                self.received(data)  # what arrived while the hello was being answered
                continue
            frame = self._screen(data)
            if frame is None:
                continue
            if isinstance(frame, Hello):
                try:
                    await self._hello(frame)
                except HistoryLost as exc:  # logged once per room by the room service
                    self._error(None, ErrorCode.UNAVAILABLE, _lost_message(exc))
                except LogUnavailable as exc:
                    log.warning("event log unavailable: %s", exc)
                    self._error(None, ErrorCode.UNAVAILABLE, "The event log is unavailable; retry.")
                except ConnectionResetError:
                    return  # the client went away in the middle of its replay
                except Exception:  # a bug must cost one frame, never the connection
                    log.exception("hello failed")
                    self._error(None, ErrorCode.INTERNAL_ERROR, "Server error; retry.")
            elif isinstance(frame, Ping):
                self._pong(frame)
            elif isinstance(frame, Error):
                self._refuse(frame)
            else:
                self._error(frame.id, ErrorCode.HELLO_REQUIRED, "Say hello before moving.")

    def _parsed(self, data: bytes) -> None:
        """A data frame straight from aiohttp's parser (see :mod:`.frames`)."""
        self.conn.heard += 1
        self.received(data)

    def received(self, data: bytes) -> None:
        """Handle a joined connection's data frame now, or after the move it waits behind."""
        if self.done:
            return
        if self.moving or self.backlog:
            self.backlog.append(data)
            self._backlog_bytes += len(data)
            if self._backlog_bytes > _BACKLOG_BYTES and not self._paused:
                self._paused = self.conn.ws.pause_reading()
            return
        self._handle(data)

    def _handle(self, data: bytes) -> None:
        frame = self._screen(data)
        if frame is None:
            return
        try:
            if isinstance(frame, MoveBase):  # first: a move pays for one check
                self._move(frame)
            elif isinstance(frame, Ping):
                self._pong(frame)
            elif isinstance(frame, Error):
                self._refuse(frame)
            else:
                self._error(None, ErrorCode.ALREADY_JOINED, "This connection already joined.")
        except Exception:  # a bug must cost one frame, never the connection
            log.exception("frame %r failed", type(frame).__name__)
            self._error(None, ErrorCode.INTERNAL_ERROR, "Server error; retry.")

    def _screen(self, data: bytes) -> Hello | MoveFrame | Ping | Error | None:
        """The frame decoded, once it passed the rate limit and size; None if refused."""
        gate = self.seat.gate if self.seat is not None else self.gate
        verdict = gate.admit(time.monotonic())
        if verdict != "pass":
            if verdict == "close":
                self.done = True
                self.conn.close_soon(CloseCode.POLICY_VIOLATION, "flooding after rate_limited")
            else:
                self._error(None, ErrorCode.RATE_LIMITED, "Too many frames; slow down.")
            return None
        if len(data) > self.settings.max_frame_bytes:
            limit = self.settings.max_frame_bytes
            self._error(None, ErrorCode.FRAME_TOO_LARGE, f"Frames are limited to {limit} bytes.")
            return None
        return self.conn.codec.decode_client(data)

    def _pong(self, ping: Ping) -> None:
        """Answer ``ping`` behind everything already written to the connection.

        A ping is handled in the connection's frame order: behind a move that
        still waits for its commit it waits in the backlog, so it is only ever
        handled while nothing is corked. :meth:`Connection.reply` then writes
        it after every event published to this connection and every earlier
        reply, all already on the transport. ``seq`` is the room's as this node
        has published it, so the client holds every event it may see up to it.
        """
        self.metrics.pings += 1
        seq = self.room.state.seq if self.room is not None else 0
        seat = self.seat.connections if self.seat is not None else 0
        self.conn.reply(
            Pong(id=ping.id, seq=seq, server_time=self.rooms.clock(), seat_connections=seat)
        )

    def _error(self, move_id: str | None, code: ErrorCode, message: str) -> None:
        self._refuse(Error(id=move_id, code=code, message=message))

    def _refuse(self, error: Error) -> None:
        """Send ``error``, counted by its code (every error frame goes through here)."""
        errors = self.metrics.errors
        errors[error.code] = errors.get(error.code, 0) + 1
        self.conn.reply(error)

    async def _hello(self, hello: Hello) -> None:
        if self.room is not None:
            self._error(None, ErrorCode.ALREADY_JOINED, "This connection already joined.")
            return
        access = self.app[TOKENS].verify(hello.token)
        if access is None:
            self._error(None, ErrorCode.INVALID_TOKEN, "That token is not valid here.")
            return
        viewer: Actor
        if isinstance(access, FacilitatorAccess):
            if hello.room is None:
                self._error(None, ErrorCode.INVALID_FRAME, "A facilitator's hello names a `room`.")
                return
            room_id, viewer = hello.room, "facilitator"
        else:
            assert isinstance(access, Seat)
            if hello.room is not None and hello.room != access.room:
                self._error(None, ErrorCode.FORBIDDEN, "This token is for another room.")
                return
            room_id, viewer = access.room, access.role
        room = await self.rooms.room(room_id)
        if room is None:
            self._error(None, ErrorCode.UNKNOWN_ROOM, f"There is no room {room_id!r}.")
            return
        if viewer == "buyer" or viewer == "seller":
            refusal = self._take_seat(room, viewer)
            if refusal is not None:
                self._refuse(refusal)
                return
            self.seat_role = viewer
        self.language = hello.lang or None
        self.conn.viewer = viewer
        self.conn.joined = True
        self.room = room
        await self.rooms.attach(room, self.conn, hello.resume_after, self._welcome)
        if self.seat_role is not None:
            shown = "" if hello.lang == EVERY_LANGUAGE else hello.lang  # "*": no one language
            await self.rooms.arrive(room, self.seat_role, hello.name, shown)

    def _take_seat(self, room: Room, role: Role) -> Error | None:
        """Count this connection against the seat's limits; share the seat's flood gate.

        The ``hello`` itself is charged to the seat's gate: a client that opens
        and closes connections in a loop spends the seat's rate, not a fresh
        bucket per socket.
        """
        settings = self.settings
        seats = self.app[SEATS].setdefault(room, {})
        seat = seats.get(role)
        if seat is None:
            gate = FloodGate(
                settings.rate_per_second,
                settings.rate_burst,
                settings.abuse_threshold,
                time.monotonic(),
            )
            seat = seats[role] = SeatLimits(gate)
        if seat.gate.admit(time.monotonic()) != "pass":
            return Error(
                id=None, code=ErrorCode.RATE_LIMITED, message="Too many frames; slow down."
            )
        if seat.connections >= settings.connections_per_seat:
            most = settings.connections_per_seat
            return Error(
                id=None,
                code=ErrorCode.SEAT_BUSY,
                message=f"The {role}'s seat already has {most} open connections; close one first.",
            )
        seat.connections += 1
        self.seat = seat
        return None

    def _welcome(self, room: Room) -> bytes:
        state = room.state
        scenario = state.scenario
        viewer = self.conn.viewer
        return self.conn.codec.encode(
            Welcome(
                protocol=PROTOCOL_VERSION,
                room=room.id,
                role=viewer,
                seq=state.seq,
                state=room_view(state),
                scenario=scenario.public(self.language),
                brief=scenario.brief(self.seat_role, self.language) if self.seat_role else None,
                full_scenario=scenario if viewer == "facilitator" else None,
                server_time=self.rooms.clock(),
            )
        )

    def _move(self, move: MoveFrame) -> None:
        if self.seat_role is None:
            self._error(move.id, ErrorCode.FORBIDDEN, f"A {self.conn.viewer} cannot make moves.")
            return
        assert self.room is not None
        command = MoveCommand(role=self.seat_role, move=move, now=self.rooms.clock())
        self.conn.cork()  # the move's own event and its ack leave together
        self.moving = True
        answer = partial(self._judged, move, time.monotonic())
        try:
            self.rooms.submit_soon(self.room, command, answer)
        except Exception as exc:  # a bug must cost one frame, never the connection
            answer(exc)

    def _judged(self, move: MoveFrame, arrived: float, outcome: Decision | Exception) -> None:
        """Answer the move; then handle the frames that waited behind it."""
        try:
            if self._reply(move, outcome):  # its events are on every subscriber's transport
                self.metrics.moved(type(move), time.monotonic() - arrived)
        finally:
            self.conn.uncork()
            self.moving = False
        backlog = self.backlog
        while backlog and not self.moving and not self.done:
            data = backlog.popleft()
            self._backlog_bytes -= len(data)
            self._handle(data)
        if self._paused and self._backlog_bytes <= _BACKLOG_BYTES // 2:
            self._paused = False
            self.conn.ws.resume_reading()

    def _reply(self, move: MoveFrame, outcome: Decision | Exception) -> bool:
        """The ack or error for ``move``; whether it was applied (a retry or refusal was not)."""
        match outcome:
            case Applied(events=events) if events:
                self.conn.reply(Ack(id=move.id, seq=events[0].seq))
                return True
            case Duplicate(seq=seq):
                self.conn.reply(Ack(id=move.id, seq=seq, duplicate=True))
                self.metrics.retries += 1
            case Refused(code=code, message=message):
                self._error(move.id, code, message)
            case HistoryLost():  # logged once per room by the room service
                self._error(move.id, ErrorCode.UNAVAILABLE, _lost_message(outcome))
            case LogUnavailable():
                log.warning("room %s: log unavailable: %s", self._room_id, outcome)
                self._error(move.id, ErrorCode.UNAVAILABLE, "Could not save the move; retry.")
            case Exception():
                log.error("room %s: move %r failed", self._room_id, move.id, exc_info=outcome)
                self._error(move.id, ErrorCode.INTERNAL_ERROR, "Server error; retry the move.")
            case _:
                self._error(move.id, ErrorCode.INTERNAL_ERROR, "The move changed nothing.")
        return False

    @property
    def _room_id(self) -> str:
        return self.room.id if self.room is not None else "-"

    async def finish(self) -> None:
        self.done = True
        self.conn.ws.take_frames(None)
        self.backlog.clear()
        if self.seat is not None:
            self.seat.connections -= 1
        room = self.room
        if room is None:
            return
        self.rooms.detach(room, self.conn)
        if self.seat_role is not None:
            try:
                await self.rooms.depart(room, self.seat_role)
            except Exception:  # the room may be ended or the log closing: nothing to record
                log.debug("room %s: recording 'left' failed", room.id, exc_info=True)


def _lost_message(lost: HistoryLost) -> str:
    return (
        f"The event store lost this room's history (it holds {lost.stored} of its "
        f"{lost.held} events), so no move can be saved; ask the facilitator."
    )
