"""``dealroom loadtest``: N rooms of bot pairs against a server, then a report.

The rooms are created through the facilitator API, played by one or more
worker processes (:mod:`.loadgen`), and checked afterwards against the server's
own logs: every acknowledged move must be in its room's log exactly once, at
the acknowledged seq (``lost`` and ``duplicated`` in the report). Bounded in
count and time: it stops by itself.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import multiprocessing.sharedctypes
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import aiohttp
import msgspec
from rich.console import Console
from rich.live import Live
from rich.table import Table

from dealroom.protocol import Issue, Scenario

from .loadgen import Plan, SeatTokens, run_rooms
from .report import Report, Slo, parse_slo

__all__ = ["LoadTest", "raise_open_files_limit", "run_load_test"]


def raise_open_files_limit() -> int:
    """Lift the soft limit on open files to the hard one (thousands of sockets)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@dataclass(frozen=True, slots=True)
class LoadTest:
    """A load test's settings (the CLI flags)."""

    url: str
    token: str
    rooms: int = 100
    scenario: str = "equipment-purchase"
    codec: str = "json"
    moves: int = 20
    duration: float | None = None
    think: float = 0.0
    observers: int = 0
    workers: int = 1
    verify: bool = True
    timeout: float = 600.0
    seed: int = 1
    target: str = "dealroom"
    """``dealroom``, or ``relay`` for the bare relay baseline (benchmarks/bare_relay.py)."""
    hold: float = 0.0
    """Idle mode: connect every seat and hold it this many seconds, making no move."""
    lean: bool = False
    """Lean seats (aiohttp, peek-only decoding, no reconnect): a cheaper load tool."""


class _Api:
    def __init__(self, session: aiohttp.ClientSession, base: str, token: str) -> None:
        self.session = session
        self.base = base.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, body: object = None) -> Any:
        async with self.session.request(
            method, self.base + path, json=body, headers=self.headers
        ) as response:
            answer = await response.json()
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: {response.status} {answer}")
            return answer


def playable_issues(scenario: Scenario) -> tuple[Issue, ...]:
    """The issues narrowed to what both roles may sign without sign-off.

    The load tool offers random packages and closes with an accept; inside every
    authority limit none of them waits for a facilitator's approval.
    """
    narrowed = []
    for issue in scenario.issues:
        lo, hi = 0, issue.size() - 1
        for side in scenario.roles.values():
            limit = side.authority.get(issue.id)
            if limit is None:
                continue
            if side.prefers[issue.id] == "down":
                hi = min(hi, issue.rank(limit))
            else:
                lo = max(lo, issue.rank(limit))
        if (lo, hi) == (0, issue.size() - 1) or lo > hi:
            narrowed.append(issue)
        elif issue.kind == "options":
            narrowed.append(msgspec.structs.replace(issue, options=issue.options[lo : hi + 1]))
        else:
            low, high = issue.value_at(lo), issue.value_at(hi)
            narrowed.append(msgspec.structs.replace(issue, min=low, max=high))
    return tuple(narrowed)


async def _create_rooms(api: _Api, test: LoadTest) -> tuple[Scenario, list[SeatTokens]]:
    scenario = msgspec.convert(await api.call("GET", f"/api/scenarios/{test.scenario}"), Scenario)
    seats: list[SeatTokens] = []
    while len(seats) < test.rooms:
        batch = min(500, test.rooms - len(seats))
        workshop = await api.call(
            "POST",
            "/api/workshops",
            {"scenario": test.scenario, "rooms": batch, "title": "loadtest"},
        )
        for room in workshop["rooms"]:
            s = room["seats"]
            seats.append(
                SeatTokens(
                    room["id"], s["buyer"]["token"], s["seller"]["token"], s["observer"]["token"]
                )
            )
    return scenario, seats


