"""dealroom.server.web: the aiohttp I/O layer (WebSocket, facilitator API, static files)."""

from __future__ import annotations

from .app import make_app

__all__ = ["make_app"]
