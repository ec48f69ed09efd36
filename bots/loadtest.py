"""``dealroom loadtest``: N rooms of bot pairs against a server, then a report.

The rooms are created through the facilitator API, played by one or more
worker processes (:mod:`.loadgen`), and checked afterwards against the server's
own logs: every acknowledged move must be in its room's log exactly once, at
the acknowledged seq (``lost`` and ``duplicated`` in the report). Bounded in
count and time: it stops by itself. Ctrl-C (or ``--timeout``) stops the rooms
where they are and still reports what was measured so far.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import multiprocessing
import multiprocessing.sharedctypes
import resource
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
import msgspec
from rich.console import Console
from rich.live import Live
from rich.table import Table

from dealroom.protocol import Issue, Scenario
from dealroom.server.errors import UserError

from .loadgen import Plan, SeatTokens, run_rooms
from .reach import FacilitatorApi, FacilitatorToken, run_against
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
    """Lean seats (peek-only decoding, moves encoded ahead, no reconnect): a cheaper load tool."""
    client: str = "picows"
    """The lean seats' WebSocket library: ``picows`` (fastest) or ``aiohttp`` (the fallback)."""
    rate: float = 0.0
    """Open model: moves per second per room on a fixed schedule, whatever the replies."""
    warmup: float = 0.0
    """Lean seats: seconds of play before the measured window (fresh connections are slow)."""
    nodes: tuple[str, ...] = ()
    """Nodes' base URLs: seat each room's buyer and seller on two of them (full seats)."""
    token_source: str = "--token"
    """Where ``token`` came from, named if the server refuses it."""


_T = TypeVar("_T")
_STOP_GRACE = 10.0
"""Seconds the workers get to hand in their partial reports once told to stop."""


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


async def _create_rooms(api: FacilitatorApi, test: LoadTest) -> list[SeatTokens]:
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
    return seats


def _relay_seats(test: LoadTest) -> tuple[Scenario, list[SeatTokens]]:
    """The bare relay has no API: seat tokens only need a room part to pair seats."""
    from dealroom.server.scenarios import builtin_scenarios

    builtins = builtin_scenarios()
    if test.scenario not in builtins:
        names = ", ".join(sorted(builtins))
        raise UserError(
            f"the relay plays built-in scenarios only, not {test.scenario!r}: "
            f"choose one of {names} (--scenario)"
        )
    scenario = builtins[test.scenario]
    return scenario, [
        SeatTokens(f"r{n}", f"r{n}.buyer.x", f"r{n}.seller.x", f"r{n}.observer.x")
        for n in range(test.rooms)
    ]


def _worker_main(
    plan: Plan,
    rooms: list[SeatTokens],
    first_index: int,
    moves: multiprocessing.sharedctypes.Synchronized,  # type: ignore[type-arg]
    done: multiprocessing.sharedctypes.Synchronized,  # type: ignore[type-arg]
    connected: multiprocessing.sharedctypes.Synchronized,  # type: ignore[type-arg]
    go_at: multiprocessing.sharedctypes.Synchronized,  # type: ignore[type-arg]
    results: multiprocessing.Queue,  # type: ignore[type-arg]
    stop: Any,  # a multiprocessing Event: hand in the partial report now
) -> None:
    # Ctrl-C in a terminal reaches the whole process group: the parent alone
    # decides, and tells the workers through ``stop``, so none dies mid-report.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise_open_files_limit()

    def progress(m: int, d: int) -> None:
        if m:
            with moves.get_lock():
                moves.value += m
        if d:
            with done.get_lock():
                done.value += d

    def ready(n: int) -> None:
        with connected.get_lock():
            connected.value += n

    def start() -> float:
        return float(go_at.value)

    play = run_rooms(plan, rooms, progress, stop.is_set, start, first_index, ready)
    with asyncio.Runner(loop_factory=_loop_factory(plan)) as runner:
        results.put(runner.run(play))


def _loop_factory(plan: Plan) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop for the picows seats where it is installed; asyncio's own loop otherwise.

    Measured against the bare relay, 1,000 rooms ping-pong on one core: 35,000
    to 36,000 moves per tool CPU-second on uvloop, 30,000 to 32,500 on asyncio's
    loop (the tool's time is mostly system calls and the loop's own turns).
    """
    if event_loop(plan) != "uvloop":
        return None
    import uvloop

    return uvloop.new_event_loop


def event_loop(plan: Plan) -> str:
    """The event loop a worker runs ``plan`` on: ``uvloop`` or ``asyncio``."""
    fast = plan.rate > 0 or (plan.lean and plan.client == "picows")
    return "uvloop" if fast and importlib.util.find_spec("uvloop") is not None else "asyncio"


async def _unless_stopped(work: Coroutine[Any, Any, _T], stop: asyncio.Event) -> _T | None:
    """``work``'s result, or None if ``stop`` is set first (``work`` is then cancelled)."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    return task.result() if not task.cancelled() else None


