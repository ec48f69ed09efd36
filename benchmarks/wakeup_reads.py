"""Log reads per move with three nodes on one Redis: what a move costs the nodes that hold its room.

    python benchmarks/wakeup_reads.py [--rooms 100] [--moves 20]

Starts a ``redis-server`` (no persistence) and three ``dealroom serve --redis``
nodes on loopback ports, then runs ``dealroom loadtest`` with the rooms
created through node C (the API node, as behind a load balancer) and each
room's buyer on node A and its seller on node B (``--node A --node B``).
Node C holds every room it created, with no client of it connected. Redis's
own ``INFO commandstats`` counts the reads (``LRANGE``: a catch-up, a
room's load or an attach) made while the load test runs; the figure is reads
per acknowledged move, set-up and attaches included.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

TOKEN = "bench-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


def command_calls(port: int) -> dict[str, int]:
    """Calls per command since Redis started (``INFO commandstats``)."""
    out = subprocess.run(
        ["redis-cli", "-p", str(port), "INFO", "commandstats"],
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    ).stdout
    calls: dict[str, int] = {}
    for line in out.splitlines():
        if line.startswith("cmdstat_"):
            name, _, fields = line.partition(":")
            stats = dict(field.split("=") for field in fields.split(","))
            calls[name.removeprefix("cmdstat_")] = int(stats["calls"])
    return calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--moves", type=int, default=20)
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        print("redis-server not found (Debian's redis-server package)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="wakeup-reads-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        redis_port = free_port()
        procs.append(
            subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                 "--dir", str(work), "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
        )  # fmt: skip
        time.sleep(0.3)
        url = f"redis://127.0.0.1:{redis_port}/0"
        bases = []
        for name in "abc":
            port = free_port()
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "dealroom.server.cli", "serve", "--port", str(port),
                     "--data", str(work / name), "--redis", url, "--facilitator-token", TOKEN,
                     "--quiet"],
                    stdout=subprocess.DEVNULL,
                    stderr=(work / f"{name}.log").open("wb"),
                )
            )  # fmt: skip
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            wait_http(base + "/healthz")
        before = command_calls(redis_port)
        run = subprocess.run(
            [sys.executable, "-m", "dealroom.server.cli", "loadtest", "--url", bases[2],
             "--node", bases[0], "--node", bases[1], "--token", TOKEN,
             "--rooms", str(args.rooms), "--moves", str(args.moves), "--think", "0.02",
             "--codec", "msgpack", "--no-verify", "--timeout", "300", "--json", "-"],
            capture_output=True,
            text=True,
            timeout=330,
            env={**os.environ, "NO_COLOR": "1"},
        )  # fmt: skip
        after = command_calls(redis_port)
        if run.returncode != 0:
            print(run.stdout[-3000:], run.stderr[-3000:], file=sys.stderr)
            return 1
        report: dict[str, Any] = json.loads(run.stdout[run.stdout.index("{") :])
        moves = int(report["moves_acked"])
        reads = after.get("lrange", 0) - before.get("lrange", 0)
        scripts = after.get("evalsha", 0) - before.get("evalsha", 0)
        print(
            json.dumps(
                {
                    "rooms": args.rooms,
                    "rooms_completed": report.get("rooms_completed"),
                    "moves_acked": moves,
                    "lrange": reads,
                    "lrange_per_move": round(reads / moves, 2) if moves else None,
                    "evalsha_per_move": round(scripts / moves, 2) if moves else None,
                }
            )
        )
        return 0
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
