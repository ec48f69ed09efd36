"""`dealroom loadtest` against a real server process: report, SLOs, restart mid-run."""

from __future__ import annotations

import asyncio
import io
import json
import pickle
import time
from pathlib import Path

import pytest
from aiohttp import web
from rich.console import Console

from dealroom.bots import drive
from dealroom.bots.latency import Latencies
from dealroom.bots.loadgen import Plan, SeatTokens
from dealroom.bots.loadtest import LoadTest, playable_issues, print_report, run_load_test
from dealroom.bots.report import Report, WorkerCpu, parse_slo
from dealroom.server.cli import main as cli
from dealroom.server.scenarios import builtin_scenarios
from tests.bots.relayapp import relay_app, serve
from tests.serverproc import TOKEN, Process


def test_latency_percentiles_from_the_hdr_histogram() -> None:
    latencies = Latencies()
    for n in range(1, 1001):
        latencies.record(n / 10)  # 0.1 ms .. 100 ms
    # Three significant digits: each percentile within 0.1 % of the nearest-rank sample.
    expected = {"p50": 50.0, "p90": 90.0, "p99": 99.0, "p99_9": 99.9, "max": 100.0, "count": 1000}
    assert latencies.summary() == pytest.approx(expected, rel=1e-3)
    assert Latencies().summary()["p99_9"] is None


def test_workers_histograms_merge_exactly_not_by_averaging() -> None:
    # One fast worker and one slow one: the merged p99 is the p99 of all
    # samples (a slow one), where averaging the two workers' p99 would not be.
    fast, slow, everything = Latencies(), Latencies(), Latencies()
    for n in range(990):
        fast.record(1 + n / 1000)
        everything.record(1 + n / 1000)
    for n in range(10):
        slow.record(500 + n)
        everything.record(500 + n)
    workers = [pickle.loads(pickle.dumps(w)) for w in (fast, slow)]  # as they reach the parent
    merged = Report()
    for latencies in workers:
        merged.merge(Report(delivery_ms=latencies))
    assert merged.delivery_ms.summary() == everything.summary()
    assert merged.delivery_ms.summary()["p99"] == pytest.approx(1.989, rel=1e-3)
    assert merged.delivery_ms.count == 1000
    assert Latencies.decode(slow.encode()).summary() == slow.summary()


def test_the_report_shows_the_load_tools_cpu_and_flags_saturation() -> None:
    report = Report(moves_acked=3000, seconds=2.0)
    report.merge(Report(tool_cpu=[WorkerCpu(cpu_s=0.5, wall_s=2.0)]))
    assert report.as_dict()["tool_cpu"] == {
        "workers": [{"cpu_s": 0.5, "wall_s": 2.0, "share": 0.25, "waited_for_cpu_s": 0.0}],
        "max_share": 0.25,
        "moves_per_cpu_s": 6000,
        "saturated": False,
        "contended": False,
    }
    out = io.StringIO()
    print_report(report, Console(file=out, width=200))
    assert "SATURATED" not in out.getvalue() and "CONTENDED" not in out.getvalue()
    # A second worker near a whole core, and one that waited for its CPU.
    report.merge(Report(tool_cpu=[WorkerCpu(cpu_s=1.9, wall_s=2.0, wait_s=0.6)]))
    assert report.as_dict()["tool_cpu"]["saturated"] is True
    assert report.as_dict()["tool_cpu"]["contended"] is True
    print_report(report, Console(file=out, width=200))
    assert "25%, 95% of a core per worker" in out.getvalue()
    assert "LOAD TOOL SATURATED" in out.getvalue() and "CPU CONTENDED" in out.getvalue()


def test_slo_parsing() -> None:
    slos = parse_slo("delivery_p99_ms<=25, lost==0,moves_per_second>=10")
    assert [(s.metric, s.op, s.limit) for s in slos] == [
        ("delivery_ms.p99", "<=", 25.0),
        ("lost", "==", 0.0),
        ("moves_per_second", ">=", 10.0),
    ]
    report = {"delivery_ms": {"p99": 30.0}, "lost": 0, "moves_per_second": 5}
    assert [s.check(report)[0] for s in slos] == [False, True, False]


