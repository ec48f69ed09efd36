"""A protocol v1 client for bots and anyone writing their own (asyncio, `websockets`).

    async with Client("ws://127.0.0.1:8080/ws", seat_token) as client:
        print(client.welcome.brief.text)
        ack = await client.move(Offer(id=client.new_id(), terms={...}))
        async for event in client.events():
            ...

The client keeps the last seq it holds. When the connection drops it
reconnects, says ``hello`` with ``resume_after`` = that seq (the server replays
exactly what was missed), and sends every move still waiting for its ack again
with the same id: the server applies a move id once, so nothing is lost or
doubled (DESIGN.md principle 5).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable, Sequence
from types import TracebackType

import websockets
from websockets.asyncio.client import ClientConnection

from dealroom.protocol import (
    JSON,
    MSGPACK,
    Ack,
    Codec,
    Error,
    Event,
    Hello,
    Move,
    Pong,
    Welcome,
)

__all__ = ["Client", "ClientClosed", "MoveRefused"]

_TRANSIENT = (OSError, TimeoutError, websockets.InvalidHandshake, websockets.ConnectionClosed)

log = logging.getLogger(__name__)


class MoveRefused(Exception):
    """The server refused a move; ``error`` has its stable ``code``."""

    def __init__(self, error: Error) -> None:
        super().__init__(f"{error.code}: {error.message}")
        self.error = error


class ClientClosed(Exception):
    """The client was closed, or gave up reconnecting, before the answer came."""


class Client:
    """One seat's (or observer's, or facilitator's) connection to a room."""

    def __init__(
        self,
        url: str | Sequence[str],
        token: str,
        *,
        codec: str = "json",
        name: str = "",
        lang: str = "",
        room: str | None = None,
        resume_after: int = 0,
        reconnect: bool = True,
        max_reconnect_seconds: float = 60.0,
        on_event: Callable[[Event, float], None] | None = None,
    ) -> None:
        """
        Args:
            url: the server's ``/ws`` URL; or several (a node's, then a load
                balancer's): the first is tried first, and each failed attempt
                to reconnect moves on to the next, round and round.
            token: a seat token, or the facilitator token with ``room``.
            codec: ``json`` or ``msgpack``.
            name: display name shown in ``joined``.
            lang: the ``hello``'s language: the welcome's scenario and brief carry
                the scenario's words in it (``"*"``: in every language it has).
            room: the room to watch (facilitator token only).
            resume_after: the last seq already held (0: everything).
            reconnect: reconnect and resume when the connection drops.
            max_reconnect_seconds: give up after trying this long.
            on_event: called with each new event and its arrival time
                (``time.perf_counter()``), before it is queued.
        """
        self.urls: tuple[str, ...] = (url,) if isinstance(url, str) else tuple(url)
        if not self.urls:
            raise ValueError("a client needs a URL")
        self._at = 0
        self.token = token
        self.codec: Codec = MSGPACK if codec == "msgpack" else JSON
        self.name = name
        self.lang = lang
        self.room = room
        self.last_seq = resume_after
        self.reconnect = reconnect
        self.max_reconnect_seconds = max_reconnect_seconds
        self.on_event = on_event
        self.welcome: Welcome | None = None
        self.reconnects = 0
        self._ws: ClientConnection | None = None
        self._pending: dict[str, tuple[Move, asyncio.Future[Ack]]] = {}
        self._events: asyncio.Queue[Event | None] = asyncio.Queue()
        self._welcomed: asyncio.Future[Welcome] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._closed = False
        self._ids = itertools.count(1)
        self._id_prefix = secrets.token_hex(3)

    # -- lifecycle -------------------------------------------------------

    async def __aenter__(self) -> Client:
        await self.connect()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def connect(self) -> Welcome:
        """Open the connection and say hello; returns the ``welcome``."""
        welcome = await self._open()
        self._reader = asyncio.create_task(self._read_forever())
        return welcome

    @property
    def url(self) -> str:
        """The URL this client connects (or last connected) to."""
        return self.urls[self._at]

    async def _open(self) -> Welcome:
        subprotocol = self.codec.subprotocol
        self._ws = await websockets.connect(
            self.url,
            subprotocols=[subprotocol],  # type: ignore[list-item]
            compression=None,
            proxy=None,
            max_size=None,
            open_timeout=10,
            close_timeout=2,
        )
        hello = Hello(
            token=self.token,
            resume_after=self.last_seq,
            room=self.room,
            name=self.name,
            lang=self.lang,
        )
        await self._ws.send(self._encode(hello))
        while True:
            frame = self.codec.decode_server(await asyncio.wait_for(self._ws.recv(), 10))
            if isinstance(frame, Welcome):
                self.welcome = frame
                return frame
            if isinstance(frame, Error):
                await self._ws.close()
                raise MoveRefused(frame)

    async def close(self) -> None:
        """Close for good: pending moves fail with :class:`ClientClosed`."""
        self._closed = True
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        self._fail_pending()
        self._events.put_nowait(None)

    def _fail_pending(self) -> None:
        for _, future in self._pending.values():
            if not future.done():
                future.set_exception(ClientClosed("the client closed before the ack"))
        self._pending.clear()

    # -- moves -----------------------------------------------------------

    def new_id(self) -> str:
        """A fresh move id, unique to this client."""
        return f"{self._id_prefix}-{next(self._ids)}"

    async def move(self, move: Move) -> Ack:
        """Send ``move`` and wait until it is durable.

        Raises:
            MoveRefused: the server refused it (the error's ``code`` says why).
            ClientClosed: the client closed or could not reconnect.
        """
        if self._closed:
            raise ClientClosed("the client is closed")
        future: asyncio.Future[Ack] = asyncio.get_running_loop().create_future()
        self._pending[move.id] = (move, future)
        if self._ws is not None:
            # On a closed connection the reader reconnects and sends it again.
            with contextlib.suppress(websockets.ConnectionClosed):
                await self._ws.send(self._encode(move))
        return await future

    def _encode(self, frame: Hello | Move) -> str | bytes:
        data = self.codec.encode(frame)
        return data if self.codec.binary else data.decode()

    # -- events ----------------------------------------------------------

    async def events(self) -> AsyncIterator[Event]:
        """Every new event in seq order, replayed ones first; ends when the client closes."""
        while True:
            event = await self._events.get()
            if event is None:
                return
            yield event

    async def next_event(self, timeout: float | None = None) -> Event | None:
        """The next event, or None if none arrives within ``timeout`` seconds.

        Raises:
            ClientClosed: the client closed (or gave up reconnecting).
        """
        try:
            event = await asyncio.wait_for(self._events.get(), timeout)
        except TimeoutError:
            return None
        if event is None:
            self._events.put_nowait(None)  # keep the end visible to every later reader
            raise ClientClosed("the client is closed")
        return event

    def received(self) -> list[Event]:
        """The events that have arrived and not yet been taken, without waiting."""
        taken: list[Event] = []
        while not self._events.empty():
            event = self._events.get_nowait()
            if event is None:  # the end: leave it for events() to see
                self._events.put_nowait(None)
                break
            taken.append(event)
        return taken

    async def _read_forever(self) -> None:
        while True:
            try:
                assert self._ws is not None
                async for data in self._ws:
                    self._dispatch(self.codec.decode_server(data))
            except websockets.ConnectionClosed:
                pass
            if self._closed or not self.reconnect:
                break
            if not await self._reopen():
                break
        self._fail_pending()
        self._events.put_nowait(None)

    async def _reopen(self) -> bool:
        """Reconnect with backoff, resume by seq, and resend unacked moves."""
        started = time.monotonic()
        delay = 0.1
        while not self._closed and time.monotonic() - started < self.max_reconnect_seconds:
            await asyncio.sleep(delay * (0.5 + secrets.randbelow(1000) / 1000))
            delay = min(delay * 2, 3.0)
            try:
                await self._open()
            except MoveRefused as refused:  # the token is no longer accepted: give up
                log.warning("reconnect refused: %s", refused)
                return False
            except _TRANSIENT:
                self._at = (self._at + 1) % len(self.urls)  # that server is gone: the next
                continue
            self.reconnects += 1
            assert self._ws is not None
            for move, _ in list(self._pending.values()):
                await self._ws.send(self._encode(move))
            return True
        return False

    def _dispatch(self, frame: object) -> None:
        match frame:
            case Ack(id=move_id):
                self._settle(move_id, frame)
            case Error(id=move_id) if move_id is not None and move_id in self._pending:
                self._settle(move_id, MoveRefused(frame))
            case Error():
                log.warning("server error: %s %s", frame.code, frame.message)
            case Welcome():
                self.welcome = frame
            case Pong():
                pass  # this client sends no ping: a pong is none of its business
            case _:
                event: Event = frame  # type: ignore[assignment]
                if event.seq <= self.last_seq:
                    return  # already held (a replay overlapping what we had)
                self.last_seq = event.seq
                if self.on_event is not None:
                    self.on_event(event, time.perf_counter())
                self._events.put_nowait(event)

    def _settle(self, move_id: str, result: Ack | MoveRefused) -> None:
        entry = self._pending.pop(move_id, None)
        if entry is None or entry[1].done():
            return
        if isinstance(result, Ack):
            entry[1].set_result(result)
        else:
            entry[1].set_exception(result)
