"""The load generator's worker: plays many rooms of scripted bot pairs at once.

Each room's buyer and seller are two :class:`~.client.Client` connections in
this process, so a move's send time and the counterpart's receipt are read on
one clock. Play is either ping-pong (``think == 0``: one move in flight per
room, the counterpart answers on receipt: a throughput test) or paced (a move
every ``think`` seconds per room: a latency test). Every room ends with an
``accept`` of the counterpart's standing offer, so it completes with an outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import websockets
from websockets.asyncio.client import ClientConnection

from dealroom.protocol import (
    JSON,
    MSGPACK,
    Accept,
    Codec,
    Ended,
    Event,
    Issue,
    Offer,
    Offered,
    Started,
    Terms,
)

from .client import Client, ClientClosed, MoveRefused
from .report import Report

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
    """Drive the bare relay baseline (benchmarks/bare_relay.py) instead of dealroom."""


class _RelayPeer:
    """A seat on the bare relay: sends move frames, sees the counterpart's as delivered.

    The relay has no referee, log or acks; it only forwards bytes, so this peer
    is the smallest client that can carry the same workload.
    """

    def __init__(self, url: str, token: str, codec: str, on_move: Callable[[str, float], None]):
        self.url, self.token, self.on_move = url, token, on_move
        self.codec: Codec = MSGPACK if codec == "msgpack" else JSON
        self.reconnects = 0
        self._ids = itertools.count(1)
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None

    def new_id(self) -> str:
        return f"{self.token[-6:]}-{next(self._ids)}"

    async def connect(self) -> None:
        self._ws = await websockets.connect(
            self.url,
            subprotocols=[self.codec.subprotocol],  # type: ignore[list-item]
            compression=None,
            proxy=None,
            max_size=None,
        )
        await self._ws.send(json.dumps({"type": "hello", "token": self.token}))
        await self._ws.recv()  # the relay's welcome
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._ws is not None
        with contextlib.suppress(websockets.ConnectionClosed):
            async for data in self._ws:
                frame = self.codec.decode_client(data if isinstance(data, bytes) else data.encode())
                if isinstance(frame, Offer):
                    self.on_move(frame.id, time.perf_counter())

    async def send(self, move: Offer) -> None:
        assert self._ws is not None
        data = self.codec.encode(move)
        await self._ws.send(data if self.codec.binary else data.decode())

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()


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
        self.clients: list[Client] = []
        self.relay_peers: list[_RelayPeer] = []
        self.first_send: float | None = None
        self.last_ack = 0.0

    def _terms(self, rng: random.Random) -> Terms:
        return {i.id: i.value_at(rng.randrange(i.size())) for i in self.plan.issues}

    def _listener(self, room: _Room, role: str) -> Callable[[Event, float], None]:
        def on_event(event: Event, at: float) -> None:
            if isinstance(event, Offered) and event.by != role:
                sent = room.sent.get(event.move)
                if sent is not None:
                    self.report.delivery_ms.append((at - sent) * 1000)
                waiter = room.received.get(event.move)
                if waiter is not None:
                    waiter.set()
            elif isinstance(event, Started):
                room.started.set()
            elif isinstance(event, Ended):
                room.outcome = event.outcome.value
                room.ended.set()

        return on_event

    async def _connect(self, token: str, on_event: Callable[[Event, float], None] | None) -> Client:
        client = Client(self.plan.url, token, codec=self.plan.codec, on_event=on_event)
        async with self.connect_gate:
            await client.connect()
        self.clients.append(client)
        return client

    async def _send(self, room: _Room, client: Client, move: Offer | Accept) -> int | None:
        started = time.perf_counter()
        if self.first_send is None:
            self.first_send = started
        room.sent[move.id] = started
        try:
            ack = await client.move(move)
        except MoveRefused as refused:
            self.report.errors[refused.error.code] += 1
            return None
        self.last_ack = time.perf_counter()
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
            peer = _RelayPeer(self.plan.url, token, self.plan.codec, delivered)
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
                self.first_send = started
            room.sent[move.id] = started
            await peers[turn].send(move)
            if self.plan.think == 0:
                await asyncio.wait_for(room.received[move.id].wait(), 30)
            self.last_ack = time.perf_counter()
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
        buyer = await self._connect(seats.buyer, self._listener(room, "buyer"))
        seller = await self._connect(seats.seller, self._listener(room, "seller"))
        for _ in range(self.plan.observers):
            await self._connect(seats.observer, None)
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


async def run_rooms(
    plan: Plan, rooms: list[SeatTokens], progress: Callable[[int, int], None]
) -> tuple[Report, list[tuple[str, str, int]]]:
    """Play ``rooms``; the report and every acked (room, move id, seq)."""
    worker = _Worker(plan, progress)
    worker.report.rooms = len(rooms)
    deadline = time.monotonic() + plan.duration if plan.duration else None
    rngs = [random.Random(f"{plan.seed}:{r.room}") for r in rooms]
    results = await asyncio.gather(
        *(worker.play(r, rng, deadline) for r, rng in zip(rooms, rngs, strict=True)),
        return_exceptions=True,
    )
    if worker.first_send is not None:  # the play phase: first send to last ack
        worker.report.seconds = worker.last_ack - worker.first_send
    for result in results:
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
