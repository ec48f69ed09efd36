"""The load generator's worker: plays many rooms of scripted bot pairs at once.

Each room's buyer and seller are two :class:`~.client.Client` connections in
this process, so a move's send time and the counterpart's receipt are read on
one clock. Play is either ping-pong (``think == 0``: one move in flight per
room, the counterpart answers on receipt: a throughput test) or paced (a move
every ``think`` seconds per room: a latency test). Every room ends with an
``accept`` of the counterpart's standing offer, so it completes with an outcome.

Lean seats on picows and the open model (``rate``) are played by
:mod:`.drive` instead, which :func:`run_rooms` hands them to; the full client
and the aiohttp lean seats (:class:`LeanPeer`) stay here as the fallback.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
import msgspec

from dealroom.protocol import (
    JSON,
    MSGPACK,
    Accept,
    Codec,
    Error,
    ErrorCode,
    Event,
    Hello,
    Issue,
    Offer,
    Terms,
)

from .client import Client, ClientClosed, MoveRefused
from .move_frames import Seen
from .placement import seat_url
from .report import Report, WorkerCpu

__all__ = ["Plan", "SeatTokens", "run_rooms"]


@dataclass(frozen=True, slots=True)
class SeatTokens:
    """The tokens of one room's seats."""

    room: str
    buyer: str
    seller: str
    observer: str


@dataclass(frozen=True, slots=True)
class Plan:
    """How to play every room of a load test."""

    url: str
    issues: tuple[Issue, ...]
    nodes: tuple[str, ...] = ()
    """Nodes' ``/ws`` URLs to seat the rooms across: a room's buyer on one, its seller
    on the next; a seat whose node is gone reconnects through ``url``."""
    first_mover: str = "buyer"
    codec: str = "json"
    moves: int = 20
    """Offers per room before the closing accept (0: until ``duration`` ends)."""
    duration: float | None = None
    think: float = 0.0
    """Seconds between a room's moves; 0 plays ping-pong as fast as possible."""
    observers: int = 0
    seed: int = 1
    connect_concurrency: int = 200
    relay: bool = False
    hold: float = 0.0
    """Idle mode: connect every seat, hold the connections this long, make no move."""
    lean: bool = False
    """Lean seats (no reconnect) so the load tool is cheaper than the server."""
    client: str = "picows"
    """Lean seats' library: ``picows`` (:mod:`.drive`) or ``aiohttp`` (:class:`LeanPeer`)."""
    rate: float = 0.0
    """Open model: moves per second per room on a fixed schedule (picows seats only)."""
    warmup: float = 0.0
    """Seconds of play before the measured window opens (picows seats only)."""
    verify: bool = True
    """Keep every ack's (room, move id, seq) for the log check afterwards."""
    total_rooms: int = 1
    """Rooms over all workers: the open model spreads their phases over one period."""


def _seen(event: Event) -> Seen:
    """An event of the full client as the load tool's view of it."""
    return Seen(
        type="event",
        kind=type(event).__struct_config__.tag,  # type: ignore[arg-type]
        by=event.by,
        move=getattr(event, "move", None),
        outcome=getattr(getattr(event, "outcome", None), "value", None),
        seq=event.seq,
    )


