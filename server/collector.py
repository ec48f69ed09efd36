"""The garbage collector's settings for a long-running server.

CPython's cyclic collector runs a young-generation pass every 700 container
allocations, and every tenth of those a middle one, whatever is being
allocated. A move allocates dozens of short-lived containers (frames, the
decision, its events, futures), so at 1,000 rooms in ping-pong the defaults
spent 14 % of the event loop thread's CPU in collections (0.69 s young,
0.69 s middle, 0.79 s full over a 12 s run, measured with ``gc.callbacks``)
while finding almost nothing to free: the server's data holds no cycles. A
young threshold of 20,000 cuts that to a fifth at a cost of a few MB of young
objects; the objects built at start-up (scenarios, the app, the caches) are
moved out of the collector's view once serving starts (``gc.freeze``), so a
full pass no longer walks them. Events, moves and replies are msgspec Structs
made with ``gc=False`` (see dealroom.protocol): the events a room keeps are
never walked at all.

A burst of arrivals is different: every connection is a few dozen objects
that live as long as it does (its request, tasks, coroutines, parser,
session). 10,000 connections opened at once left about 150,000 of them in
the middle generation, and the middle collection that walked them came
seconds later, in the middle of play: about 70 ms during which no socket
was served (docs/performance.md, fifth session). :func:`settle_after_arrivals`
collects once the arrivals calm down instead, while the seats are waiting for
the room to start; after that full collection the arrivals' objects sit in the oldest
generation, which is walked again only once a quarter more has been added.
A full collection walks every connection's objects (about 400 ms at 10,000),
so a burst must also be a quarter of the connections open: phones
reconnecting one by one on a large node cause no more full collections than
CPython's own rule would (a full one once the oldest generation grew by a
quarter).
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable

__all__ = ["ARRIVALS_BURST", "settle", "settle_after_arrivals", "tune"]

YOUNG_THRESHOLD = 20_000

ARRIVALS_BURST = 500
"""Connections opened since the last settling collection that make the next one worth
it: below that, their objects cost the collector a few ms at most."""
CALM_PER_SECOND = 50
"""Arrivals per second under which a burst counts as over."""


def tune() -> None:
    """Collect the young generation every ``YOUNG_THRESHOLD`` allocations (others as default)."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def settle() -> None:
    """Once start-up is done: collect, then keep what survives out of later collections."""
    gc.collect()
    gc.freeze()


async def settle_after_arrivals(
    opened: Callable[[], int],
    open_now: Callable[[], int],
    settled: Callable[[float], None] = lambda seconds: None,
    period: float = 0.5,
    burst: int = ARRIVALS_BURST,
) -> None:
    """Collect fully once a burst of arrivals calms down, for ever (cancel to stop).

    ``opened`` counts the connections opened since start, ``open_now`` those
    open now; every ``period`` seconds, if at least ``burst`` and a quarter of
    those open were opened since the last settling collection, and fewer than
    :data:`CALM_PER_SECOND` a second in the last period, run a full
    collection and tell ``settled`` how long it took.
    """
    last_settled = previous = opened()
    while True:
        await asyncio.sleep(period)
        now = opened()
        enough = max(burst, open_now() // 4)
        if now - last_settled >= enough and now - previous < CALM_PER_SECOND * period:
            began = time.perf_counter()
            gc.collect()
            settled(time.perf_counter() - began)
            last_settled = now
        previous = now
