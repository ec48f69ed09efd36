"""An in-process relay like benchmarks/bare_relay.py, for load-tool tests: the test
chooses how frames are forwarded and sees each connection's close code."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

from aiohttp import WSMsgType, web

__all__ = ["relay_app", "serve"]


def relay_app(
    forward: Callable[[web.WebSocketResponse, str | bytes], None],
    closed: Callable[[int | None], None] = lambda code: None,
) -> web.Application:
    """Pairs the seats of a room by their token's room part; ``forward(peer, data)``
    for every data frame; ``closed(code)`` with each connection's close code."""
    rooms: dict[str, list[web.WebSocketResponse]] = {}

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=("dealroom.v1.json", "dealroom.v1.msgpack"))
        await ws.prepare(request)
        first = await ws.receive()
        peers = rooms.setdefault(json.loads(first.data)["token"].split(".")[0], [])
        peers.append(ws)
        await ws.send_str('{"type":"welcome"}')
        async for message in ws:
            if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                for peer in peers:
                    if peer is not ws:
                        forward(peer, message.data)
        closed(ws.close_code)
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    return app


async def serve(app: web.Application) -> AsyncIterator[str]:
    """Serve ``app`` on a free loopback port; yields its base URL, once."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
