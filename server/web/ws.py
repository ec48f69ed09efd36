"""The ``/ws`` endpoint: moves bytes between a socket and the room service.

Nothing about negotiation rules lives here. One handler task reads frames
(aiohttp: reading must stay in the handler); writing goes through
:class:`Connection`, which writes pre-encoded frames straight to the transport
(see :mod:`.wire`). Fan-out never awaits a socket: a client too slow to keep
up is cut off with 4002 and resumes by seq (DESIGN.md principle 7).
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import WSMsgType, web

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
    Role,
    Welcome,
    codec_for,
)
from dealroom.protocol import Move as MoveFrame

from ..auth import FacilitatorAccess, Seat
from ..log import LogUnavailable
from ..referee import Applied, Duplicate, MoveCommand, Refused, room_view
from ..rooms import Room
from .keys import CONNECTIONS, ROOMS, SETTINGS, TOKENS
from .limits import FloodGate
from .wire import OPCODE_BINARY, OPCODE_TEXT, frame_header

__all__ = ["Connection", "websocket"]

log = logging.getLogger(__name__)


class Connection:
    """One client's socket as a room subscriber."""

    __slots__ = (
        "__weakref__",
        "_closing",
        "_limit",
        "_opcode",
        "_transport",
        "codec",
        "viewer",
        "ws",
    )

    def __init__(
        self,
        ws: web.WebSocketResponse,
        transport: asyncio.Transport | None,
        codec: Codec,
        limit: int,
    ) -> None:
        self.ws = ws
        self.codec = codec
        self.viewer: Actor = "observer"
        self._transport = transport
        self._opcode = OPCODE_BINARY if codec.binary else OPCODE_TEXT
        self._limit = limit
        self._closing = False

    def deliver(self, frame: bytes) -> None:
        """Write ``frame`` now; cut the client off if it has stopped reading.

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
        transport.write(frame_header(len(frame), self._opcode) + frame)

    def close_soon(self, code: int, message: str) -> None:
        """Close from outside the handler (fan-out, shutdown) without blocking the caller."""
        if self._closing:
            return
        self._closing = True
        task = asyncio.create_task(self.ws.close(code=code, message=message.encode()))
        _background.add(task)
        task.add_done_callback(_background.discard)

    def reply(self, frame: Ack | Error | Welcome) -> None:
        """Send a direct reply; it goes out after the events already written."""
        self.deliver(self.codec.encode(frame))


_background: set[asyncio.Task[object]] = set()


async def websocket(request: web.Request) -> web.WebSocketResponse:
    """Handle one WebSocket client from ``hello`` to close."""
    app = request.app
    settings = app[SETTINGS]
    ws = web.WebSocketResponse(
        protocols=SUBPROTOCOLS,
        max_msg_size=settings.hard_frame_bytes,
        heartbeat=settings.heartbeat_seconds,
        compress=False,  # per-connection zlib state costs ~50 KiB and CPU per frame
        decode_text=False,
    )
    await ws.prepare(request)
    transport = request.transport
    conn = Connection(
        ws,
        transport if isinstance(transport, asyncio.Transport) else None,
        codec_for(ws.ws_protocol),
        settings.send_buffer_bytes,
    )
    app[CONNECTIONS].add(conn)
    session = _Session(request.app, conn)
    try:
        await session.run()
    finally:
        await session.finish()
    return ws


class _Session:
    """The reading side of one connection: hello, then moves."""

    def __init__(self, app: web.Application, conn: Connection) -> None:
        self.app = app
        self.conn = conn
        self.rooms = app[ROOMS]
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

    async def run(self) -> None:
        conn, codec = self.conn, self.conn.codec
        async for message in conn.ws:
            if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                continue  # close, ping and pong are the WebSocket layer's business
            data: bytes = message.data
            verdict = self.gate.admit(time.monotonic())
            if verdict != "pass":
                if verdict == "close":
                    await conn.ws.close(
                        code=CloseCode.POLICY_VIOLATION, message=b"flooding after rate_limited"
                    )
                    return
                self._error(None, ErrorCode.RATE_LIMITED, "Too many frames; slow down.")
                continue
            if len(data) > self.settings.max_frame_bytes:
                limit = self.settings.max_frame_bytes
                self._error(
                    None, ErrorCode.FRAME_TOO_LARGE, f"Frames are limited to {limit} bytes."
                )
                continue
            if isinstance(data, str):  # a text frame on aiohttp without decode_text=False
                data = data.encode()
            frame = codec.decode_client(data)
            try:
                if isinstance(frame, Error):
                    conn.reply(frame)
                elif isinstance(frame, Hello):
                    await self._hello(frame)
                else:
                    await self._move(frame)
            except LogUnavailable as exc:
                log.warning("event log unavailable: %s", exc)
                self._error(None, ErrorCode.UNAVAILABLE, "The event log is unavailable; retry.")
            except Exception:  # a bug must cost one frame, never the connection
                log.exception("frame %r failed", type(frame).__name__)
                self._error(None, ErrorCode.INTERNAL_ERROR, "Server error; retry.")

    def _error(self, move_id: str | None, code: ErrorCode, message: str) -> None:
        self.conn.reply(Error(id=move_id, code=code, message=message))

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
        self.conn.viewer = viewer
        self.room = room
        if viewer == "buyer" or viewer == "seller":
            self.seat_role = viewer
        await self.rooms.attach(room, self.conn, hello.resume_after, self._welcome)
        if self.seat_role is not None:
            await self.rooms.arrive(room, self.seat_role, hello.name)

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
                scenario=scenario.public(),
                brief=scenario.brief(self.seat_role) if self.seat_role else None,
                full_scenario=scenario if viewer == "facilitator" else None,
                server_time=self.rooms.clock(),
            )
        )

    async def _move(self, move: MoveFrame) -> None:
        if self.room is None:
            self._error(move.id, ErrorCode.HELLO_REQUIRED, "Say hello before moving.")
            return
        if self.seat_role is None:
            self._error(move.id, ErrorCode.FORBIDDEN, f"A {self.conn.viewer} cannot make moves.")
            return
        command = MoveCommand(role=self.seat_role, move=move, now=self.rooms.clock())
        try:
            decision = await self.rooms.submit(self.room, command)
        except LogUnavailable as exc:
            log.warning("room %s: log unavailable: %s", self.room.id, exc)
            self._error(move.id, ErrorCode.UNAVAILABLE, "Could not save the move; retry.")
            return
        except Exception:
            log.exception("room %s: move %r failed", self.room.id, move.id)
            self._error(move.id, ErrorCode.INTERNAL_ERROR, "Server error; retry the move.")
            return
        match decision:
            case Applied(events=events) if events:
                self.conn.reply(Ack(id=move.id, seq=events[0].seq))
            case Duplicate(seq=seq):
                self.conn.reply(Ack(id=move.id, seq=seq, duplicate=True))
            case Refused(code=code, message=message):
                self._error(move.id, code, message)
            case _:
                self._error(move.id, ErrorCode.INTERNAL_ERROR, "The move changed nothing.")

    async def finish(self) -> None:
        room = self.room
        if room is None:
            return
        self.rooms.detach(room, self.conn)
        if self.seat_role is not None:
            try:
                await self.rooms.depart(room, self.seat_role)
            except Exception:  # the room may be ended or the log closing: nothing to record
                log.debug("room %s: recording 'left' failed", room.id, exc_info=True)
