"""Benchmark dealroom beside a bare relay, in one run, on this machine.

    python benchmarks/run.py --out benchmarks/results/$(date +%F).jsonl [--quick]

For each measurement it starts a fresh server pinned to CPU 0 (dealroom on
SQLite with durable acks, then the bare aiohttp relay of benchmarks/bare_relay.py),
runs ``dealroom loadtest`` pinned to CPU 1 against it, and records the load
tool's JSON report, the server's CPU seconds and resident memory. Each line of
the output file is one run; a Markdown table of the runs goes to stdout.
Traffic stays on 127.0.0.1; every run is bounded by its own timeout.
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
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token"

MEASUREMENTS = {
    # name: (loadtest arguments, description)
    "tp100": (["--rooms", "100", "--duration", "10"], "throughput, 100 rooms, ping-pong"),
    "tp1000": (["--rooms", "1000", "--duration", "10"], "throughput, 1000 rooms, ping-pong"),
    "tp5000": (["--rooms", "5000", "--duration", "10"], "throughput, 5000 rooms, ping-pong"),
    "lat1000": (
        ["--rooms", "1000", "--duration", "10", "--think", "1"],
        "latency, 1000 rooms x 1 move/s",
    ),
    "lat5000": (
        ["--rooms", "5000", "--duration", "10", "--think", "1"],
        "latency, 5000 rooms x 1 move/s",
    ),
    "idle1000": (["--rooms", "1000", "--hold", "8"], "idle, 1000 rooms (2000 connections)"),
}
QUICK = {
    "tp100": (["--rooms", "100", "--duration", "3"], "throughput, 100 rooms (quick)"),
    "idle1000": (["--rooms", "200", "--hold", "3"], "idle, 200 rooms (quick)"),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pinned(cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu)] if shutil.which("taskset") and os.cpu_count() != 1 else []


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on port {port}")


def start_server(target: str, port: int, data: Path) -> subprocess.Popen[bytes]:
    if target == "relay":
        cmd = [sys.executable, str(ROOT / "benchmarks" / "bare_relay.py"), "--port", str(port)]
    else:
        cmd = [
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
            "--rate-limit",
            "0",
            "--quiet",
        ]
    proc = subprocess.Popen(
        [*pinned(0), *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_port(port)
    return proc


def run_one(name: str, target: str, args: list[str], codec: str) -> dict[str, object]:
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        server = start_server(target, port, Path(data))
        try:
            time.sleep(0.5)
            rss_before, cpu_before = rss_kib(server.pid), cpu_seconds(server.pid)
            report_file = Path(data) / "report.json"
            cmd = [
                *pinned(1),
                sys.executable,
                "-m",
                "dealroom.server.cli",
                "loadtest",
                "--url",
                f"http://127.0.0.1:{port}",
                "--token",
                TOKEN,
                "--target",
                target,
                "--codec",
                codec,
                "--json",
                str(report_file),
                "--timeout",
                "240",
                *args,
            ]
            started = time.monotonic()
            idle_rss = None
            gen = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if "--hold" in args:  # read the server's memory while every seat is connected
                hold = float(args[args.index("--hold") + 1])
                rooms = int(args[args.index("--rooms") + 1])
                time.sleep(min(hold * 0.8, 2 + rooms / 400))
                idle_rss = rss_kib(server.pid)
            _, err = gen.communicate(timeout=300)
            wall = time.monotonic() - started
            cpu = cpu_seconds(server.pid) - cpu_before
            report = json.loads(report_file.read_text()) if report_file.exists() else None
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
    record: dict[str, object] = {
        "measurement": name,
        "target": target,
        "codec": codec,
        "loadtest_args": args,
        "server_cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "report": report,
        "rss_before_kib": rss_before,
        "rss_idle_kib": idle_rss,
        "generator_exit": gen.returncode,
        "generator_stderr_tail": err.decode()[-400:],
    }
    if idle_rss is not None and report:
        connections = 2 * int(args[args.index("--rooms") + 1])
        record["kib_per_connection"] = round((idle_rss - rss_before) / connections, 1)
    if report and report.get("seconds"):
        busy = cpu / wall if wall else 0
        record["server_cpu_share"] = round(busy, 2)
    return record


def machine() -> dict[str, object]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    versions = {p: metadata.version(p) for p in ("aiohttp", "msgspec", "websockets", "dealroom")}
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
    }


def row(record: dict[str, object]) -> str:
    report = record.get("report") or {}
    assert isinstance(report, dict)
    d = report.get("delivery_ms") or {}
    mps = report.get("moves_per_second", 0)
    cpu = record["server_cpu_s"]
    per_cpu = round(report.get("moves_acked", 0) / cpu) if cpu else "-"
    mem = record.get("kib_per_connection", "-")
    return (
        f"| {record['measurement']} | {record['target']} | {mps:,} | {per_cpu} | "
        f"{record.get('server_cpu_share', '-')} | {d.get('p50')} | {d.get('p90')} | "
        f"{d.get('p99')} | {d.get('max')} | {mem} | {report.get('lost', '-')} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="JSON Lines file to append to")
    parser.add_argument("--only", help="comma-separated measurement names")
    parser.add_argument("--codec", default="msgpack", choices=("json", "msgpack"))
    parser.add_argument("--quick", action="store_true", help="two short runs (a smoke test)")
    args = parser.parse_args()
    plan = QUICK if args.quick else MEASUREMENTS
    names = args.only.split(",") if args.only else list(plan)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(f"machine: {json.dumps(info)}", file=sys.stderr)
    print(
        "| measurement | target | moves/s | moves per server CPU-s | server CPU share | "
        "p50 ms | p90 ms | p99 ms | max ms | KiB/conn | lost |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    with args.out.open("a", encoding="utf-8") as out:
        for name in names:
            loadtest_args, description = plan[name]
            for target in ("dealroom", "relay"):
                print(f"{name} ({description}) on {target} …", file=sys.stderr)
                record = run_one(name, target, loadtest_args, args.codec)
                record["machine"] = info
                record["description"] = description
                out.write(json.dumps(record) + "\n")
                out.flush()
                print(row(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
