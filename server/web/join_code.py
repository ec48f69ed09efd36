"""The short join code that leads to a workshop's open link: ``HOST/j``.

``GET /j`` asks for a code; ``GET /j/{code}`` (and the form's ``/j?code=``)
redirects to the workshop's open link, in any case, spaces and dashes
ignored. A wrong code answers the same page with a clear message and 404.
Wrong codes are paced per client address as the open link paces arrivals
(:mod:`.arrival_rate`, :mod:`.client_address`): only a wrong guess costs, so a
class behind one NAT address typing the right code is never held up, while a
guesser gets ``429`` long before any code would turn up (DESIGN.md principle 7).
"""

from __future__ import annotations

import html
import math
import time

from aiohttp import web

from ..rooms import join_codes
from .arrival_rate import ArrivalRate
from .keys import TOKENS, WORKSHOPS
from .open_link import PROXIES
from .static import client_dir

__all__ = ["GUESSES", "GUESSES_BURST", "GUESSES_PER_MINUTE", "guess_rate", "routes"]

GUESSES_BURST = 20
"""Wrong codes one client address may try at once: a room's worth of typos."""
GUESSES_PER_MINUTE = 10.0
"""Wrong codes per minute once the burst is spent: a guesser needs millions."""
GUESSES = web.AppKey("join-code guesses", ArrivalRate)
"""The app's pace of wrong join codes per client address."""


def guess_rate() -> ArrivalRate:
    """The pace of wrong join codes, as the server runs it."""
    return ArrivalRate(GUESSES_PER_MINUTE, GUESSES_BURST)


routes = web.RouteTableDef()


def _code_page(state: str = "", typed: str = "", status: int = 200) -> web.Response:
    """The code page, telling its script what happened (``unknown``, ``rate_limited``)."""
    page = (client_dir() / "code.html").read_text()
    marker = 'data-state="" data-code=""'
    shown = html.escape(typed[:24], quote=True)
    page = page.replace(marker, f'data-state="{state}" data-code="{shown}"', 1)
    response = web.Response(text=page, content_type="text/html", status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _follow_code(request: web.Request, typed: str) -> web.StreamResponse:
    app = request.app
    address = app[PROXIES].client(
        request.remote or "", request.headers.getall("X-Forwarded-For", [])
    )
    now = time.monotonic()
    wait = app[GUESSES].wait(address, now)
    if wait > 0:
        response = _code_page("rate_limited", typed.upper(), status=429)
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return response
    code = join_codes.normalise(typed)
    held = None if code is None else await app[WORKSHOPS].by_code(code)
    if held is None:
        app[GUESSES].admit(address, now)  # only a wrong code costs
        return _code_page("unknown", typed.upper(), status=404)
    location = f"/open/{app[TOKENS].open_link(held.id)}"
    lang = request.query.get("lang", "")
    if lang.isalpha() and len(lang) <= 8:  # the page's language, on to the next page
        location += f"?lang={lang}"
    raise web.HTTPFound(location)


@routes.get("/j")
async def code_page(request: web.Request) -> web.StreamResponse:
    """The page that asks for a workshop's code; its form comes back with ``?code=``."""
    typed = request.query.get("code")
    if typed is None:
        return _code_page()
    return await _follow_code(request, typed)


@routes.get("/j/{code}")
async def follow_code(request: web.Request) -> web.StreamResponse:
    """A workshop's code (typed, or from a QR code of ``HOST/j/CODE``): on to its open link."""
    return await _follow_code(request, request.match_info["code"])
