"""Every typed key of the aiohttp application's state, in one place."""

from __future__ import annotations

import asyncio
import weakref
from typing import TYPE_CHECKING

from aiohttp import web

from ..auth import Tokens
from ..config import Settings
from ..log import EventLog
from ..metrics import NodeMetrics
from ..nodes import Nodes
from ..rooms import RoomService
from ..rooms.workshops import Workshops
from ..scenarios import Catalog

if TYPE_CHECKING:
    from ..debrief import RoomAnalysis
    from .ws import Connection, SeatTable

__all__ = [
    "ANALYSES",
    "BOT_TASKS",
    "CATALOG",
    "CONNECTIONS",
    "LOG",
    "METRICS",
    "NODES",
    "ROOMS",
    "SEATS",
    "SETTINGS",
    "TOKENS",
    "WORKSHOPS",
]

SETTINGS = web.AppKey("settings", Settings)
LOG = web.AppKey("log", EventLog)
ROOMS = web.AppKey("rooms", RoomService)
WORKSHOPS = web.AppKey("workshops", Workshops)
CATALOG = web.AppKey("catalog", Catalog)
TOKENS = web.AppKey("tokens", Tokens)
NODES = web.AppKey("nodes", Nodes)
METRICS = web.AppKey("metrics", NodeMetrics)
"""What this node counts as it serves, for ``GET /metrics``."""
BOT_TASKS: web.AppKey[set[asyncio.Task[None]]] = web.AppKey("bot_tasks")
CONNECTIONS: web.AppKey[weakref.WeakSet[Connection]] = web.AppKey("connections")
SEATS: web.AppKey[SeatTable] = web.AppKey("seats")
ANALYSES: web.AppKey[dict[str, tuple[int, RoomAnalysis]]] = web.AppKey("analyses")
"""Each room's latest debrief analysis, by room id, with the seq it was computed at."""
