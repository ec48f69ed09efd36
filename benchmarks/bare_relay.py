"""The baseline: a bare WebSocket relay on aiohttp, the same library as dealroom.

It pairs the two seats of a room by the room part of the token in their first
frame, answers that frame with a one-line welcome, and forwards every later
frame's bytes to the other seat unread: no referee, no log, no acks. The load
tool drives it with ``dealroom loadtest --target relay`` so that dealroom's
overhead is a ratio measured in the same run (docs/performance.md).

    python benchmarks/bare_relay.py --port 8081
"""

from __future__ import annotations

import argparse
import json

from aiohttp import WSMsgType, web

PROTOCOLS = ("dealroom.v1.json", "dealroom.v1.msgpack")
rooms: dict[str, list[web.WebSocketResponse]] = {}


async def relay(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(protocols=PROTOCOLS, compress=False, max_msg_size=1 << 20)
    await ws.prepare(request)
    first = await ws.receive()
    room = json.loads(first.data)["token"].split(".")[0]  # msgpack clients send JSON hellos here
    peers = rooms.setdefault(room, [])
    peers.append(ws)
    await ws.send_str('{"type":"welcome"}')
    async for message in ws:
        if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
            continue  # a closing or broken connection: nothing to forward
        for peer in peers:
            if peer is not ws:
                if message.type is WSMsgType.TEXT:
                    await peer.send_str(message.data)
                else:
                    await peer.send_bytes(message.data)
    peers.remove(ws)
    return ws


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args()
    app = web.Application()
    app.router.add_get("/ws", relay)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)
