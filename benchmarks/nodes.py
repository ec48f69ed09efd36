"""One node on SQLite beside one, two and three nodes on Redis, and the bare relay, in one run.

    python benchmarks/nodes.py --out benchmarks/results/$(date +%F)-nodes.jsonl [--quick]

Each setup is started fresh with its defaults (``dealroom serve``, durable
acks; on Redis: ``appendonly yes``, ``appendfsync always``, the setting that
keeps an acked move through a Redis crash, as SQLite's fsynced group commit
does): every server process, the nodes and their ``redis-server``, pinned
together to CPU 0, and ``dealroom loadtest`` pinned to CPU 1 with lean picows
seats, each room's buyer on one node and its seller on the next
(``--node``), so every move crosses nodes through Redis. For each it records
the load tool's report and the CPU seconds of every server process over the
play window only, and from them the moves per server CPU-second (nodes and
Redis together, and the nodes alone). Same ratio as benchmarks/run.py: over
the bare relay's, measured in the same run.

Traffic stays on 127.0.0.1; every run is bounded by its own timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # benchmarks/ is a folder of scripts, not a package


@dataclass(frozen=True)
class Setup:
    name: str
    store: str  # sqlite, redis, relay
    nodes: int


SETUPS = [
    Setup("sqlite x1", "sqlite", 1),
    Setup("redis x1", "redis", 1),
    Setup("redis x2", "redis", 2),
    Setup("redis x3", "redis", 3),
    Setup("relay", "relay", 1),
]
MEASUREMENTS = {
    "tp1000": bench.Measurement(
        "1,000 rooms ping-pong of offers (closed model)",
        ["--rooms", "1000", "--duration", "10", "--warmup", "2", "--lean"],
        "throughput",
    ),
    "open1000": bench.Measurement(
        "1,000 rooms x 1 offer/s (open model)",
        ["--rooms", "1000", "--duration", "15", "--warmup", "3", "--rate", "1"],
        "open",
    ),
}
QUICK = {
    "tp100": bench.Measurement(
        "100 rooms ping-pong (quick)",
        ["--rooms", "100", "--duration", "3", "--warmup", "1", "--lean"],
        "throughput",
    ),
    "open200": bench.Measurement(
        "200 rooms x 2 offers/s (quick)",
        ["--rooms", "200", "--duration", "3", "--warmup", "1", "--rate", "2"],
        "open",
    ),
}


def _start(cmd: list[str], port: int, log: Path | None = None) -> subprocess.Popen[bytes]:
    with open(log or os.devnull, "wb") as err:  # the child keeps its own descriptor
        proc = subprocess.Popen([*bench.pinned(0), *cmd], stdout=subprocess.DEVNULL, stderr=err)
    bench.wait_port(port)
    return proc


def _log_tails(data: Path, lines: int = 20) -> dict[str, str]:
    """The last lines of each node's log (kept in the record when the run had errors)."""
    return {
        path.stem: "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        for path in sorted(data.glob("node*.log"))
    }


def _start_setup(
    setup: Setup, data: Path
) -> tuple[list[int], int | None, list[subprocess.Popen[bytes]]]:
    """The setup's processes (Redis first, where there is one), the nodes' ports, Redis's."""
    procs: list[subprocess.Popen[bytes]] = []
    if setup.store == "relay":
        port = bench.free_port()
        procs.append(bench.start_server("relay", port, data))
        return [port], None, procs
    store: list[str] = []
    redis_port = None
    if setup.store == "redis":
        redis_port = bench.free_port()
        redis_dir = data / "redis"
        redis_dir.mkdir()
        procs.append(
            _start(
                [
                    "redis-server",
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    str(redis_dir),
                    "--appendonly",
                    "yes",
                    "--appendfsync",
                    "always",
                    "--save",
                    "",
                ],
                redis_port,
            )
        )
        store = ["--redis", f"redis://127.0.0.1:{redis_port}/0"]
    ports = []
    for n in range(setup.nodes):
        port = bench.free_port()
        ports.append(port)
        cmd = bench.serve_command(port, data / f"node{n}", *store)
        procs.append(_start(cmd, port, data / f"node{n}.log"))
    return ports, redis_port, procs


