"""The event loop ``dealroom serve`` runs on: asyncio's own, or uvloop on request.

uvloop (libuv, written in Cython) runs the same asyncio programs with cheaper
transports and scheduling: on this project's benchmark machine a bare aiohttp
relay forwards about 1.3 times as many frames per CPU-second on it
(docs/performance.md). Nothing in dealroom depends on it. It is not the default yet:
with 10,000 connections opened at once (``benchmarks/run.py``'s open5000),
handshakes waited past the load tool's 5 s on uvloop and not on asyncio's own
loop. ``auto`` takes uvloop where it is installed.
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
