"""The web client's files (served by the server itself: no CDN) and ``/healthz``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from aiohttp import web

from .keys import ROOMS

__all__ = ["add_static_routes", "client_dir"]


def client_dir() -> Path:
    """Where the installed ``client_web`` files are."""
    return Path(str(resources.files("dealroom.client_web")))


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers and its rooms are loaded."""
    return web.json_response({"status": "ok", "rooms": len(request.app[ROOMS].rooms)})


def _page(name: str) -> web.FileResponse:
    response = web.FileResponse(client_dir() / name)
    response.headers["Cache-Control"] = "no-cache"
    return response


async def facilitator_page(request: web.Request) -> web.FileResponse:
    """The facilitator console."""
    return _page("index.html")


async def join_page(request: web.Request) -> web.FileResponse:
    """A participant's page; the seat token is in the URL path."""
    return _page("join.html")


def add_static_routes(app: web.Application) -> None:
    """Mount ``/``, ``/join/{token}``, ``/static/`` and ``/healthz``."""
    app.router.add_get("/", facilitator_page)
    app.router.add_get("/join/{token}", join_page)
    app.router.add_get("/healthz", healthz)
    app.router.add_static("/static/", client_dir(), show_index=False)
