"""Real ``redis-server`` processes on free loopback ports: one server, or a 3-master cluster.

Debian's ``redis-server`` package (``scripts/test`` installs it where missing).
Nothing here relies on a system service: each server runs in the foreground in
a directory of its own, with no RDB snapshots and no AOF unless a test asks,
and is stopped by whoever started it. A missing binary fails the test: a
Redis test skipped on CI would count as run without having run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

__all__ = ["RedisCluster", "RedisServer", "require_redis"]

_START_SECONDS = 20.0


def require_redis() -> None:
    """Fail (never skip) when the Redis binaries are missing."""
    missing = [name for name in ("redis-server", "redis-cli") if shutil.which(name) is None]
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} not found: install Debian's redis-server package "
            "(bash scripts/test does)",
            pytrace=False,
        )


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port(cluster_bus: bool = False) -> int:
    """A free loopback port; with ``cluster_bus``, one whose bus port (+10000) is free too."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if not cluster_bus:
            return port
        if port + 10000 < 65536 and _port_is_free(port + 10000):
            return port


class RedisServer:
    """One ``redis-server`` on 127.0.0.1, in ``directory``, until :meth:`stop`."""

    def __init__(self, directory: Path, *extra_args: str, cluster: bool = False) -> None:
        self.directory = directory
        self.extra_args = extra_args
        self.cluster = cluster
        self.port = _free_port(cluster_bus=cluster)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def logfile(self) -> Path:
        return self.directory / "redis.log"

    def client(self) -> redis.Redis:
        """A synchronous client for the test's own checks (not the code under test)."""
        return redis.Redis(port=self.port, socket_timeout=5, socket_connect_timeout=5)

    def start(self) -> None:
        """Start (or restart, on the same port and directory) and wait until PING answers."""
        require_redis()
        self.directory.mkdir(parents=True, exist_ok=True)
        args = [
            "redis-server",
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.directory),
            "--logfile", str(self.logfile),
            "--daemonize", "no",
            "--save", "",
            "--appendonly", "no",
        ]  # fmt: skip
        if self.cluster:
            args += [
                "--cluster-enabled", "yes",
                "--cluster-config-file", str(self.directory / "nodes.conf"),
                "--cluster-node-timeout", "2000",
            ]  # fmt: skip
        args += self.extra_args  # later flags win: a test may turn persistence on
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        self._wait_for_ping()

    def _wait_for_ping(self) -> None:
        deadline = time.monotonic() + _START_SECONDS
        with self.client() as client:
            while time.monotonic() < deadline:
                assert self.proc is not None
                if self.proc.poll() is not None:
                    break
                with contextlib.suppress(redis.ConnectionError, redis.BusyLoadingError):
                    if client.ping():
                        return
                time.sleep(0.02)
        raise RuntimeError(f"redis-server on port {self.port} did not start:\n{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def pause(self) -> None:
        """SIGSTOP: the port still accepts connections (the kernel's backlog), nothing answers."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL, as a crash would: no shutdown save."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)  # a stopped process dies only once resumed
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        """SIGTERM (a clean shutdown), SIGKILL if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGCONT)
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()


class RedisCluster:
    """``masters`` cluster-enabled servers (no replicas) joined by ``redis-cli --cluster``."""

    def __init__(self, directory: Path, masters: int = 3) -> None:
        self.nodes = [RedisServer(directory / f"node{n}", cluster=True) for n in range(masters)]

    @property
    def url(self) -> str:
        """Any one node: the client learns the others from it."""
        return f"redis+cluster://127.0.0.1:{self.nodes[0].port}"

    def start(self) -> None:
        try:
            for node in self.nodes:
                node.start()
            addresses = [f"127.0.0.1:{node.port}" for node in self.nodes]
            create = ["redis-cli", "--cluster", "create", *addresses]
            subprocess.run(
                [*create, "--cluster-replicas", "0", "--cluster-yes"],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=True,
                timeout=_START_SECONDS,
            )
            self._wait_for_ok()
        except BaseException:
            self.stop()
            raise

    def _wait_for_ok(self) -> None:
        """Every node says ``cluster_state:ok`` and knows every slot's owner."""
        deadline = time.monotonic() + _START_SECONDS
        for node in self.nodes:
            with node.client() as client:
                while True:
                    info = client.execute_command("CLUSTER", "INFO")
                    text = info.decode() if isinstance(info, bytes) else str(info)
                    if "cluster_state:ok" in text and "cluster_slots_assigned:16384" in text:
                        break
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"cluster not ok on port {node.port}:\n{text}")
                    time.sleep(0.05)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