def _relay_seats(test: LoadTest) -> tuple[Scenario, list[SeatTokens]]:
    """The bare relay has no API: seat tokens only need a room part to pair seats."""
    from dealroom.server.scenarios import builtin_scenarios

    scenario = builtin_scenarios()[test.scenario]
    return scenario, [
        SeatTokens(f"r{n}", f"r{n}.buyer.x", f"r{n}.seller.x", f"r{n}.observer.x")
        for n in range(test.rooms)
    ]


def _worker_main(
    plan: Plan,
    rooms: list[SeatTokens],
    moves: multiprocessing.sharedctypes.Synchronized,  # type: ignore[type-arg]
    done: multiprocessing.sharedctypes.Synchronized,  # type: ignore[type-arg]
    results: multiprocessing.Queue,  # type: ignore[type-arg]
) -> None:
    raise_open_files_limit()

    def progress(m: int, d: int) -> None:
        if m:
            with moves.get_lock():
                moves.value += m
        if d:
            with done.get_lock():
                done.value += d

    results.put(asyncio.run(run_rooms(plan, rooms, progress)))


async def _verify(api: _Api, acked: list[tuple[str, str, int]], report: Report) -> None:
    """Every ack must match one event of its room's log, and no move id may repeat."""
    by_room: dict[str, list[tuple[str, int]]] = {}
    for room, move_id, seq in acked:
        by_room.setdefault(room, []).append((move_id, seq))
    gate = asyncio.Semaphore(20)

    async def check(room: str, moves: list[tuple[str, int]]) -> None:
        async with gate:
            detail = await api.call("GET", f"/api/rooms/{room}")
        logged: Counter[tuple[str, str]] = Counter()
        seq_of: dict[tuple[str, str], int] = {}
        for event in detail["events"]:
            if event.get("move") and event["by"] in ("buyer", "seller"):
                key = (event["by"], event["move"])
                logged[key] += 1
                seq_of[key] = event["seq"]
        report.duplicated += sum(n - 1 for n in logged.values() if n > 1)
        by_move = {move_id: seq for (_, move_id), seq in seq_of.items()}
        for move_id, seq in moves:
            if by_move.get(move_id) != seq:
                report.lost += 1
        report.verified_rooms += 1

    await asyncio.gather(*(check(room, moves) for room, moves in by_room.items()))


def _progress_table(test: LoadTest, moves: int, done: int, started: float) -> Table:
    elapsed = max(time.monotonic() - started, 1e-9)
    table = Table.grid(padding=(0, 2))
    table.add_row("rooms finished", f"{done}/{test.rooms}")
    table.add_row("moves acked", f"{moves}")
    table.add_row("moves/s (since start)", f"{moves / elapsed:,.0f}")
    table.add_row("elapsed", f"{elapsed:,.1f} s")
    return table


