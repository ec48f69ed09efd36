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
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from dealroom.protocol import (
    Accept,
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

    async def play(self, seats: SeatTokens, rng: random.Random, deadline: float | None) -> None:
        room = _Room(seats)
        buyer = await self._connect(seats.buyer, self._listener(room, "buyer"))
        seller = await self._connect(seats.seller, self._listener(room, "seller"))
        for _ in range(self.plan.observers):
            await self._connect(seats.observer, None)
        await asyncio.wait_for(room.started.wait(), 60)
        sides = [(buyer, seller), (seller, buyer)]
        if self.plan.first_mover == "seller":
            sides.reverse()
        last_offer: dict[int, int] = {}
        turn = 0
        made = 0
        while (self.plan.moves and made < self.plan.moves) or (
            not self.plan.moves and deadline is not None and time.monotonic() < deadline
        ):
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
    await asyncio.gather(*(c.close() for c in worker.clients), return_exceptions=True)
    return worker.report, worker.acked