async def _verify(api: FacilitatorApi, acked: list[tuple[str, str, int]], report: Report) -> None:
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


async def run_load_test(
    test: LoadTest, console: Console | None = None, stop: asyncio.Event | None = None
) -> Report:
    """Create the rooms, play them with ``test.workers`` processes, verify, report.

    Setting ``stop`` ends the run early: the rooms stop where they are and the
    report holds what was measured so far, with ``interrupted`` set.
    """
    if test.rate > 0 and (not test.duration or test.client != "picows"):
        raise UserError(
            "--rate plays an open model for a fixed window: give --duration, with picows seats"
        )
    console = console or Console(stderr=True)
    stop = stop or asyncio.Event()
    raise_open_files_limit()
    base = test.url.rstrip("/")
    ws_url = base.replace("http", "ws", 1) + "/ws"
    report = Report()
    report.settings = _settings(test, test.workers)
    async with aiohttp.ClientSession() as session:
        api = FacilitatorApi(session, base, FacilitatorToken(test.token, test.token_source))
        if test.target == "relay":
            scenario, seats = _relay_seats(test)
            # The relay has no API to ask first: reach it once, so that a wrong --url is one line.
            async with session.get(base + "/"):
                pass
        else:
            # Asked first, so that a wrong --url, token or scenario is the only line.
            scenario = msgspec.convert(await api.scenario(test.scenario), Scenario)
            console.print(f"creating {test.rooms} rooms on {test.scenario} …")
            created = await _unless_stopped(_create_rooms(api, test), stop)
            if created is None:
                report.interrupted = True
                return report
            seats = created
        rules = scenario.rules
        if test.rate > 0 and test.target == "dealroom" and rules.turns != "free":
            raise UserError(
                f"--rate sends moves on a schedule whatever the replies, which the turn-taking "
                f"rules of {test.scenario!r} would refuse: choose a free-turn scenario "
                "(e.g. --scenario equipment-purchase)"
            )
        first = rules.first_mover if rules.turns == "alternating" else "buyer"
        if test.nodes and test.target == "relay":
            raise UserError("--node spreads seats over dealroom nodes, not over the relay")
        plan = Plan(
            url=ws_url,
            nodes=tuple(node.rstrip("/").replace("http", "ws", 1) + "/ws" for node in test.nodes),
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
            client=test.client,
            rate=test.rate,
            warmup=test.warmup,
            verify=test.verify,
            total_rooms=len(seats),
        )
        acked: list[tuple[str, str, int]] = []
        workers = max(1, min(test.workers, len(seats)))
        report.settings = _settings(test, workers) | {"event_loop": event_loop(plan)}
        context = multiprocessing.get_context("spawn")
        moves, done = context.Value("q", 0), context.Value("q", 0)
        connected, go_at = context.Value("q", 0), context.Value("d", 0.0)
        stop_workers = context.Event()
        results: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
        # Contiguous slices: a worker's rooms keep their places in the open
        # model's schedule, spread over all rooms.
        bounds = [len(seats) * i // workers for i in range(workers + 1)]
        processes = [
            context.Process(
                target=_worker_main,
                args=(
                    plan,
                    seats[bounds[i] : bounds[i + 1]],
                    bounds[i],
                    moves,
                    done,
                    connected,
                    go_at,
                    results,
                    stop_workers,
                ),
                daemon=True,
            )
            for i in range(workers)
        ]
        gathered_rooms = 0
        started = time.monotonic()
        _start_ignoring_sigint(processes)
        gathered = 0
        give_up = float("inf")
        with Live(
            _progress_table(test, 0, 0, started),
            console=console,
            refresh_per_second=4,
            transient=not console.is_terminal,
        ) as live:
            while gathered < workers and time.monotonic() < give_up:
                if not go_at.value and connected.value + gathered_rooms >= len(seats):
                    # Every seat is connected: one play window for all workers,
                    # a moment from now so that each sees it before it starts.
                    go_at.value = time.time() + 0.2
                if not stop_workers.is_set():
                    if stop.is_set():
                        report.interrupted = True
                    elif time.monotonic() - started > test.timeout:
                        report.errors["loadtest timeout"] += 1
                    if report.interrupted or report.errors["loadtest timeout"]:
                        # Stop the rooms where they are; keep what they measured.
                        stop_workers.set()
                        give_up = time.monotonic() + _STOP_GRACE
                try:
                    worker_report, worker_acked = await asyncio.to_thread(results.get, True, 0.25)
                except Exception:  # queue.Empty: nothing yet
                    live.update(_progress_table(test, moves.value, done.value, started))
                    continue
                report.merge(worker_report)
                acked += worker_acked
                gathered += 1
                gathered_rooms += worker_report.rooms
            live.update(_progress_table(test, moves.value, done.value, started))
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
        if test.verify and test.target == "dealroom" and not test.hold and not stop.is_set():
            console.print(
                f"verifying {len({a[0] for a in acked})} rooms against the server's log …"
            )
            await _unless_stopped(_verify(api, acked, report), stop)
            report.interrupted |= stop.is_set()
    return report


def _start_ignoring_sigint(processes: Sequence[multiprocessing.process.BaseProcess]) -> None:
    """Start ``processes`` with Ctrl-C ignored from their first instruction.

    A spawned worker needs a moment to import before it can ignore SIGINT
    itself; it inherits an ignored signal instead, so a Ctrl-C in that moment
    prints no traceback from a half-started worker.
    """
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        for process in processes:
            process.start()
    finally:
        signal.signal(signal.SIGINT, previous)


def _settings(test: LoadTest, workers: int) -> dict[str, Any]:
    return {
        "url": test.url,
        "nodes": list(test.nodes),
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
        "client": test.client if test.lean or test.rate else "full",
        "rate": test.rate,
        "warmup": test.warmup,
    }


def print_report(report: Report, console: Console) -> None:
    """The human-readable summary."""
    data = report.as_dict()
    title = "dealroom loadtest" + (" (interrupted: partial)" if report.interrupted else "")
    table = Table(title=title, show_header=False)
    table.add_row(
        "rooms", f"{data['rooms_completed']}/{data['rooms']} completed {dict(report.outcomes)}"
    )
    table.add_row(
        "moves acked",
        f"{data['moves_acked']}; {data['moves_per_second']:,} moves/s "
        f"over a {data['seconds']} s play window",
    )
    if report.moves_scheduled:
        table.add_row(
            "open model",
            f"scheduled {data['moves_scheduled']}, sent {data['moves_sent']}, "
            f"delivered {data['moves_delivered']}, acked {data['moves_acked']}",
        )
    since = "scheduled send" if report.moves_scheduled else "send"
    for name in ("delivery_ms", "ack_ms"):
        p = data[name]
        table.add_row(
            name.replace("_ms", f" latency from {since} (ms)"),
            f"p50 {p['p50']}  p90 {p['p90']}  p99 {p['p99']}  p99.9 {p['p99_9']}  "
            f"max {p['max']}  (n={p['count']})",
        )
    cpu = data["tool_cpu"]
    shares = ", ".join(f"{w['share']:.0%}" for w in cpu["workers"]) or "-"
    table.add_row(
        "load tool CPU",
        f"{shares} of a core per worker; {cpu['moves_per_cpu_s'] or '-'} moves per tool CPU-s"
        + ("  LOAD TOOL SATURATED: the figures are its limit" if cpu["saturated"] else ""),
    )
    if cpu["contended"]:
        waited = ", ".join(f"{w['waited_for_cpu_s']} s" for w in cpu["workers"])
        table.add_row(
            "CPU CONTENDED",
            f"the workers waited {waited} for a CPU that another process held: "
            "the latencies include that wait",
        )
    table.add_row("errors", json.dumps(data["errors"]) if data["errors"] else "none")
    table.add_row("reconnects", str(data["reconnects"]))
    table.add_row(
        "log check",
        f"{data['verified_rooms']} rooms: lost {data['lost']}, duplicated {data['duplicated']}"
        if data["verified_rooms"] or not report.interrupted
        else "skipped (interrupted)",
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


async def _run_until_interrupted(test: LoadTest, console: Console) -> Report:
    """Run the load test; the first Ctrl-C stops it early with a partial report.

    A second Ctrl-C goes back to asyncio's own handling: it quits at once.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:  # started with Ctrl-C ignored (nohup, `&`): keep it so
        return await run_load_test(test, console, stop)

    def interrupted() -> None:
        console.print("interrupted: stopping the rooms for a partial report (Ctrl-C again: quit)")
        stop.set()
        loop.remove_signal_handler(signal.SIGINT)
        signal.signal(signal.SIGINT, previous)

    loop.add_signal_handler(signal.SIGINT, interrupted)
    try:
        return await run_load_test(test, console, stop)
    finally:
        if loop.remove_signal_handler(signal.SIGINT):
            signal.signal(signal.SIGINT, previous)


def main(test: LoadTest, json_out: str | None, slo_text: str | None) -> int:
    """Run, print, write ``--json``; exit 1 if an SLO is not met, 130 if interrupted."""
    console = Console(stderr=True)
    try:
        slos = parse_slo(slo_text) if slo_text else []
    except ValueError as exc:
        raise UserError(f"--slo: {exc}") from exc
    report = run_against(test.url, _run_until_interrupted(test, console))
    print_report(report, console)
    if json_out:
        text = json.dumps(report.as_dict(), indent=2)
        if json_out == "-":
            sys.stdout.write(text + "\n")
        else:
            try:
                with open(json_out, "w", encoding="utf-8") as handle:
                    handle.write(text + "\n")
            except OSError as exc:
                raise UserError(
                    f"cannot write the report to {json_out} ({exc.strerror}): "
                    "choose another --json (the report above is complete)"
                ) from exc
    if report.interrupted:
        return 130
    failed = report.lost > 0 or report.duplicated > 0
    return 1 if (slos and not check_slos(report, slos, console)) or failed else 0