class _Seat:
    """What both lean seat kinds share: an aiohttp WebSocket, a codec, move ids."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str, codec: str) -> None:
        self.session, self.url, self.token = session, url, token
        self.codec: Codec = MSGPACK if codec == "msgpack" else JSON
        self._decode = (msgspec.msgpack if self.codec.binary else msgspec.json).Decoder(Seen).decode
        self.reconnects = 0
        self._ids = itertools.count(1)
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None

    def new_id(self) -> str:
        return f"{self.token[-6:]}-{next(self._ids)}"

    async def _open(self) -> aiohttp.ClientWebSocketResponse:
        self._ws = await self.session.ws_connect(
            self.url, protocols=[self.codec.subprotocol], compress=0, max_msg_size=0
        )
        return self._ws

    async def _send(self, data: bytes) -> None:
        assert self._ws is not None
        if self.codec.binary:
            await self._ws.send_bytes(data)
        else:
            await self._ws.send_str(data.decode())

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()


class LeanPeer(_Seat):
    """A seat for throughput and latency runs: aiohttp's client, peek-only decoding.

    It reads each server frame into :class:`Seen` (a handful of fields) instead
    of the full typed frame, so the load tool spends less per move than the
    server and can saturate it. No reconnect: use the full client for fault runs.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        token: str,
        codec: str,
        on_event: Callable[[Seen, float], None] | None,
    ) -> None:
        super().__init__(session, url, token, codec)
        self.on_event = on_event
        self._pending: dict[str, asyncio.Future[Seen]] = {}

    async def connect(self) -> None:
        ws = await self._open()
        await self._send(self.codec.encode(Hello(token=self.token)))
        while True:
            message = await ws.receive()
            if message.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                raise ClientClosed(f"connection closed during hello: {message.type}")
            seen = self._decode(message.data)
            if seen.type == "welcome":
                break
            if seen.type == "error":
                raise ClientClosed(f"hello refused: {seen.code} {seen.message}")
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                continue
            seen = self._decode(message.data)
            if seen.type == "event":
                if self.on_event is not None:
                    self.on_event(seen, time.perf_counter())
            elif seen.id is not None:
                future = self._pending.pop(seen.id, None)
                if future is not None and not future.done():
                    future.set_result(seen)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ClientClosed("connection closed"))

    async def move(self, move: Offer | Accept) -> Seen:
        """Send ``move``; its ack (raises :class:`MoveRefused` on an error frame)."""
        future: asyncio.Future[Seen] = asyncio.get_running_loop().create_future()
        self._pending[move.id] = future
        await self._send(self.codec.encode(move))
        reply = await future
        if reply.type == "error":
            raise MoveRefused(Error(id=reply.id, code=ErrorCode(reply.code), message=reply.message))
        return reply