async def run_load_test(test: LoadTest, console: Console | None = None) -> Report:
    """Create the rooms, play them with ``test.workers`` processes, verify, report."""
    console = console or Console(stderr=True)
    raise_open_files_limit()
    base = test.url.rstrip("/")
    ws_url = base.replace("http", "ws", 1) + "/ws"
    async with aiohttp.ClientSession() as session:
        api = _Api(session, base, test.token)
        if test.target == "relay":
            scenario, seats = _relay_seats(test)
        else:
            console.print(f"creating {test.rooms} rooms on {test.scenario} …")
            scenario, seats = await _create_rooms(api, test)
        rules = scenario.rules
        first = rules.first_mover if rules.turns == "alternating" else "buyer"
        plan = Plan(
            url=ws_url,
            issues=playable_issues(scenario),
            first_mover=first if first != "either" else "buyer",
            codec=test.codec,
            moves=test.moves,
            duration=test.duration,
            think=test.think,
            observers=test.observers,
            seed=test.seed,
            relay=test.target == "relay",
            hold=test.hold,
            lean=test.lean,
        )
        report = Report()
        acked: list[tuple[str, str, int]] = []
        workers = max(1, min(test.workers, len(seats)))
        context = multiprocessing.get_context("spawn")
        moves, done = context.Value("q", 0), context.Value("q", 0)
        results: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
        slices = [seats[i::workers] for i in range(workers)]
        processes = [
            context.Process(
                target=_worker_main, args=(plan, part, moves, done, results), daemon=True
            )
            for part in slices
        ]
        started = time.monotonic()
        for process in processes:
            process.start()
        gathered = 0
        with Live(
            _progress_table(test, 0, 0, started),
            console=console,
            refresh_per_second=4,
            transient=not console.is_terminal,
        ) as live:
            while gathered < workers:
                if time.monotonic() - started > test.timeout:
                    report.errors["loadtest timeout"] += 1
                    break
                try:
                    worker_report, worker_acked = await asyncio.to_thread(results.get, True, 0.25)
                except Exception:  # queue.Empty: nothing yet
                    live.update(_progress_table(test, moves.value, done.value, started))
                    continue
                report.merge(worker_report)
                acked += worker_acked
                gathered += 1
            live.update(_progress_table(test, moves.value, done.value, started))
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
        if test.verify and test.target == "dealroom" and not test.hold:
            console.print(
                f"verifying {len({a[0] for a in acked})} rooms against the server's log …"
            )
            await _verify(api, acked, report)
    report.settings = {
        "url": test.url,
        "rooms": test.rooms,
        "scenario": test.scenario,
        "codec": test.codec,
        "moves": test.moves,
        "duration": test.duration,
        "think": test.think,
        "observers": test.observers,
        "workers": workers,
        "target": test.target,
        "hold": test.hold,
        "lean": test.lean,
    }
    return report


def print_report(report: Report, console: Console) -> None:
    """The human-readable summary."""
    data = report.as_dict()
    table = Table(title="dealroom loadtest", show_header=False)
    table.add_row(
        "rooms", f"{data['rooms_completed']}/{data['rooms']} completed {dict(report.outcomes)}"
    )
    table.add_row(
        "moves acked",
        f"{data['moves_acked']} in {data['seconds']} s = {data['moves_per_second']:,} moves/s",
    )
    for name in ("delivery_ms", "ack_ms"):
        p = data[name]
        table.add_row(
            name.replace("_ms", " latency (ms)"),
            f"p50 {p['p50']}  p90 {p['p90']}  p99 {p['p99']}  max {p['max']}  (n={p['count']})",
        )
    table.add_row("errors", json.dumps(data["errors"]) if data["errors"] else "none")
    table.add_row("reconnects", str(data["reconnects"]))
    table.add_row(
        "log check",
        f"{data['verified_rooms']} rooms: lost {data['lost']}, duplicated {data['duplicated']}",
    )
    console.print(table)


def check_slos(report: Report, slos: list[Slo], console: Console) -> bool:
    """Print each threshold's verdict; True when all hold."""
    data = report.as_dict()
    ok = True
    for slo in slos:
        met, value = slo.check(data)
        ok &= met
        console.print(
            f"SLO {slo.metric} {slo.op} {slo.limit:g}: {value} -> {'met' if met else 'NOT MET'}"
        )
    return ok


def main(test: LoadTest, json_out: str | None, slo_text: str | None) -> int:
    """Run, print, write ``--json``, and exit non-zero if an SLO is not met."""
    console = Console(stderr=True)
    try:
        slos = parse_slo(slo_text) if slo_text else []
    except ValueError as exc:
        console.print(f"error: {exc}")
        return 2
    report = asyncio.run(run_load_test(test, console))
    print_report(report, console)
    if json_out:
        text = json.dumps(report.as_dict(), indent=2)
        if json_out == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(json_out, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
    failed = report.lost > 0 or report.duplicated > 0
    return 1 if (slos and not check_slos(report, slos, console)) or failed else 0