def _moves_applied(ports: list[int]) -> float:
    """Moves the nodes applied so far (their ``dealroom_moves_total``, summed)."""
    total = 0.0
    for port in ports:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            text = r.read().decode()
        for family in text_string_to_metric_families(text):
            if family.name == "dealroom_moves":
                total += sum(s.value for s in family.samples if s.name == "dealroom_moves_total")
    return total


def _redis_info(port: int) -> dict[str, Any]:
    """Redis's own counters: commands by name, bytes in and out, memory used."""
    client = redis.Redis(port=port)
    try:
        stats = client.info("stats")
        commands = client.info("commandstats")
        memory = client.info("memory")
    finally:
        client.close()
    return {
        "commands": {k.removeprefix("cmdstat_"): v["calls"] for k, v in commands.items()},
        "bytes_in": stats["total_net_input_bytes"],
        "bytes_out": stats["total_net_output_bytes"],
        "used_memory": memory["used_memory"],
    }


def _per_move(before: dict[str, Any], after: dict[str, Any], moves: float) -> dict[str, Any]:
    """What Redis did per move applied, over the whole load test (joins, rooms created
    and the log check included: what a move costs all in)."""
    commands = {
        name: round((calls - before["commands"].get(name, 0)) / moves, 3)
        for name, calls in sorted(after["commands"].items())
        if calls > before["commands"].get(name, 0)
    }
    return {
        "moves": moves,
        "redis_commands_per_move": commands,
        "redis_bytes_in_per_move": round((after["bytes_in"] - before["bytes_in"]) / moves),
        "redis_bytes_out_per_move": round((after["bytes_out"] - before["bytes_out"]) / moves),
        "redis_memory_bytes": after["used_memory"] - before["used_memory"],
    }