async def test_loadtest_completes_rooms_with_nothing_lost(process: Process, tmp_path: Path) -> None:
    await process.start()
    test = LoadTest(
        url=process.base, token=TOKEN, rooms=30, moves=10, codec="msgpack", observers=1, workers=2
    )
    report = await run_load_test(test, Console(file=io.StringIO()))
    data = report.as_dict()
    assert data["rooms_completed"] == 30 and data["outcomes"] == {"agreed": 30}
    assert data["moves_acked"] == 30 * 11
    assert data["delivery_ms"]["count"] == 30 * 10
    assert data["ack_ms"]["p99"] is not None and data["ack_ms"]["p99"] >= data["ack_ms"]["p50"]
    assert data["verified_rooms"] == 30 and data["lost"] == 0 and data["duplicated"] == 0
    assert data["errors"] == {}


def test_cli_writes_json_and_fails_an_unmet_slo(process: Process, tmp_path: Path) -> None:
    asyncio.run(process.start())
    out = tmp_path / "report.json"
    args = [
        "loadtest",
        "--url",
        process.base,
        "--token",
        TOKEN,
        "--rooms",
        "5",
        "--moves",
        "4",
        "--json",
        str(out),
    ]
    assert cli([*args, "--slo", "lost==0,rooms_completed>=5"]) == 0
    assert json.loads(out.read_text())["rooms_completed"] == 5
    assert cli([*args, "--slo", "delivery_p50_ms<=0"]) == 1
    assert cli([*args, "--slo", "nonsense"]) == 2


async def test_bots_resume_and_finish_when_the_server_restarts(
    process: Process, tmp_path: Path
) -> None:
    await process.start()
    test = LoadTest(url=process.base, token=TOKEN, rooms=20, moves=40, think=0.05)
    run = asyncio.create_task(run_load_test(test, Console(file=io.StringIO())))
    await asyncio.sleep(1.5)
    process.kill()  # SIGKILL in the middle of the negotiations
    await asyncio.sleep(0.5)
    await process.start()
    report = await asyncio.wait_for(run, 120)
    data = report.as_dict()
    assert data["reconnects"] >= 40  # every client came back
    assert data["rooms_completed"] == 20
    assert data["moves_acked"] == 20 * 41
    assert data["lost"] == 0 and data["duplicated"] == 0


