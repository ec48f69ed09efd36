"""Dead connections are found by one sweep over all of them, not a timer per frame.

aiohttp's own heartbeat re-arms a timer for every frame a connection
receives, about a tenth of the server's time per move. A connection only
needs to prove it is alive when it has been silent: every ``period``
seconds one sweep looks at each connection's count of frames heard. A
connection that was heard from since the last sweep is fine; one that was
silent gets a ping; one still silent a sweep after its ping is dropped (the
client sees 1006 and resumes by seq). So an idle, healthy connection is
pinged about every two periods, and a dead one is dropped two to three
periods after it went quiet.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Protocol

__all__ = ["Listener", "sweep_forever"]

log = logging.getLogger(__name__)


class Listener(Protocol):
    """A connection as the sweep sees it."""

    def check_alive(self) -> bool:
        """Ping if silent since the last check; False if it must be dropped."""

    def drop(self) -> None:
        """Close the socket at once, without a closing handshake."""


async def sweep_forever(
    connections: Iterable[Listener],
    period: float,
    counted: Callable[[int], None] = lambda dropped: None,
) -> None:
    """Check every connection each ``period`` seconds, for ever (cancel to stop); each
    sweep's count of connections dropped goes to ``counted``."""
    while True:
        await asyncio.sleep(period)
        dropped = 0
        for connection in list(connections):
            if not connection.check_alive():
                connection.drop()
                dropped += 1
        if dropped:
            counted(dropped)
            log.info("dropped %d connections that answered no ping", dropped)
