"""A node SIGKILLed in the middle of a load test behind the shipped HAProxy config.

Redis, three nodes and HAProxy on loopback (the ``deployment`` fixture); the
project's load tool plays 500 rooms with each room's buyer on one node and its
seller on the next, and reconnects a seat whose node is gone through the load
balancer. Beside them, rooms where the facilitator seated bots on both seats
play on. One node (the one running most of those bots) is killed mid-run.
Afterwards: every load-test room complete, every ack in the log exactly once
(the tool's own log check), no client that hung (the tool ends well within its
timeout with no error), and every facilitator-seated bot still playing, each
seat run by exactly one node.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.serverproc import start_load_test

from .deployment import SCENARIO, Deployment, wait_for

ROOMS = 500
BOT_ROOMS = 6
MOVES = 10
BUDGET = 240.0
"""Seconds the whole test may take (start-up and the load test's own timeout within it)."""


async def _moves_so_far(deployment: Deployment) -> float:
    total = 0.0
    for node in deployment.nodes.values():
        if node.proc is not None and node.proc.poll() is None:
            total += sum((await node.metric("dealroom_moves")).values())
    return total


async def _bots_running(deployment: Deployment) -> dict[str, float]:
    return {
        name: sum((await node.metric("dealroom_bots_running")).values())
        for name, node in deployment.nodes.items()
        if node.proc is not None and node.proc.poll() is None
    }


async def _events(deployment: Deployment, room: str) -> list[dict[str, Any]]:
    detail = await deployment.api("GET", f"/api/rooms/{room}")
    return detail["events"]  # type: ignore[no-any-return]


async def test_500_rooms_over_three_nodes_survive_one_killed_and_the_bots_play_on(
    deployment: Deployment, tmp_path: Path
) -> None:
    async with asyncio.timeout(BUDGET):
        # The facilitator's bot rooms: both seats bots, at a pace that keeps them
        # negotiating for minutes (their strategies concede towards the deadline).
        bot_rooms = []
        for _ in range(BOT_ROOMS):
            room = await deployment.api("POST", "/api/rooms", {"scenario": SCENARIO})
            for role in ("buyer", "seller"):
                await deployment.api(
                    "POST",
                    f"/api/rooms/{room['id']}/bots",
                    {"role": role, "persona": "driver", "pace": 0.2},
                )
            bot_rooms.append(room["id"])
        running = await _bots_running(deployment)
        assert sum(running.values()) == 2 * BOT_ROOMS, running

        report_file = tmp_path / "report.json"
        run = await start_load_test(
            deployment.lb.base,  # the API, and where a seat reconnects when its node is gone
            list(deployment.nodes.values()),
            report_file,
            *("--rooms", str(ROOMS), "--moves", str(MOVES), "--think", "1.0"),
            *("--codec", "msgpack", "--timeout", "150"),
        )
        output = asyncio.ensure_future(run.communicate())

        async def mid_run() -> bool:
            assert not output.done(), "the load test ended before the kill"
            return await _moves_so_far(deployment) >= ROOMS * (MOVES + 1) * 0.3

        await wait_for(mid_run, "a third of the load test's moves", 120)
        running = await _bots_running(deployment)
        victim = max(running, key=running.__getitem__)
        assert running[victim] > 0, running
        deployment.nodes[victim].kill()  # SIGKILL: no goodbye, no flush
        killed_at = {room: len(await _events(deployment, room)) for room in bot_rooms}

        out, _ = await output
        text = out.decode(errors="replace")
        assert run.returncode == 0, text[-3000:]
        report = json.loads(report_file.read_text())
        assert report["rooms_completed"] == ROOMS, report
        assert report["verified_rooms"] == ROOMS, report
        assert report["lost"] == 0 and report["duplicated"] == 0, report
        assert not report["errors"], report["errors"]
        assert report["reconnects"] > 0, report  # the dead node's seats came back elsewhere
        assert report["moves_acked"] == ROOMS * (MOVES + 1), report

        # The bots: the dead node's seats were taken over (a lease each), so every
        # bot seat is run by exactly one live node and keeps making moves.
        async def every_bot_moved_since_the_kill() -> bool:
            for room in bot_rooms:
                later = (await _events(deployment, room))[killed_at[room] :]
                if any(e["kind"] == "ended" for e in later):
                    continue  # a deal or a walk-away after the kill: it played on
                movers = {e["by"] for e in later if e.get("move")}
                if movers != {"buyer", "seller"}:
                    return False
            return True

        await wait_for(every_bot_moved_since_the_kill, "every bot's move after the kill", 45)
        running = await _bots_running(deployment)
        assert victim not in running and sum(running.values()) == 2 * BOT_ROOMS, running
        for room in bot_rooms:
            events = await _events(deployment, room)
            assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
            moves = [e["move"] for e in events if e.get("move")]
            assert len(moves) == len(set(moves)), room  # one bot per seat: no move twice
