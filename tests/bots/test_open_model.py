"""The open model: moves leave on their schedule whatever the replies, timed from it."""

from __future__ import annotations

import asyncio
import io
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web
from rich.console import Console

from dealroom.bots.loadtest import LoadTest, run_load_test
from dealroom.server.errors import UserError
from tests.bots.relayapp import relay_app, serve
from tests.serverproc import TOKEN, Process

ROOT = Path(__file__).parents[2]
DELAY = 0.3


_sending: set[asyncio.Future[None]] = set()


def _send_later(peer: web.WebSocketResponse, data: str | bytes) -> None:
    """Forward after DELAY seconds without holding up the next frame (a slow server)."""

    def send() -> None:
        if not peer.closed:
            coro = peer.send_str(data) if isinstance(data, str) else peer.send_bytes(data)
            task = asyncio.ensure_future(coro)
            _sending.add(task)
            task.add_done_callback(_sending.discard)

    asyncio.get_running_loop().call_later(DELAY, send)


def _open_test(url: str, rooms: int, **kwargs: object) -> LoadTest:
    return LoadTest(
        url=url,
        token="",
        rooms=rooms,
        target="relay",
        codec="msgpack",
        duration=2.0,
        rate=2.0,
        lean=True,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_latency_counts_from_the_schedule_through_a_slow_relay() -> None:
    async for url in serve(relay_app(_send_later)):
        report = await run_load_test(_open_test(url, 10), Console(file=io.StringIO()))
    data = report.as_dict()
    # 2 s at 2 moves/s: every room's four moves are due inside the window,
    # all were sent and all arrived, each at least DELAY after it was due.
    assert data["moves_scheduled"] == data["moves_sent"] == 10 * 4
    assert data["moves_delivered"] == 40 and data["errors"] == {}
    assert data["delivery_ms"]["count"] == 40
    assert data["delivery_ms"]["p50"] >= DELAY * 1000
    assert data["settings"]["rate"] == 2.0


async def test_warm_up_moves_are_played_but_neither_counted_nor_timed() -> None:
    async for url in serve(relay_app(_send_later)):
        test = _open_test(url, 5, warmup=1.0)
        report = await run_load_test(test, Console(file=io.StringIO()))
    data = report.as_dict()
    # Two warm-up moves per room (due in the first second), then the window's four.
    assert data["moves_scheduled"] == data["moves_sent"] == data["moves_delivered"] == 5 * 4
    assert data["delivery_ms"]["count"] == 20 and data["delivery_ms"]["p50"] >= DELAY * 1000
    assert data["settings"]["warmup"] == 1.0


async def test_the_sender_keeps_its_schedule_when_nothing_comes_back() -> None:
    async for url in serve(relay_app(lambda peer, data: None)):
        report = await run_load_test(_open_test(url, 6), Console(file=io.StringIO()))
    data = report.as_dict()
    assert data["moves_scheduled"] == data["moves_sent"] == 6 * 4
    assert data["moves_delivered"] == 0 and data["delivery_ms"]["count"] == 0


async def test_the_bare_relay_delivers_every_scheduled_move() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    relay = subprocess.Popen(
        [sys.executable, "benchmarks/bare_relay.py", "--port", str(port)], cwd=ROOT
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        test = _open_test(f"http://127.0.0.1:{port}", 50, workers=2)
        report = await run_load_test(test, Console(file=io.StringIO()))
    finally:
        relay.terminate()
        relay.wait(10)
    data = report.as_dict()
    assert data["moves_scheduled"] == data["moves_sent"] == data["moves_delivered"] == 50 * 4
    assert data["delivery_ms"]["count"] == 200 and data["errors"] == {}
    assert len(data["tool_cpu"]["workers"]) == 2
    assert data["play_window"]["end"] > data["play_window"]["start"]


async def test_dealroom_acks_and_delivers_every_scheduled_offer(process: Process) -> None:
    await process.start()
    test = LoadTest(
        url=process.base,
        token=TOKEN,
        rooms=20,
        codec="msgpack",
        duration=2.0,
        rate=2.0,
        lean=True,
        workers=2,
    )
    report = await run_load_test(test, Console(file=io.StringIO()))
    data = report.as_dict()
    assert data["moves_scheduled"] == data["moves_sent"] == 20 * 4
    assert data["moves_delivered"] == data["moves_acked"] == 80 and data["errors"] == {}
    assert data["ack_ms"]["count"] == data["delivery_ms"]["count"] == 80
    assert data["verified_rooms"] == 20 and data["lost"] == 0 == data["duplicated"]
    assert data["outcomes"] == {"open": 20}


async def test_the_open_model_refuses_a_turn_taking_scenario(process: Process) -> None:
    await process.start()
    test = LoadTest(
        url=process.base,
        token=TOKEN,
        rooms=2,
        scenario="fleet-lease",
        duration=1.0,
        rate=1.0,
        lean=True,
    )
    with pytest.raises(UserError, match="free-turn scenario"):
        await run_load_test(test, Console(file=io.StringIO()))


async def test_the_open_model_needs_a_window_and_picows() -> None:
    for test in (
        LoadTest(url="http://127.0.0.1:9", token="", rate=1.0, lean=True),
        LoadTest(url="http://127.0.0.1:9", token="", rate=1.0, duration=1, client="aiohttp"),
    ):
        with pytest.raises(UserError, match="--duration"):
            await run_load_test(test, Console(file=io.StringIO()))
