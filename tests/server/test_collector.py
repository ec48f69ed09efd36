"""The collector settles once a burst of arrivals calms down, not during it, not without one."""

from __future__ import annotations

import asyncio
import gc

import pytest

from dealroom.server import collector


class Arrivals:
    """A connection counter the test moves by hand, and the collections it caused."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened = 0
        self.open_now = 0
        self.collections = 0
        self.settled: list[float] = []

        def collect(generation: int = 2) -> int:
            assert generation == 2  # a full collection: the arrivals' objects go to the oldest
            self.collections += 1
            return 0

        monkeypatch.setattr(gc, "collect", collect)

    async def watch(self, period: float = 0.01) -> asyncio.Task[None]:
        task = asyncio.create_task(
            collector.settle_after_arrivals(
                lambda: self.opened,
                lambda: self.open_now,
                self.settled.append,
                period=period,
                burst=100,
            )
        )
        await asyncio.sleep(period / 2)  # the watcher has read the count it starts from
        return task


async def test_a_burst_is_collected_once_when_it_calms_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    arrivals = Arrivals(monkeypatch)
    watcher = await arrivals.watch(period=0.02)
    try:
        for _ in range(10):  # 150 arrivals per period: a storm, far above the calm rate
            arrivals.opened += 150
            await asyncio.sleep(0.02)
        assert arrivals.collections == 0, "collected while connections were still arriving"
        await asyncio.sleep(0.1)  # calm
        assert arrivals.collections == 1
        assert len(arrivals.settled) == 1 and arrivals.settled[0] >= 0
        await asyncio.sleep(0.1)  # still calm: nothing new arrived, nothing more to settle
        assert arrivals.collections == 1
    finally:
        watcher.cancel()


async def test_arrivals_at_a_calm_pace_are_settled_only_once_they_add_up_to_a_burst(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    arrivals = Arrivals(monkeypatch)
    watcher = await arrivals.watch(period=0.1)  # calm: under 5 arrivals per period
    try:
        for _ in range(24):  # 4 per period, 96 in all: below the burst of 100
            arrivals.opened += 4
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.2)
        assert arrivals.collections == 0
        arrivals.opened += 4  # 100 since start: a burst, arrived calmly
        await asyncio.sleep(0.25)
        assert arrivals.collections == 1
    finally:
        watcher.cancel()


async def test_on_a_large_node_a_burst_is_a_quarter_of_the_connections_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reconnects trickling in on a node with 2,000 connections: a full collection walks
    all of them, so it waits until 500 have arrived, not the 100 of a small node."""
    arrivals = Arrivals(monkeypatch)
    arrivals.open_now = 2000
    watcher = await arrivals.watch(period=0.02)
    try:
        arrivals.opened += 499
        await asyncio.sleep(0.1)
        assert arrivals.collections == 0
        arrivals.opened += 1
        await asyncio.sleep(0.1)
        assert arrivals.collections == 1
    finally:
        watcher.cancel()
