"""The web client's files (served by the server itself: no CDN) and ``/healthz``."""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

import segno
from aiohttp import web

from .keys import LOG, ROOMS, SETTINGS

__all__ = ["add_static_routes", "client_dir"]


def client_dir() -> Path:
    """Where the installed ``client_web`` files are."""
    return Path(str(resources.files("dealroom.client_web")))


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers and its rooms are loaded.

    ``degraded`` (still 200: the process is alive and serves what it can) while
    the event log fails, e.g. a Redis that is down: moves are refused with
    ``unavailable`` until it is back, and the reason is in ``store``. Also
    while the store has lost the history of rooms this node holds (a Redis
    restarted without persistence): how many, and why, in ``lost``.
    """
    service = request.app[ROOMS]
    rooms = len(service.rooms)
    failing = request.app[LOG].degraded
    lost = service.lost
    if failing is None and not lost:
        return web.json_response({"status": "ok", "rooms": rooms})
    answer: dict[str, object] = {"status": "degraded", "rooms": rooms}
    if failing is not None:
        answer["store"] = failing
    if lost:
        first = min(lost)
        answer["lost"] = f"{len(lost)} rooms; room {first}: {lost[first]}"
    return web.json_response(answer)


def _page(name: str) -> web.FileResponse:
    response = web.FileResponse(client_dir() / name)
    response.headers["Cache-Control"] = "no-cache"
    return response


async def qr_code(request: web.Request) -> web.Response:
    """An SVG QR code of a join or open link for ``token`` (seat or open-link token).

    The token is only echoed into the picture, so a QR code grants nothing the
    token does not; drawing it on the server keeps the page free of scripts
    from elsewhere.
    """
    token = request.match_info["token"]
    kind = "open" if ".open." in token else "join"
    base = request.app[SETTINGS].public_url or str(request.url.origin())
    code = segno.make(f"{base.rstrip('/')}/{kind}/{token}", error="m")
    out = io.BytesIO()
    code.save(out, kind="svg", scale=6, border=2, xmldecl=False, title="join link")
    response = web.Response(body=out.getvalue(), content_type="image/svg+xml")
    response.headers["Cache-Control"] = "max-age=3600"
    return response


async def favicon(request: web.Request) -> web.Response:
    """No icon, said once and cached, instead of a 404 on every page load."""
    return web.Response(status=204, headers={"Cache-Control": "max-age=86400"})


async def facilitator_page(request: web.Request) -> web.FileResponse:
    """The facilitator console."""
    return _page("index.html")


async def join_page(request: web.Request) -> web.FileResponse:
    """A participant's page; the seat token is in the URL path."""
    return _page("join.html")


def add_static_routes(app: web.Application) -> None:
    """Mount ``/``, ``/join/{token}``, ``/qr/{token}.svg``, ``/static/`` and ``/healthz``."""
    app.router.add_get("/", facilitator_page)
    app.router.add_get("/join/{token}", join_page)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_get("/qr/{token}.svg", qr_code)
    app.router.add_static("/static/", client_dir(), show_index=False)