async def test_the_same_load_drives_the_bare_relay_baseline(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    relay = subprocess.Popen(
        [sys.executable, "benchmarks/bare_relay.py", "--port", str(port)],
        cwd=Path(__file__).parents[2],
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        test = LoadTest(
            url=f"http://127.0.0.1:{port}",
            token="",
            rooms=10,
            moves=10,
            target="relay",
            codec="msgpack",
        )
        report = await run_load_test(test, Console(file=io.StringIO()))
    finally:
        relay.terminate()
        relay.wait(10)
    data = report.as_dict()
    assert data["moves_acked"] == 100 and data["delivery_ms"]["count"] == 100
    assert data["outcomes"] == {"relayed": 10} and data["errors"] == {}


async def test_a_thousand_concurrent_rooms_complete_with_nothing_lost(process: Process) -> None:
    await process.start()
    test = LoadTest(url=process.base, token=TOKEN, rooms=1000, moves=4, codec="msgpack")
    report = await run_load_test(test, Console(file=io.StringIO()))
    data = report.as_dict()
    assert data["rooms_completed"] == 1000 and data["outcomes"] == {"agreed": 1000}
    assert data["moves_acked"] == 1000 * 5
    assert data["verified_rooms"] == 1000 and data["lost"] == 0 and data["duplicated"] == 0
    for name in ("delivery_ms", "ack_ms"):
        assert all(data[name][p] is not None for p in ("p50", "p90", "p99", "max"))


@pytest.mark.parametrize("client", ["picows", "aiohttp"])
async def test_lean_seats_play_the_same_load(process: Process, client: str) -> None:
    await process.start()
    test = LoadTest(
        url=process.base,
        token=TOKEN,
        rooms=50,
        moves=6,
        lean=True,
        codec="json",
        client=client,
        workers=2,
    )
    report = await run_load_test(test, Console(file=io.StringIO()))
    data = report.as_dict()
    seen = {k: data[k] for k in ("rooms_completed", "moves_acked", "errors", "outcomes")}
    assert data["rooms_completed"] == 50 and data["moves_acked"] == 50 * 7, seen
    assert data["outcomes"] == {"agreed": 50}
    assert data["delivery_ms"]["count"] == 50 * 6 and data["lost"] == 0 == data["duplicated"]
    assert data["settings"]["event_loop"] == ("uvloop" if client == "picows" else "asyncio")
    # Each worker reports its own CPU over its play window.
    assert len(data["tool_cpu"]["workers"]) == 2
    assert all(w["cpu_s"] > 0 and w["wall_s"] > 0 for w in data["tool_cpu"]["workers"])
    assert data["play_window"]["end"] > data["play_window"]["start"]


async def test_a_play_window_that_wakes_early_still_counts_every_move(
    process: Process, monkeypatch: pytest.MonkeyPatch
) -> None:
    # uvloop rounds timers to whole milliseconds and wakes up to half of one
    # early; a first move sent then, "before" the window, was played but not
    # counted (349 of 350 acks now and then). Here the start always wakes early.
    async def early(when: float) -> None:
        await asyncio.sleep(max(0.0, when - time.perf_counter() - 0.002))

    monkeypatch.setattr(drive, "_sleep_until", early)
    await process.start()
    workshop = await process.api(
        "POST", "/api/workshops", {"scenario": "equipment-purchase", "rooms": 5}
    )
    rooms = [
        SeatTokens(
            r["id"], *(r["seats"][role]["token"] for role in ("buyer", "seller", "observer"))
        )
        for r in workshop["rooms"]
    ]
    plan = Plan(
        url=process.ws_url,
        issues=playable_issues(builtin_scenarios()["equipment-purchase"]),
        moves=4,
    )
    go = time.time() + 0.05
    report, acks = await drive.drive_rooms(
        plan, rooms, lambda *_: None, lambda: False, lambda: go, 0, lambda _: None
    )
    assert report.errors == {} and report.moves_acked == 5 * 5 == len(acks), report.as_dict()
    assert report.outcomes == {"agreed": 5}


async def test_lean_ping_pong_keeps_a_turn_taking_scenarios_turns(process: Process) -> None:
    await process.start()
    test = LoadTest(
        url=process.base,
        token=TOKEN,
        rooms=10,
        moves=6,
        lean=True,
        scenario="fleet-lease",
        codec="msgpack",
    )
    report = await run_load_test(test, Console(file=io.StringIO()))
    data = report.as_dict()
    assert data["errors"] == {} and data["outcomes"] == {"agreed": 10}
    assert data["moves_acked"] == 10 * 7 and data["lost"] == 0 == data["duplicated"]


def test_the_load_tool_plays_inside_every_authority_limit() -> None:
    scenario = builtin_scenarios()["equipment-purchase"]
    issues = playable_issues(scenario)
    price = next(i for i in issues if i.id == "price")
    assert (price.min, price.max, price.step) == (840000, 920000, 10000)
    assert [i.id for i in issues] == [i.id for i in scenario.issues]
    for issue in issues:
        for rank in range(issue.size()):
            assert scenario.issue(issue.id).check(issue.value_at(rank)) is None


async def test_lean_seats_close_with_a_normal_closure_code() -> None:
    """picows's own default close code (0) is reserved: the server would see a protocol error."""
    closes: list[int | None] = []

    def forward(peer: web.WebSocketResponse, data: str | bytes) -> None:
        assert isinstance(data, bytes)
        task = asyncio.ensure_future(peer.send_bytes(data))
        sending.add(task)
        task.add_done_callback(sending.discard)

    sending: set[asyncio.Future[None]] = set()
    async for url in serve(relay_app(forward, closes.append)):
        test = LoadTest(
            url=url, token="", rooms=3, moves=4, target="relay", codec="msgpack", lean=True
        )
        report = await run_load_test(test, Console(file=io.StringIO()))
        for _ in range(100):
            if len(closes) == 6:
                break
            await asyncio.sleep(0.02)
    assert report.as_dict()["errors"] == {}
    assert closes == [1000] * 6
