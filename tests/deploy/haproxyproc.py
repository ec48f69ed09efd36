"""Debian's ``haproxy`` running ``deploy/haproxy.cfg`` itself, on free loopback ports.

The shipped file is started unchanged: the nodes' addresses, the ports and the
admin socket come from the environment variables the file reads. A missing
binary fails the test (never skips it): ``bash scripts/test`` installs the
``haproxy`` package where it is missing.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import pytest

from tests.serverproc import _free_port

__all__ = ["CONFIG", "HAProxy", "require_haproxy"]

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "haproxy.cfg"
BACKEND = "nodes"


def require_haproxy() -> str:
    """The ``haproxy`` binary; fail (never skip) when it is missing."""
    found = shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if os.access(p, os.X_OK)),
        None,
    )
    if found is None:
        pytest.fail(
            "haproxy not found: install Debian's haproxy package (bash scripts/test does)",
            pytrace=False,
        )
    return found


def config_env(nodes: Sequence[str], directory: Path, port: int, stats_port: int) -> dict[str, str]:
    """The environment ``deploy/haproxy.cfg`` reads, for nodes at ``HOST:PORT``."""
    env = {f"DEALROOM_NODE{n}": address for n, address in enumerate(nodes, start=1)}
    env["DEALROOM_LB_BIND"] = f"127.0.0.1:{port}"
    env["DEALROOM_LB_STATS_BIND"] = f"127.0.0.1:{stats_port}"
    env["DEALROOM_LB_ADMIN_SOCKET"] = str(directory / "admin.sock")
    return env


class HAProxy:
    """``haproxy -f deploy/haproxy.cfg`` in the foreground, until :meth:`stop`."""

    def __init__(self, directory: Path, nodes: Sequence[str]) -> None:
        self.directory = directory
        self.port = _free_port()
        self.stats_port = _free_port()
        self.env = config_env(nodes, directory, self.port, self.stats_port)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def logfile(self) -> Path:
        return self.directory / "haproxy.log"

    async def start(self, timeout: float = 20.0) -> None:
        """Start, then wait until every node is checked and UP."""
        binary = require_haproxy()
        self.directory.mkdir(parents=True, exist_ok=True)
        with self.logfile.open("ab") as log:
            self.proc = subprocess.Popen(
                [binary, "-db", "-f", str(CONFIG)],
                env={**os.environ, **self.env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"haproxy exited {self.proc.returncode}:\n{self.log_tail()}")
            try:
                servers = await self.servers()
                if servers and all(row["status"] == "UP" for row in servers.values()):
                    return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError(f"haproxy's nodes did not all come UP:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    async def stats(self) -> list[dict[str, str]]:
        """HAProxy's statistics (``/stats;csv`` of the stats frontend), one dict per row."""
        url = f"http://127.0.0.1:{self.stats_port}/stats;csv"
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as r:
            text = await r.text()
        return list(csv.DictReader(io.StringIO(text.removeprefix("# "))))

    async def servers(self) -> dict[str, dict[str, str]]:
        """The backend's servers by name (node1, node2, ...): status, scur, stot, ..."""
        return {
            row["svname"]: row
            for row in await self.stats()
            if row["pxname"] == BACKEND and row["svname"] not in ("FRONTEND", "BACKEND")
        }

    def admin(self, command: str) -> str:
        """One command on the runtime API (the admin socket the config declares)."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(self.env["DEALROOM_LB_ADMIN_SOCKET"])
            sock.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
