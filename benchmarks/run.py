"""Benchmark dealroom beside a bare relay, in one run, on this machine.

    python benchmarks/run.py --out benchmarks/results/$(date +%F).jsonl [--quick]

For each measurement it starts a fresh server pinned to CPU 0 (``dealroom
serve`` with its defaults: SQLite, durable acks, the default rate limit; then
the bare aiohttp relay of benchmarks/bare_relay.py), runs ``dealroom loadtest``
pinned to CPU 1 against it with picows seats, and records:

- the server's CPU seconds over the play window only (the load tool reports
  the window's start and end; a sampler reads /proc/PID/stat around it), so
  room creation, connection set-up and the log check cost nothing here;
- the load tool's JSON report (latency percentiles from HDR histograms, move
  counts, the tool's own CPU per worker and whether it was saturated);
- the server's resident memory per idle connection.

Each line of the output file is one record (one target, or the dealroom/relay
ratio of a measurement); a Markdown table goes to stdout. Traffic stays on
127.0.0.1; every run is bounded by its own timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token"


@dataclass(frozen=True)
class Measurement:
    """One measurement, run on each target with the same load tool arguments."""

    description: str
    args: list[str]
    kind: str  # throughput, open, idle


MEASUREMENTS = {
    "tp1000": Measurement(
        "1,000 rooms ping-pong of offers (closed model)",
        ["--rooms", "1000", "--duration", "10", "--warmup", "2", "--lean"],
        "throughput",
    ),
    "open5000": Measurement(
        "5,000 rooms x 1 offer/s (open model)",
        ["--rooms", "5000", "--duration", "15", "--warmup", "3", "--rate", "1"],
        "open",
    ),
    "idle1000": Measurement(
        "1,000 rooms idle (2,000 connections)",
        ["--rooms", "1000", "--hold", "6", "--lean"],
        "idle",
    ),
}
QUICK = {
    "tp100": Measurement(
        "100 rooms ping-pong (quick)",
        ["--rooms", "100", "--duration", "3", "--warmup", "1", "--lean"],
        "throughput",
    ),
    "open200": Measurement(
        "200 rooms x 2 offers/s (quick)",
        ["--rooms", "200", "--duration", "3", "--warmup", "1", "--rate", "2"],
        "open",
    ),
    "idle100": Measurement(
        "100 rooms idle (quick)", ["--rooms", "100", "--hold", "2", "--lean"], "idle"
    ),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pinned(cpu: int) -> list[str]:
    """taskset's prefix for ``cpu`` (none on a one-CPU machine or without util-linux)."""
    return ["taskset", "-c", str(cpu)] if shutil.which("taskset") and os.cpu_count() != 1 else []


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    """utime + stime of ``pid`` in seconds (fields 14 and 15 of /proc/PID/stat); of one
    of its threads only with ``thread`` (its main thread's id is ``pid``)."""
    path = f"/proc/{pid}/stat" if thread is None else f"/proc/{pid}/task/{thread}/stat"
    fields = Path(path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def runqueue_wait_s(pid: int) -> float:
    """Seconds ``pid``'s main thread waited for a CPU another process held (schedstat)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Sampler(threading.Thread):
    """Reads a process's CPU seconds and memory every few milliseconds.

    The load tool reports its play window afterwards; the server's CPU over
    exactly that window is then interpolated between the samples around it.
    """

    def __init__(self, pid: int, every: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, float, int, float, float]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                pid = self.pid
                self.samples.append(
                    (
                        time.time(),
                        cpu_seconds(pid),
                        rss_kib(pid),
                        runqueue_wait_s(pid),
                        cpu_seconds(pid, pid),  # the event loop's thread alone
                    )
                )
            except (OSError, IndexError, ValueError):
                return
            self.done.wait(self.every)

    def cpu_at(self, at: float, column: int = 1) -> float:
        """CPU seconds (column 3: run-queue wait, 4: the main thread's CPU) at ``at``
        (epoch), interpolated linearly."""
        before = max((s for s in self.samples if s[0] <= at), default=self.samples[0])
        after = min((s for s in self.samples if s[0] >= at), default=self.samples[-1])
        if after[0] == before[0]:
            return float(before[column])
        share = (at - before[0]) / (after[0] - before[0])
        return float(before[column] + share * (after[column] - before[column]))

    def rss_at(self, at: float) -> int:
        return min(self.samples, key=lambda s: abs(s[0] - at))[2]


def wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on port {port}")


def serve_command(port: int, data: Path, *extra: str) -> list[str]:
    """``dealroom serve`` as a user runs it: every default, only where to listen and store."""
    return [
        sys.executable,
        "-m",
        "dealroom.server.cli",
        "serve",
        "--port",
        str(port),
        "--data",
        str(data),
        "--facilitator-token",
        TOKEN,
        "--quiet",
        *extra,
    ]


def start_server(target: str, port: int, data: Path) -> subprocess.Popen[bytes]:
    if target == "relay":
        cmd = [sys.executable, str(ROOT / "benchmarks" / "bare_relay.py"), "--port", str(port)]
    elif target == "durable-relay":
        relay = str(ROOT / "benchmarks" / "durable_relay.py")
        cmd = [sys.executable, relay, "--port", str(port), "--data", str(data)]
    else:
        cmd = serve_command(port, data)
    proc = subprocess.Popen(
        [*pinned(0), *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_port(port)
    return proc


def run_one(name: str, target: str, measurement: Measurement, codec: str) -> dict[str, Any]:
    """Start ``target``, drive it, stop it: one record."""
    port = free_port()
    args = measurement.args
    with tempfile.TemporaryDirectory() as data:
        server = start_server(target, port, Path(data))
        sampler = Sampler(server.pid)
        try:
            time.sleep(0.5)
            rss_before = rss_kib(server.pid)
            sampler.start()
            report_file = Path(data) / "report.json"
            tool_target = "dealroom" if target == "dealroom" else "relay"  # the relays alike
            url = f"http://127.0.0.1:{port}"
            cmd = loadtest_command(url, tool_target, codec, report_file, args)
            gen = subprocess.run(cmd, capture_output=True, timeout=200)
            report = json.loads(report_file.read_text()) if report_file.exists() else None
            pauses = gc_pauses(f"http://127.0.0.1:{port}") if target == "dealroom" else None
        finally:
            sampler.done.set()
            sampler.join()
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
    record: dict[str, Any] = {
        "measurement": name,
        "description": measurement.description,
        "target": target,
        "codec": codec,
        "loadtest_args": args,
        "generator_exit": gen.returncode,
        "generator_stderr_tail": gen.stderr.decode()[-400:],
        "report": report,
    }
    window = (report or {}).get("play_window") or {}
    start, end = window.get("start"), window.get("end")
    if report and start and end and sampler.samples:
        cpu = sampler.cpu_at(end) - sampler.cpu_at(start)
        seconds = end - start
        moves = report.get("window_moves") or report.get("moves_acked") or 0
        record.update(
            window_s=round(seconds, 3),
            server_cpu_s=round(cpu, 3),
            server_cpu_share=round(cpu / seconds, 3) if seconds else None,
            moves_per_server_cpu_s=round(moves / cpu) if cpu > 0 and moves else None,
            # The main thread's wait for its core: another process, or (dealroom)
            # its own writer thread, held it.
            server_waited_for_cpu_s=round(sampler.cpu_at(end, 3) - sampler.cpu_at(start, 3), 3),
            # dealroom: the event loop's thread apart from the SQLite writer's (and any other)
            server_main_thread_cpu_s=round(sampler.cpu_at(end, 4) - sampler.cpu_at(start, 4), 3),
        )
        if pauses is not None:
            record["gc_pauses_whole_run"] = pauses
        traced = gc_in_window(server.pid, start, end)
        if traced is not None:
            record["gc_in_window"] = traced
        if measurement.kind == "idle":
            connections = 2 * int(args[args.index("--rooms") + 1])
            idle = sampler.rss_at((start + end) / 2)
            record.update(
                rss_before_kib=rss_before,
                rss_idle_kib=idle,
                kib_per_connection=round((idle - rss_before) / connections, 1),
            )
    return record


def gc_pauses(base: str) -> dict[str, dict[str, float]] | None:
    """The server's garbage-collection pauses since it started, per generation (from
    ``dealroom_gc_pause_seconds`` on /metrics): how many, their total, how many over 25 ms."""
    from prometheus_client.parser import text_string_to_metric_families

    try:
        with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
            text = response.read().decode()
    except OSError:
        return None
    found: dict[str, dict[str, float]] = {}
    for family in text_string_to_metric_families(text):
        if family.name != "dealroom_gc_pause_seconds":
            continue
        for sample in family.samples:
            figures = found.setdefault(f"gen{sample.labels['generation']}", {})
            if sample.name.endswith("_count"):
                figures["count"] = sample.value
            elif sample.name.endswith("_sum"):
                figures["total_ms"] = round(sample.value * 1e3, 1)
            elif sample.labels.get("le") == "0.025":
                figures["up_to_25ms"] = sample.value
    for figures in found.values():
        figures["over_25ms"] = figures.get("count", 0) - figures.pop("up_to_25ms", 0)
    return found


def gc_in_window(pid: int, start: float, end: float) -> dict[str, Any] | None:
    """The server's collections that ended inside the play window, from the trace that
    benchmarks/gc_trace/sitecustomize.py writes when ``DEALROOM_GC_TRACE_DIR`` is set."""
    folder = os.environ.get("DEALROOM_GC_TRACE_DIR")
    trace = Path(folder or ".") / f"gc.{pid}"
    if not folder or not trace.exists():
        return None
    pauses: dict[str, list[float]] = {}
    held: dict[str, int] = {}  # the most objects a collected generation held (if counted)
    for line in trace.read_text().splitlines():
        at, generation, ms, *objects = line.split()
        if start <= float(at) <= end:
            pauses.setdefault(f"gen{generation}", []).append(float(ms))
            if objects:
                held[f"gen{generation}"] = max(held.get(f"gen{generation}", 0), int(objects[0]))
    found: dict[str, Any] = {}
    for generation, lengths in sorted(pauses.items()):
        found[generation] = {"count": len(lengths), "total_ms": round(sum(lengths), 1)}
        found[generation]["max_ms"] = round(max(lengths), 1)
        if generation in held:
            found[generation]["max_objects"] = held[generation]
    return found


def ratio(
    name: str, dealroom: dict[str, Any], relay: dict[str, Any], target: str = "ratio"
) -> dict[str, Any]:
    """dealroom's moves per server CPU-second over the relay's, from the same run (or, as
    the target ``floor``, the durable relay's over the relay's)."""
    mine, theirs = dealroom.get("moves_per_server_cpu_s"), relay.get("moves_per_server_cpu_s")
    value = round(mine / theirs, 3) if mine and theirs else None
    return {"measurement": name, "target": target, "moves_per_server_cpu_s_ratio": value}


def machine() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    packages = ("aiohttp", "msgspec", "picows", "uvloop", "hdrhistogram", "dealroom")
    versions: dict[str, str | None] = {}
    for package in packages:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    rev = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": versions,
        "git": rev,
        "pinning": "server CPU 0, load tool CPU 1" if pinned(0) else "none",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


HEADER = (
    "| measurement | target | moves/s | moves per server CPU-s | server CPU | "
    "p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | delivered/scheduled | "
    "KiB/conn | tool CPU | errors |\n" + "|---" * 14 + "|"
)


def tool_cell(report: dict[str, Any]) -> str:
    """The load tool's CPU share for a table cell, flagged when it was the limit."""
    tool = report.get("tool_cpu") or {}
    share = tool.get("max_share")
    text = "-" if share is None else f"{share:.0%}"
    text += " SATURATED" if tool.get("saturated") else ""
    text += " (contended)" if tool.get("contended") else ""
    return text


def loadtest_command(
    url: str, target: str, codec: str, report: Path, args: list[str], nodes: Sequence[str] = ()
) -> list[str]:
    """``dealroom loadtest`` pinned to CPU 1, writing its JSON report to ``report``."""
    return [
        *pinned(1),
        sys.executable,
        "-m",
        "dealroom.server.cli",
        "loadtest",
        "--url",
        url,
        *[arg for node in nodes for arg in ("--node", node)],
        "--token",
        TOKEN,
        "--target",
        target,
        "--codec",
        codec,
        "--json",
        str(report),
        "--timeout",
        "150",
        *args,
    ]


def arguments(description: str, quick: str) -> argparse.ArgumentParser:
    """The options every benchmark script here takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, required=True, help="JSON Lines file to append to")
    parser.add_argument("--only", help="comma-separated measurement names")
    parser.add_argument("--codec", default="msgpack", choices=("json", "msgpack"))
    parser.add_argument("--quick", action="store_true", help=quick)
    return parser


def chosen(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    full: dict[str, Measurement],
    quick: dict[str, Measurement],
) -> tuple[dict[str, Measurement], list[str]]:
    """The plan (full or quick) and the measurement names ``--only`` picked from it."""
    plan = quick if args.quick else full
    names = args.only.split(",") if args.only else list(plan)
    unknown = [n for n in names if n not in plan]
    if unknown:
        parser.error(f"unknown measurement {', '.join(unknown)}: choose from {', '.join(plan)}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    return plan, names


RATIOS = {"ratio": "dealroom / relay", "floor": "durable-relay / relay"}


def row(record: dict[str, Any]) -> str:
    """One Markdown table row."""
    if record["target"] in RATIOS:
        value = record["moves_per_server_cpu_s_ratio"]
        of = RATIOS[record["target"]]
        return f"| {record['measurement']} | {of} | | **{value}** |" + " |" * 10
    report = record.get("report") or {}
    d = report.get("delivery_ms") or {}
    tool_text = tool_cell(report)
    waited = record.get("server_waited_for_cpu_s") or 0.0
    # schedstat is the main thread's: dealroom's own SQLite writer thread on
    # the same core makes it wait too. Only a wait while the server did not
    # fill its core means another process had it.
    contended = (
        waited > 0.1 * (record.get("window_s") or 1.0)
        and (record.get("server_cpu_share") or 0.0) < 0.9
    )
    scheduled = report.get("moves_scheduled")
    delivered = f"{report.get('moves_delivered')}/{scheduled}" if scheduled else "-"
    server_share = record.get("server_cpu_share")
    main_cpu, window = record.get("server_main_thread_cpu_s"), record.get("window_s")
    loop = f" (loop {main_cpu / window:.0%})" if main_cpu and window else ""
    return (
        f"| {record['measurement']} | {record['target']} | "
        f"{report.get('moves_per_second', 0):,} | {record.get('moves_per_server_cpu_s') or '-'} | "
        f"{'-' if server_share is None else f'{server_share:.0%}'}{loop}"
        f"{' (contended)' if contended else ''} | {d.get('p50')} | "
        f"{d.get('p90')} | {d.get('p99')} | {d.get('p99_9')} | {d.get('max')} | {delivered} | "
        f"{record.get('kib_per_connection', '-')} | {tool_text} | "
        f"{json.dumps(report.get('errors') or {})} |"
    )


def main() -> int:
    parser = arguments(__doc__.split("\n\n")[0], "three short runs (~30 s smoke)")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also drive benchmarks/durable_relay.py in the throughput measurements: the "
        "relay plus a durable group commit and a second write per move, the most a server "
        "with durable acks can reach beside the bare relay",
    )
    args = parser.parse_args()
    plan, names = chosen(parser, args, MEASUREMENTS, QUICK)
    info = machine()
    print(f"machine: {json.dumps(info)}", file=sys.stderr)
    print(HEADER)
    with args.out.open("a", encoding="utf-8") as out:
        for name in names:
            measurement = plan[name]
            records = {}
            targets = ["dealroom", "relay"]
            if args.floor and measurement.kind == "throughput":
                targets.append("durable-relay")
            for target in targets:
                print(f"{name} ({measurement.description}) on {target} …", file=sys.stderr)
                records[target] = run_one(name, target, measurement, args.codec)
            if measurement.kind == "throughput":
                records["ratio"] = ratio(name, records["dealroom"], records["relay"])
            if "durable-relay" in records:
                floor = ratio(name, records["durable-relay"], records["relay"], "floor")
                records["floor"] = floor
            for record in records.values():
                record["machine"] = info
                out.write(json.dumps(record) + "\n")
                out.flush()
                print(row(record), flush=True)
                if record.get("gc_in_window"):
                    print(f"  collections in the window: {record['gc_in_window']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