def run_one(setup: Setup, name: str, measurement: bench.Measurement, codec: str) -> dict[str, Any]:
    """Start ``setup``, drive it, stop it: one record."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        ports, redis_port, procs = _start_setup(setup, data)
        samplers = [bench.Sampler(proc.pid) for proc in procs]
        redis_use: dict[str, Any] = {}
        try:
            time.sleep(0.5)
            if redis_port is not None:
                info_before, moves_before = _redis_info(redis_port), _moves_applied(ports)
            for sampler in samplers:
                sampler.start()
            report_file = data / "report.json"
            urls = [f"http://127.0.0.1:{port}" for port in ports]
            cmd = bench.loadtest_command(
                urls[0],
                "relay" if setup.store == "relay" else "dealroom",
                codec,
                report_file,
                measurement.args,
                urls if len(urls) > 1 else [],
            )
            gen = subprocess.run(cmd, capture_output=True, timeout=200)
            report = json.loads(report_file.read_text()) if report_file.exists() else None
            if gen.returncode or not report or report.get("errors"):
                redis_use["node_log_tails"] = _log_tails(data)
            if redis_port is not None:
                applied = _moves_applied(ports) - moves_before
                if applied > 0:
                    redis_use |= _per_move(info_before, _redis_info(redis_port), applied)
        finally:
            for sampler in samplers:
                sampler.done.set()
                sampler.join()
            for proc in reversed(procs):  # the nodes, then Redis
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
    record: dict[str, Any] = {
        "measurement": name,
        "description": measurement.description,
        "setup": setup.name,
        "target": setup.name,
        "codec": codec,
        "loadtest_args": measurement.args,
        "generator_exit": gen.returncode,
        "generator_stderr_tail": gen.stderr.decode()[-400:],
        "report": report,
        **redis_use,
    }
    window = (report or {}).get("play_window") or {}
    start, end = window.get("start"), window.get("end")
    if report and start and end and all(s.samples for s in samplers):
        seconds = end - start
        cpus = [s.cpu_at(end) - s.cpu_at(start) for s in samplers]
        redis_cpu = cpus[0] if setup.store == "redis" else 0.0
        nodes_cpu = sum(cpus) - redis_cpu
        total = sum(cpus)
        moves = report.get("window_moves") or report.get("moves_acked") or 0
        if setup.store == "redis" and moves:
            record["redis_cpu_us_per_move"] = round(redis_cpu / moves * 1e6, 1)
        record.update(
            window_s=round(seconds, 3),
            server_cpu_s=round(total, 3),
            server_cpu_share=round(total / seconds, 3) if seconds else None,
            nodes_cpu_s=[round(c, 3) for c in (cpus[1:] if setup.store == "redis" else cpus)],
            redis_cpu_s=round(redis_cpu, 3) if setup.store == "redis" else None,
            moves_per_server_cpu_s=round(moves / total) if total > 0 and moves else None,
            moves_per_node_cpu_s=round(moves / nodes_cpu) if nodes_cpu > 0 and moves else None,
        )
    return record


HEADER = (
    "| measurement | setup | moves/s | moves per server CPU-s (nodes + Redis) | "
    "moves per node CPU-s | x relay | server CPU | Redis CPU | p50 ms | p99 ms | max ms | "
    "delivered/scheduled | tool CPU | errors |\n" + "|---" * 14 + "|"
)


def row(record: dict[str, Any], relay: dict[str, Any] | None) -> str:
    report = record.get("report") or {}
    d = report.get("delivery_ms") or {}
    tool_text = bench.tool_cell(report)
    mine = record.get("moves_per_server_cpu_s")
    theirs = (relay or {}).get("moves_per_server_cpu_s")
    versus = f"{mine / theirs:.3f}" if mine and theirs and record is not relay else "-"
    seconds = record.get("window_s") or 0
    redis = record.get("redis_cpu_s")
    redis_text = "-" if redis is None or not seconds else f"{redis / seconds:.0%}"
    server_share = record.get("server_cpu_share")
    scheduled = report.get("moves_scheduled")
    delivered = f"{report.get('moves_delivered')}/{scheduled}" if scheduled else "-"
    return (
        f"| {record['measurement']} | {record['setup']} | "
        f"{report.get('moves_per_second', 0):,} | {mine or '-'} | "
        f"{record.get('moves_per_node_cpu_s') or '-'} | {versus} | "
        f"{'-' if server_share is None else f'{server_share:.0%}'} | {redis_text} | "
        f"{d.get('p50')} | {d.get('p99')} | {d.get('max')} | {delivered} | {tool_text} | "
        f"{json.dumps(report.get('errors') or {})} |"
    )


def main() -> int:
    parser = bench.arguments(__doc__.split("\n\n")[0], "short runs (a smoke test)")
    parser.add_argument(
        "--setups",
        help="comma-separated setups (default: all): " + ", ".join(s.name for s in SETUPS),
    )
    args = parser.parse_args()
    plan, names = bench.chosen(parser, args, MEASUREMENTS, QUICK)
    setups = SETUPS
    if args.setups:
        wanted = args.setups.split(",")
        setups = [s for s in SETUPS if s.name in wanted]
        if len(setups) != len(wanted):
            parser.error(f"unknown setup in {args.setups!r}")
    info = bench.machine()
    info["pinning"] = "every server process CPU 0, load tool CPU 1" if bench.pinned(0) else "none"
    info["redis"] = subprocess.run(
        ["redis-server", "--version"], capture_output=True, text=True
    ).stdout.strip()
    print(f"machine: {json.dumps(info)}", file=sys.stderr)
    print(HEADER)
    with args.out.open("a", encoding="utf-8") as out:
        for name in names:
            measurement = plan[name]
            records = []
            for setup in setups:
                print(f"{name} ({measurement.description}) on {setup.name} …", file=sys.stderr)
                records.append(run_one(setup, name, measurement, args.codec))
            relay = next((r for r in records if r["setup"] == "relay"), None)
            for record in records:
                record["machine"] = info
                out.write(json.dumps(record) + "\n")
                out.flush()
                print(row(record, relay), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
