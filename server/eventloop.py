"""The event loop ``dealroom serve`` runs on: uvloop where installed, or asyncio's own.

uvloop (libuv, written in Cython) runs the same asyncio programs with cheaper
transports and scheduling: a dealroom move costs about 4 % less server CPU on
it (docs/performance.md). Nothing in dealroom depends on it; ``--loop
asyncio`` runs on asyncio's own loop. It was not the default until the
listen backlog was raised (server/cli.py, LISTEN_BACKLOG): with aiohttp's 128,
uvloop accepted a storm of 10,000 connections slowly enough that the kernel
dropped a few dozen connection attempts (``ListenOverflows``), and their
clients' retries came too late for the load tool's 5 s handshake timeout.
"""

from __future__ import annotations

import asyncio
from typing import Literal

__all__ = ["LoopKind", "new_event_loop"]

LoopKind = Literal["auto", "uvloop", "asyncio"]


def new_event_loop(kind: LoopKind = "auto") -> tuple[asyncio.AbstractEventLoop, str]:
    """A new event loop of ``kind`` and its name (``uvloop 0.23.0`` or ``asyncio``)."""
    if kind != "asyncio":
        try:
            import uvloop
        except ImportError:
            if kind == "uvloop":
                from .errors import UserError

                raise UserError(
                    "--loop uvloop: uvloop is not installed here; "
                    "pip install uvloop, or use --loop asyncio"
                ) from None
        else:
            from importlib.metadata import version

            return uvloop.new_event_loop(), f"uvloop {version('uvloop')}"
    return asyncio.new_event_loop(), "asyncio"
