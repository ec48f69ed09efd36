"""A `dealroom serve` subprocess on a free loopback port, for restart and kill tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

TOKEN = "process-test-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Process:
    def __init__(self, data: Path, *extra_args: str) -> None:
        self.data = data
        self.extra_args = extra_args
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _log_file(self) -> Any:
        self.data.parent.mkdir(parents=True, exist_ok=True)
        return (self.data.parent / "server.log").open("ab")

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    async def api(self, method: str, path: str, body: object = None) -> Any:
        """A facilitator API call; the decoded JSON answer."""
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with (
            aiohttp.ClientSession() as session,
            session.request(method, self.base + path, json=body, headers=headers) as r,
        ):
            return await r.json()

    async def metric(self, name: str) -> dict[tuple[tuple[str, str], ...], float]:
        """One family of this server's ``/metrics``: each sample's value by its labels
        (a counter's ``_total`` sample under the family's name; no ``_created``)."""
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
            session.get(self.base + "/metrics") as r,
        ):
            assert r.status == 200
            text = await r.text()
        return {
            tuple(sorted(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text)
            if family.name == name
            for sample in family.samples
            if sample.name in (name, name + "_total")
        }

    async def start(self) -> None:
        log = self._log_file()  # the child keeps its own copy of the descriptor
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dealroom.server.cli",
                "serve",
                "--port",
                str(self.port),
                "--data",
                str(self.data),
                "--facilitator-token",
                TOKEN,
                "--quiet",
                *self.extra_args,
            ],
            stdout=subprocess.DEVNULL,
            # A file, not a pipe nobody reads: a full pipe would block the server.
            stderr=log,
        )
        log.close()
        async with aiohttp.ClientSession() as session:
            for _ in range(200):
                try:
                    async with session.get(self.base + "/healthz") as r:
                        if r.status == 200:
                            return
                except aiohttp.ClientError:
                    await asyncio.sleep(0.05)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(15)


async def price_ladder(
    api: Callable[[str, str], Awaitable[Any]], scenario_id: str = "equipment-purchase"
) -> tuple[dict[str, Any], list[int]]:
    """A scenario's API JSON (through ``api(method, path)``: a node's or a load
    balancer's) and every price its price issue allows, lowest first."""
    scenario = await api("GET", f"/api/scenarios/{scenario_id}")
    price = next(i for i in scenario["issues"] if i["id"] == "price")
    return scenario, list(range(price["min"], price["max"] + 1, price["step"]))


def priced_terms(scenario: dict[str, Any], price: int) -> dict[str, Any]:
    """Terms of ``scenario`` (its API JSON) at ``price``, every other issue at its first value."""
    return {
        i["id"]: price
        if i["id"] == "price"
        else (i["options"][0] if i["kind"] == "options" else i["min"])
        for i in scenario["issues"]
    }


async def start_load_test(
    url: str, nodes: list[Process], report: Path, *args: str
) -> asyncio.subprocess.Process:
    """``dealroom loadtest`` against ``url`` with each room's seats spread over ``nodes``
    (``--node``), its JSON report into ``report``, its output on a pipe."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "dealroom.server.cli",
        "loadtest",
        "--url",
        url,
        *[arg for node in nodes for arg in ("--node", node.base)],
        "--token",
        TOKEN,
        "--json",
        str(report),
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