class _RelayPeer(_Seat):
    """A seat on the bare relay: sends move frames, sees the counterpart's as delivered.

    The relay has no referee, log or acks; it only forwards bytes, so this peer
    is the smallest client that can carry the same workload. It uses the same
    aiohttp client as :class:`LeanPeer`, so the two targets cost the tool alike.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        token: str,
        codec: str,
        on_move: Callable[[str, float], None],
    ) -> None:
        super().__init__(session, url, token, codec)
        self.on_move = on_move

    async def connect(self) -> None:
        ws = await self._open()
        await ws.send_str(json.dumps({"type": "hello", "token": self.token}))
        await ws.receive()  # the relay's welcome
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                seen = self._decode(message.data)  # a forwarded move: its id is what counts
                if seen.id is not None:
                    self.on_move(seen.id, time.perf_counter())

    async def send(self, move: Offer) -> None:
        await self._send(self.codec.encode(move))


@dataclass
class _Room:
    seats: SeatTokens
    sent: dict[str, float] = field(default_factory=dict)
    received: dict[str, asyncio.Event] = field(default_factory=dict)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    outcome: str | None = None
    acked: list[tuple[str, int]] = field(default_factory=list)


class _Worker:
    def __init__(self, plan: Plan, progress: Callable[[int, int], None]) -> None:
        self.plan = plan
        self.progress = progress
        self.report = Report()
        self.acked: list[tuple[str, str, int]] = []
        self.connect_gate = asyncio.Semaphore(plan.connect_concurrency)
        self.clients: list[Client | LeanPeer] = []
        self.session: aiohttp.ClientSession | None = None
        self.relay_peers: list[_RelayPeer] = []
        self.first_send: float | None = None
        self.last_ack = 0.0
        self.first_cpu = self.last_cpu = 0.0

    def _terms(self, rng: random.Random) -> Terms:
        return {i.id: i.value_at(rng.randrange(i.size())) for i in self.plan.issues}

    def _listener(self, room: _Room, role: str) -> Callable[[Seen, float], None]:
        def on_event(event: Seen, at: float) -> None:
            if event.kind == "offer" and event.by != role and event.move is not None:
                sent = room.sent.get(event.move)
                if sent is not None:
                    self.report.delivery_ms.append((at - sent) * 1000)
                waiter = room.received.get(event.move)
                if waiter is not None:
                    waiter.set()
            elif event.kind == "started":
                room.started.set()
            elif event.kind == "ended":
                room.outcome = event.outcome
                room.ended.set()

        return on_event

    def _urls(self, room: str, seat: int) -> tuple[str, ...]:
        """Where ``room``'s seat number ``seat`` connects first, then where it reconnects."""
        first = seat_url(self.plan.nodes, self.plan.url, room, seat)
        return (first, self.plan.url) if first != self.plan.url else (first,)

    async def _connect(
        self,
        token: str,
        on_event: Callable[[Seen, float], None] | None,
        room: str = "",
        seat: int = 0,
    ) -> Client | LeanPeer:
        peer: Client | LeanPeer
        urls = self._urls(room, seat)
        if self.plan.lean:
            assert self.session is not None
            peer = LeanPeer(self.session, urls[0], token, self.plan.codec, on_event)
        else:
            full = None if on_event is None else (lambda e, at: on_event(_seen(e), at))
            peer = Client(urls, token, codec=self.plan.codec, on_event=full)
        async with self.connect_gate:
            await peer.connect()
        self.clients.append(peer)
        return peer

    async def _send(
        self, room: _Room, client: Client | LeanPeer, move: Offer | Accept
    ) -> int | None:
        started = time.perf_counter()
        if self.first_send is None:
            self.first_send, self.first_cpu = started, time.process_time()
        room.sent[move.id] = started
        try:
            ack = await client.move(move)
        except MoveRefused as refused:
            self.report.errors[refused.error.code] += 1
            return None
        self.last_ack, self.last_cpu = time.perf_counter(), time.process_time()
        self.report.ack_ms.append((self.last_ack - started) * 1000)
        self.report.moves_acked += 1
        self.acked.append((room.seats.room, move.id, ack.seq))
        self.progress(1, 0)
        return ack.seq

    async def play_relay(
        self, seats: SeatTokens, rng: random.Random, deadline: float | None
    ) -> None:
        """The same ping-pong or paced play against the bare relay (no acks, no accept)."""
        room = _Room(seats)

        def delivered(move_id: str, at: float) -> None:
            sent = room.sent.get(move_id)
            if sent is not None:
                self.report.delivery_ms.append((at - sent) * 1000)
            waiter = room.received.get(move_id)
            if waiter is not None:
                waiter.set()

        peers = []
        for token in (seats.buyer, seats.seller):
            assert self.session is not None
            peer = _RelayPeer(self.session, self.plan.url, token, self.plan.codec, delivered)
            async with self.connect_gate:
                await peer.connect()
            peers.append(peer)
        self.relay_peers += peers
        await asyncio.sleep(0.05)  # both seats known to the relay before the first move
        if self.plan.hold > 0:
            self.progress(0, 1)
            await asyncio.sleep(self.plan.hold)
            return
        turn = made = 0
        while self._more(made, deadline):
            if self.plan.think > 0:
                await asyncio.sleep(self.plan.think * rng.uniform(0.9, 1.1))
            move = Offer(id=peers[turn].new_id(), terms=self._terms(rng))
            room.received[move.id] = asyncio.Event()
            started = time.perf_counter()
            if self.first_send is None:
                self.first_send, self.first_cpu = started, time.process_time()
            room.sent[move.id] = started
            await peers[turn].send(move)
            if self.plan.think == 0:
                await asyncio.wait_for(room.received[move.id].wait(), 30)
            self.last_ack, self.last_cpu = time.perf_counter(), time.process_time()
            room.received.pop(move.id, None)
            self.report.moves_acked += 1
            self.progress(1, 0)
            turn, made = 1 - turn, made + 1
        self.report.rooms_completed += 1
        self.report.outcomes["relayed"] += 1
        self.progress(0, 1)

    def _more(self, made: int, deadline: float | None) -> bool:
        if self.plan.moves:
            return made < self.plan.moves
        return deadline is not None and time.monotonic() < deadline

    async def play(self, seats: SeatTokens, rng: random.Random, deadline: float | None) -> None:
        if self.plan.relay:
            await self.play_relay(seats, rng, deadline)
            return
        room = _Room(seats)
        buyer = await self._connect(seats.buyer, self._listener(room, "buyer"), seats.room, 0)
        seller = await self._connect(seats.seller, self._listener(room, "seller"), seats.room, 1)
        for n in range(self.plan.observers):
            await self._connect(seats.observer, None, seats.room, 2 + n)
        await asyncio.wait_for(room.started.wait(), 60)
        if self.plan.hold > 0:
            self.progress(0, 1)
            await asyncio.sleep(self.plan.hold)
            return
        sides = [(buyer, seller), (seller, buyer)]
        if self.plan.first_mover == "seller":
            sides.reverse()
        last_offer: dict[int, int] = {}
        turn = 0
        made = 0
        while self._more(made, deadline):
            if self.plan.think > 0:
                await asyncio.sleep(self.plan.think * rng.uniform(0.9, 1.1))
            mover, _ = sides[turn]
            move = Offer(id=mover.new_id(), terms=self._terms(rng))
            if self.plan.think == 0:
                room.received[move.id] = asyncio.Event()
            seq = await self._send(room, mover, move)
            if seq is not None:
                last_offer[turn] = seq
                if self.plan.think == 0:  # ping-pong: answer when the counterpart has it
                    await asyncio.wait_for(room.received[move.id].wait(), 30)
                room.received.pop(move.id, None)
                turn = 1 - turn
            made += 1
        acceptor, _ = sides[turn]
        if 1 - turn in last_offer:
            await self._send(
                room, acceptor, Accept(id=acceptor.new_id(), offer=last_offer[1 - turn])
            )
            await asyncio.wait_for(room.ended.wait(), 30)
        if room.outcome is not None:
            self.report.rooms_completed += 1
            self.report.outcomes[room.outcome] += 1
        self.progress(0, 1)


