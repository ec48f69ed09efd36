"""The fast driver: a worker's rooms on picows seats, played from frame callbacks.

The full bot client and aiohttp's WebSocket cost the load tool more per move
than the bare relay spends forwarding one, so the tool, not the server, was
the limit of a throughput run. Here each seat is a picows listener (a Cython
WebSocket client): a received frame is peeked at (type, kind, by, id, seq and
little else), and the next move is an offer frame encoded ahead of time
(:mod:`.move_frames`). Play runs in callbacks: no task, future or event per move.

Two ways to play, both inside one play window that every worker starts at the
same instant (``go_at``):

- ping-pong (closed model): one move in flight per room; the counterpart
  answers as soon as the move reaches it. Throughput; latency from the send.
- open model (``rate`` moves per second per room): each room's moves leave on
  a fixed schedule whatever the replies, alternating between its two seats
  (so every move is legal in a free-turn scenario). Latency is measured from
  each move's scheduled time, so a slow server (or a late sender) shows in the
  figures instead of slowing the schedule (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import random
import time
from array import array
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec
from picows import WSCloseCode, WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

from dealroom.protocol import JSON, MSGPACK, Codec, Hello, Issue, Terms

from .move_frames import ID_WIDTH, MoveFrames, Seen
from .placement import seat_url

if TYPE_CHECKING:
    from .loadgen import Plan, SeatTokens
from .report import Report, WorkerCpu, runqueue_wait_s

__all__ = ["Driver", "Seen", "drive_rooms"]

_PACKAGES = 8
"""Offer packages encoded ahead per seat: moves cycle through them."""
_DRAIN_S = 10.0
"""After the window, how long replies to moves already sent may still arrive."""


_now = time.perf_counter
_DECODE_JSON = msgspec.json.Decoder(Seen).decode
_DECODE_MSGPACK = msgspec.msgpack.Decoder(Seen).decode


async def _sleep_until(when: float) -> None:
    """Sleep until about perf_counter time ``when`` (the loop's timers may wake early)."""
    await asyncio.sleep(max(0.0, when - _now()))


class _Seat(WSListener):
    """One connection: hands every peeked frame to its table."""

    def __init__(self, table: _Table, role: str, frames: MoveFrames) -> None:
        super().__init__()
        self.table, self.role, self.frames = table, role, frames
        self.transport: WSTransport | None = None
        self.welcomed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.peek_tail: int | None = None
        """On the relay: where a forwarded frame's id ends, counted from the end."""

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport
        self._post = transport.send  # bound once: a send is the hot path
        self._msg_type = self.table.driver.msg_type

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        kind = frame.msg_type
        tail = self.peek_tail
        if tail is not None and kind == self._msg_type:
            # The relay forwards the counterpart's frame byte for byte: its id
            # sits at a known place, so nothing needs decoding.
            data = frame.get_payload_as_bytes()
            end = len(data) - tail
            self.table.relayed(self, data[end - ID_WIDTH : end].decode("ascii", "replace"))
            return
        if kind == WSMsgType.BINARY:
            seen = _DECODE_MSGPACK(frame.get_payload_as_memoryview())
        elif kind == WSMsgType.TEXT:  # the relay's welcome is JSON whatever the codec
            seen = _DECODE_JSON(frame.get_payload_as_memoryview())
        else:
            return  # ping, pong, close: picows answers them itself
        if seen.type == "event" or seen.type == "ack":
            self.table.on_frame(self, seen)
        elif seen.type == "welcome":
            if not self.welcomed.done():
                self.welcomed.set_result(None)
            if self.table.relay:
                self.peek_tail = self.frames.id_from_end
        elif seen.type == "error":
            if not self.welcomed.done():
                self.welcomed.set_exception(ConnectionError(f"hello refused: {seen.code}"))
            else:
                self.table.on_frame(self, seen)
        elif self.table.relay and seen.id is not None:
            self.table.on_frame(self, seen)  # a move the relay forwarded unread

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if not self.welcomed.done():
            self.welcomed.set_exception(ConnectionError("closed during hello"))
        self.table.on_disconnect()

    def send(self, data: bytes) -> None:
        self._post(self._msg_type, data)

    def send_text(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.send(WSMsgType.TEXT, data)


class _Table:
    """One room: its two seats, the moves in flight, how play goes on."""

    def __init__(self, driver: Driver, room: str, index: int) -> None:
        self.driver, self.room, self.index = driver, room, index
        self.relay = driver.relay
        self.seats: list[_Seat] = []
        self.delivery: dict[str, float] = {}
        """Move id -> send (or scheduled) time, until the counterpart has it."""
        self.unacked: dict[str, float] = {}
        self.made = 0
        self.started: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.outcome: str | None = None
        self.closing = False
        self.broken = False

    def other(self, seat: _Seat) -> _Seat:
        return self.seats[1] if seat is self.seats[0] else self.seats[0]

    def offer(self, seat: _Seat, at: float) -> None:
        """Send ``seat``'s next offer, timed from ``at`` (now, or its scheduled time)."""
        move_id, data = seat.frames.next_offer()
        self.delivery[move_id] = at
        if not self.relay:
            self.unacked[move_id] = at
        self.made += 1
        if at >= self.driver.record_from:
            self.driver.sent += 1
        seat.send(data)

    def on_frame(self, seat: _Seat, seen: Seen) -> None:
        driver = self.driver
        now = _now()
        if seen.type == "event":
            if seen.kind == "offer":
                if seen.by != seat.role and seen.move is not None:
                    self._delivered(seat, seen.move, now, seen.seq)
            elif seen.kind == "started":
                if not self.started.done():
                    self.started.set_result(None)
            elif seen.kind == "ended":
                self.outcome = seen.outcome
                # The room's end can reach the counterpart's seat before the closing
                # accept's ack reaches its sender: the table is done once that ack is in.
                if not self.unacked:
                    self._finish()
        elif seen.type == "ack":
            sent = self.unacked.pop(seen.id or "", None)
            if sent is not None:
                if sent >= driver.record_from:  # not a warm-up move
                    driver.ack_us.append(int((now - sent) * 1e6))
                    driver.acked += 1
                    if driver.playing and not self.relay:
                        driver.window_moves += 1
                if driver.keep_acks:
                    driver.acks.append((self.room, seen.id or "", seen.seq))
                if driver.rate:
                    self.settle()
            if self.outcome is not None and not self.unacked:
                self._finish()
        elif seen.type == "error":
            driver.errors[seen.code or "error"] += 1
            self.unacked.pop(seen.id or "", None)
            if self.outcome is not None and not self.unacked:
                self._finish()
            if self.delivery.pop(seen.id or "", None) is not None and driver.rate == 0:
                self._answer(self.other(seat), 0, now)  # a refused move passes the turn
            elif driver.rate:
                self.settle()
        else:  # relay: the counterpart's move frame itself
            assert seen.id is not None
            self._delivered(seat, seen.id, now, 0)

    def relayed(self, seat: _Seat, move_id: str) -> None:
        """The relay forwarded the counterpart's move ``move_id`` to ``seat``."""
        self._delivered(seat, move_id, _now(), 0)

    def _delivered(self, seat: _Seat, move_id: str, now: float, seq: int) -> None:
        driver = self.driver
        sent = self.delivery.pop(move_id, None)
        if sent is None:
            return
        if sent >= driver.record_from:  # not a warm-up move
            driver.delivery_us.append(int((now - sent) * 1e6))
            driver.delivered += 1
            if self.relay and driver.playing:
                driver.window_moves += 1
        if driver.rate == 0:
            self._answer(seat, seq, now)
        else:
            self.settle()

    def _answer(self, seat: _Seat, seq: int, now: float) -> None:
        """Ping-pong: ``seat`` has the counterpart's move and plays the next one."""
        driver = self.driver
        if driver.playing and (driver.moves == 0 or self.made < driver.moves):
            self.offer(seat, now)
        elif self.relay or self.closing or not seq:
            self._finish()
        else:  # close the room: accept the offer that just arrived
            self.closing = True
            move_id, data = seat.frames.accept(seq)
            self.unacked[move_id] = time.perf_counter()
            seat.send(data)

    def settle(self) -> None:
        """Open model: once the window closed, a table is done when nothing is in flight."""
        if not self.driver.playing and not self.delivery and not self.unacked:
            self._finish()

    def on_disconnect(self) -> None:
        if not self.finished.done() and not self.driver.closing:
            self.driver.errors["disconnected"] += 1
            self.broken = True
        self._finish()

    def _finish(self) -> None:
        if not self.finished.done():
            self.finished.set_result(None)
            self.driver.table_done()


class Driver:
    """Plays one worker's rooms with picows seats: :meth:`connect`, :meth:`play`, :meth:`fill`."""

    def __init__(
        self,
        url: str,
        codec: str,
        issues: tuple[Issue, ...],
        *,
        nodes: tuple[str, ...] = (),
        relay: bool,
        moves: int,
        duration: float | None,
        rate: float,
        hold: float,
        warmup: float = 0.0,
        first_mover: str = "buyer",
        seed: int,
        keep_acks: bool,
        connect_concurrency: int = 200,
        first_index: int = 0,
        total_rooms: int = 1,
    ) -> None:
        self.url, self.issues, self.relay = url, issues, relay
        self.nodes = nodes
        self.codec: Codec = MSGPACK if codec == "msgpack" else JSON
        self.msg_type = WSMsgType.BINARY if self.codec.binary else WSMsgType.TEXT
        self.moves, self.duration, self.rate, self.hold = moves, duration, rate, hold
        self.warmup = warmup if hold == 0 else 0.0
        self.record_from = float("inf")
        """perf_counter time the measured window opens: earlier moves are a warm-up."""
        self.seed, self.keep_acks = seed, keep_acks
        self.first = 0 if first_mover == "buyer" else 1
        self.gate = asyncio.Semaphore(connect_concurrency)
        self.first_index, self.total_rooms = first_index, max(total_rooms, 1)
        self.playing = self.closing = False
        self.sent = self.acked = self.delivered = self.window_moves = self.scheduled = 0
        self.delivery_us, self.ack_us = array("q"), array("q")
        self.acks: list[tuple[str, str, int]] = []
        self.errors: Counter[str] = Counter()
        self.tables: list[_Table] = []
        self._open_tables = 0
        self._all_done: asyncio.Event = asyncio.Event()

    def table_done(self) -> None:
        self._open_tables -= 1
        if self._open_tables <= 0:
            self._all_done.set()

    def _packages(self, rng: random.Random) -> list[Terms]:
        return [
            {i.id: i.value_at(rng.randrange(i.size())) for i in self.issues}
            for _ in range(_PACKAGES)
        ]

    async def _seat(self, table: _Table, role: str, token: str, rng: random.Random) -> _Seat:
        frames = MoveFrames(self.codec, role[0], self._packages(rng))
        # Lean seats do not reconnect: with nodes, a seat stays on its first one.
        url = seat_url(self.nodes, self.url, table.room, 0 if role == "buyer" else 1)
        async with self.gate:
            _, seat = await ws_connect(
                lambda: _Seat(table, role, frames),
                url,
                extra_headers={"Sec-WebSocket-Protocol": self.codec.subprotocol},
                max_frame_size=1 << 24,
            )
            assert isinstance(seat, _Seat)
            if self.relay:  # the relay reads a JSON hello whatever the codec
                seat.send_text(json.dumps({"type": "hello", "token": token}).encode())
            else:
                seat.send(self.codec.encode(Hello(token=token)))
            await asyncio.wait_for(seat.welcomed, 30)
        return seat

    async def connect(self, rooms: list[tuple[str, str, str]]) -> None:
        """Open both seats of every room (room id, buyer token, seller token)."""

        async def open_room(index: int, room: str, buyer: str, seller: str) -> None:
            table = _Table(self, room, self.first_index + index)
            self.tables.append(table)
            rng = random.Random(f"{self.seed}:{room}")
            table.seats = [
                await self._seat(table, "buyer", buyer, rng),
                await self._seat(table, "seller", seller, rng),
            ]
            if self.relay:
                table.started.set_result(None)
            await asyncio.wait_for(table.started, 60)

        await asyncio.gather(*(open_room(n, *r) for n, r in enumerate(rooms)))

    async def play(self, go_at: float, stop: Callable[[], bool], report: Report) -> None:
        """Play every table from ``go_at`` (epoch seconds) and fill ``report``'s window."""
        loop = asyncio.get_running_loop()
        go = time.perf_counter() + max(0.0, go_at - time.time())
        # The seats are long-lived and a move makes no reference cycle: the
        # collector would only rescan them. Freeze them and pause it for the
        # window, before it starts (a full collection of thousands of seats
        # takes long enough to make the first scheduled moves late).
        gc.collect()
        gc.freeze()
        gc.disable()
        await _sleep_until(go)
        # uvloop rounds a timer to whole milliseconds and wakes up to half of
        # one early: the window opens when play does, or a first move sent
        # "before" it would be played but not counted.
        go = min(go, _now())
        self._open_tables = len(self.tables)
        # Fresh connections are slow on their first moves (measured: up to
        # 380 ms for the first move of each of 10,000 new relay connections,
        # a few ms after): ``warmup`` seconds of play before the window opens
        # keep that out of the figures. Warm-up moves are played like any
        # other but neither counted nor timed.
        self.record_from = go + self.warmup
        start: list[float] = []
        window: list[float] = []

        def open_window() -> None:
            start[:] = [time.process_time(), time.perf_counter(), runqueue_wait_s()]

        def close_window() -> None:
            if self.playing:
                self.playing = False
                if not start:
                    open_window()
                cpu0, wall0, wait0 = start
                window[:] = [
                    time.process_time() - cpu0,
                    time.perf_counter() - wall0,
                    runqueue_wait_s() - wait0,
                ]

        if self.warmup > 0:
            loop.call_at(loop.time() + self.warmup, open_window)
        else:
            open_window()

        try:
            self.playing = True
            if self.hold > 0:
                await self._wait_done(stop, self.hold, loop)
                close_window()
            elif self.rate > 0:
                await self._schedule(go, stop)
                close_window()
                for table in self.tables:
                    table.settle()
                await self._wait_done(stop, _DRAIN_S, loop)
            else:
                for table in self.tables:
                    table.offer(table.seats[self.first], time.perf_counter())
                limit = None if self.duration is None else self.warmup + self.duration
                await self._wait_done(stop, limit, loop)
                close_window()
                await self._wait_done(stop, _DRAIN_S, loop)
        finally:
            gc.enable()
        cpu_s, wall_s, wait_s = window
        report.seconds = wall_s
        report.tool_cpu = [WorkerCpu(cpu_s, wall_s, wait_s)]
        offset = time.time() - time.perf_counter()
        report.play_start = start[1] + offset
        report.play_end = start[1] + wall_s + offset

    async def _wait_done(
        self, stop: Callable[[], bool], limit: float | None, loop: asyncio.AbstractEventLoop
    ) -> None:
        """Until every table is done, ``limit`` seconds pass, or ``stop()``."""
        give_up = None if limit is None else loop.time() + limit
        while not self._all_done.is_set() and not stop():
            wait = 0.1 if give_up is None else min(0.1, give_up - loop.time())
            if wait <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._all_done.wait(), wait)

    async def _schedule(self, go: float, stop: Callable[[], bool]) -> None:
        """Open model: send every room's moves at their scheduled times until the window ends."""
        period = 1.0 / self.rate
        tables = self.tables
        # Rooms' phases spread evenly over one period (over all workers' rooms),
        # so the load is steady, not a burst each period.
        phase = [period * t.index / self.total_rooms for t in tables]
        order = sorted(range(len(tables)), key=phase.__getitem__)
        end = self.record_from + (self.duration or 0.0)
        tick = 0
        while not stop():
            base = go + tick * period
            for n in order:
                due = base + phase[n]
                if due >= end:
                    return
                delay = due - time.perf_counter()
                if delay > 0.001:
                    await asyncio.sleep(delay)
                table = tables[n]
                if table.finished.done():
                    continue  # its connection dropped
                if due >= self.record_from:
                    self.scheduled += 1
                # Seats alternate on the schedule, whatever came back: the move
                # leaves at ``due`` or late, and its latency counts from ``due``.
                table.offer(table.seats[tick % 2], due)
            tick += 1

    async def close(self) -> None:
        """Close every seat (a normal close, not counted as a disconnect)."""
        self.closing = True
        for table in self.tables:
            for seat in table.seats:
                if seat.transport is not None:
                    # picows's default close code is 0, which RFC 6455 reserves: the
                    # server would answer 1002 and treat the close as a protocol error.
                    seat.transport.send_close(WSCloseCode.OK)
                    seat.transport.disconnect()

    def fill(self, report: Report) -> list[tuple[str, str, int]]:
        """Counts and latencies into ``report``; the acked (room, move id, seq)."""
        for us in self.delivery_us:
            report.delivery_ms.record(us / 1000.0)
        for us in self.ack_us:
            report.ack_ms.record(us / 1000.0)
        report.moves_acked = self.delivered if self.relay else self.acked
        report.window_moves = self.window_moves
        report.moves_scheduled = self.scheduled
        report.moves_sent = self.sent
        report.moves_delivered = self.delivered
        report.errors.update(self.errors)
        for table in self.tables:
            if table.outcome is not None:
                report.rooms_completed += 1
                report.outcomes[table.outcome] += 1
            elif table.finished.done() and self.hold == 0 and not table.broken:
                report.rooms_completed += 1
                report.outcomes["relayed" if self.relay else "open"] += 1
        return self.acks


async def drive_rooms(
    plan: Plan,
    rooms: list[SeatTokens],
    progress: Callable[[int, int], None],
    stop: Callable[[], bool],
    go_at: Callable[[], float] | None,
    first_index: int,
    connected: Callable[[int], None],
) -> tuple[Report, list[tuple[str, str, int]]]:
    """Play ``rooms`` with a :class:`Driver` in one play window (see :func:`.loadgen.run_rooms`)."""
    report = Report(rooms=len(rooms))
    driver = Driver(
        plan.url,
        plan.codec,
        plan.issues,
        nodes=plan.nodes,
        relay=plan.relay,
        moves=plan.moves,
        duration=plan.duration,
        rate=plan.rate,
        hold=plan.hold,
        warmup=plan.warmup,
        first_mover=plan.first_mover,
        seed=plan.seed,
        keep_acks=plan.verify and not plan.relay,
        connect_concurrency=plan.connect_concurrency,
        first_index=first_index,
        total_rooms=plan.total_rooms,
    )
    acks: list[tuple[str, str, int]] = []
    try:
        connecting = asyncio.ensure_future(
            driver.connect([(r.room, r.buyer, r.seller) for r in rooms])
        )
        while not connecting.done():
            if stop():
                connecting.cancel()
            await asyncio.wait({connecting}, timeout=0.1)
        connecting.result()
        connected(len(rooms))  # the parent starts the window once every room is connected
        start = 0.0
        while go_at is not None and not stop() and not (start := go_at()):
            await asyncio.sleep(0.01)
        reporter = asyncio.create_task(_report_progress(driver, progress))
        await driver.play(start or time.time(), stop, report)
        reporter.cancel()
        acks = driver.fill(report)
        progress(0, report.rooms_completed)
    except asyncio.CancelledError:
        driver.fill(report)
    except (OSError, TimeoutError, ConnectionError) as exc:
        report.errors[f"{type(exc).__name__}: {exc}"[:80]] += 1
        driver.fill(report)
    finally:
        await driver.close()
    return report, acks


async def _report_progress(driver: Driver, progress: Callable[[int, int], None]) -> None:
    """Hand the moves done so far to the parent four times a second, not per move."""
    told = 0
    while True:
        await asyncio.sleep(0.25)
        done = driver.delivered if driver.relay else driver.acked
        progress(done - told, 0)
        told = done
