"""Room analyses for the web layer: cached per room and seq (the most recent few
thousand), outcome spaces built off the loop.

``outcome_space`` enumerates a scenario's packages once per process (70k
packages: about a quarter of a second of pure Python). Built on the event
loop it would stall every room's moves for that long, the first time a
debrief is asked for; :func:`prepare` builds it in a worker thread instead,
where the interpreter's switch interval lets the loop keep running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from aiohttp import web

from dealroom.protocol import Scenario

from ..debrief import RoomAnalysis, analyse_room, outcome_space
from ..rooms import Room
from .keys import ANALYSES

__all__ = ["CACHED_ANALYSES", "analysis", "prepare"]

CACHED_ANALYSES = 2048
"""Room analyses kept, the most recently used (a cohort of 1,000 rooms fits twice)."""


async def prepare(scenarios: Iterable[Scenario]) -> None:
    """Make sure each scenario's outcome space is built, in a thread if it is not."""
    seen: set[str] = set()
    for scenario in scenarios:
        if scenario.id not in seen:
            seen.add(scenario.id)
            await asyncio.to_thread(outcome_space, scenario)


def analysis(app: web.Application, room: Room) -> RoomAnalysis:
    """The room's analysis, recomputed only when its log has grown."""
    cache = app[ANALYSES]
    hit = cache.pop(room.id, None)  # re-inserted below: the dict's order is its recency
    if hit is not None and hit[0] == room.state.seq:
        cache[room.id] = hit
        return hit[1]
    result = analyse_room(room.events)
    cache[room.id] = (room.state.seq, result)
    if len(cache) > CACHED_ANALYSES:  # bounded: a year of cohorts must not pile up here
        del cache[next(iter(cache))]
    return result
