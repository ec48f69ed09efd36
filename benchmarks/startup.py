"""Time ``dealroom serve``'s start-up on a data dir and read its memory once it serves.

    python benchmarks/startup.py DATA_DIR [DATA_DIR ...] [--runs 3] [--code DIR]

For each data dir (built by benchmarks/history.py), ``--runs`` times: start
``dealroom serve`` on a free loopback port, poll ``GET /healthz`` until it
answers 200, and record the time from the process's start to that answer and
the server's resident memory (VmRSS, then VmHWM, the peak) one second later.
Each server is stopped (SIGTERM) before the next starts. Prints one JSON line
per run and a Markdown table with each data dir's best time and median RSS.

``--code DIR`` runs another checkout's server instead (``git archive REV |
tar -x -C DIR``; its ``dealroom`` package goes first on PYTHONPATH), to
compare with a version before a change.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["main", "measure"]

_GIVE_UP_SECONDS = 120.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _dealroom() -> str:
    found = shutil.which("dealroom", path=str(Path(sys.executable).parent))
    return found or "dealroom"


def measure(data_dir: Path, code: Path | None = None) -> dict[str, object]:
    """One start of ``dealroom serve --data data_dir``: seconds to serving, RSS after."""
    port = _free_port()
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    serve = [sys.executable, "-m", "dealroom.server.cli"] if code is not None else [_dealroom()]
    command = [
        *serve,
        "serve",
        "--data",
        str(data_dir),
        "--port",
        str(port),
        "--facilitator-token",
        "startup-bench",
        "--quiet",
    ]
    began = time.monotonic()
    # With -m the working directory comes first on the path: run from the checkout.
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=code
    )
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited: {server.stderr.read().decode()}")  # type: ignore[union-attr]
            if time.monotonic() - began > _GIVE_UP_SECONDS:
                raise RuntimeError("the server did not serve in time")
            try:
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status == 200:
                        health = json.loads(answer.read())
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.01)
        serving = time.monotonic() - began
        time.sleep(1.0)
        rss, peak = _status_kib(server.pid, "VmRSS"), _status_kib(server.pid, "VmHWM")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return {
        "data_dir": str(data_dir),
        "db_bytes": (data_dir / "events.db").stat().st_size,
        "serving_s": round(serving, 3),
        "rss_kib": rss,
        "peak_kib": peak,
        "rooms_held": health.get("rooms"),
    }


def main(argv: list[str] | None = None) -> int:
    """The command line above."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dirs", type=Path, nargs="+")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--code", type=Path, help="another checkout's source tree to run")
    args = parser.parse_args(argv)
    results: dict[str, list[dict[str, object]]] = {}
    for run in range(args.runs):
        for data_dir in args.data_dirs:  # interleaved: machine noise hits every dir alike
            result = {"run": run + 1, **measure(data_dir, args.code)}
            print(json.dumps(result), flush=True)
            results.setdefault(str(data_dir), []).append(result)
    print(
        "\n| data dir | events.db MiB | serving s (best / median) | RSS MiB (median) | peak MiB |"
    )
    print("|---|---|---|---|---|")
    for data_dir, runs in results.items():
        times = [float(r["serving_s"]) for r in runs]  # type: ignore[arg-type]
        rss = statistics.median(int(r["rss_kib"]) for r in runs)  # type: ignore[call-overload]
        peak = statistics.median(int(r["peak_kib"]) for r in runs)  # type: ignore[call-overload]
        size = int(runs[0]["db_bytes"]) / 2**20  # type: ignore[call-overload]
        print(
            f"| {data_dir} | {size:,.0f} | {min(times):.2f} / {statistics.median(times):.2f} "
            f"| {rss / 1024:.1f} | {peak / 1024:.1f} |"
        )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