def _never() -> bool:
    return False


def _ignore(_: int) -> None:
    return None


async def _cancel_when(stop: Callable[[], bool], tasks: list[asyncio.Task[None]]) -> None:
    """Cancel ``tasks`` once ``stop()`` is true (a flag set by another process)."""
    while not stop():
        await asyncio.sleep(0.1)
    for task in tasks:
        task.cancel()


async def run_rooms(
    plan: Plan,
    rooms: list[SeatTokens],
    progress: Callable[[int, int], None],
    stop: Callable[[], bool] | None = None,
    go_at: Callable[[], float] | None = None,
    first_index: int = 0,
    connected: Callable[[int], None] | None = None,
) -> tuple[Report, list[tuple[str, str, int]]]:
    """Play ``rooms``; the report and every acked (room, move id, seq).

    Once ``stop()`` is true the rooms stop where they are and the report
    covers what was played until then. With picows seats, the worker connects
    every seat, reports its connected rooms through ``connected``, then waits
    until ``go_at()`` gives the play window's start (epoch seconds, 0: not yet)
    so that every worker plays in the same window. ``first_index`` is the
    position of ``rooms[0]`` among all workers' rooms.
    """
    if plan.rate > 0 or (plan.lean and plan.client == "picows"):
        from .drive import drive_rooms  # picows: imported only by the workers that use it

        return await drive_rooms(
            plan, rooms, progress, stop or _never, go_at, first_index, connected or _ignore
        )
    worker = _Worker(plan, progress)
    worker.report.rooms = len(rooms)
    deadline = time.monotonic() + plan.duration if plan.duration else None
    rngs = [random.Random(f"{plan.seed}:{r.room}") for r in rooms]
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        worker.session = session
        plays = [
            asyncio.create_task(worker.play(r, rng, deadline))
            for r, rng in zip(rooms, rngs, strict=True)
        ]
        stopper = asyncio.create_task(_cancel_when(stop, plays)) if stop else None
        results = await asyncio.gather(*plays, return_exceptions=True)
        if stopper is not None:
            stopper.cancel()
        if worker.first_send is not None:  # the play phase: first send to last ack
            report = worker.report
            report.seconds = worker.last_ack - worker.first_send
            report.tool_cpu = [WorkerCpu(worker.last_cpu - worker.first_cpu, report.seconds)]
            offset = time.time() - time.perf_counter()
            report.play_start = worker.first_send + offset
            report.play_end = worker.last_ack + offset
        for result in results:
            if isinstance(result, asyncio.CancelledError):
                continue  # stopped early: a room cut short, not an error
            if isinstance(result, ClientClosed | MoveRefused):
                worker.report.errors[type(result).__name__] += 1
            elif isinstance(result, TimeoutError):
                worker.report.errors["timeout"] += 1
            elif isinstance(result, BaseException):
                worker.report.errors[f"{type(result).__name__}: {result}"[:80]] += 1
        worker.report.reconnects = sum(c.reconnects for c in worker.clients)
        closing = [c.close() for c in worker.clients] + [p.close() for p in worker.relay_peers]
        await asyncio.gather(*closing, return_exceptions=True)
    return worker.report, worker.acked
