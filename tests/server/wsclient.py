"""A protocol-v1 test client on the `websockets` library, speaking plain dicts.

Deliberately independent of dealroom's own codecs: frames are built as dicts
and encoded with `json` or the `msgpack` package, as a third-party client would.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import msgpack
import websockets
from websockets.asyncio.client import ClientConnection

JSON_SUB = "dealroom.v1.json"
MSGPACK_SUB = "dealroom.v1.msgpack"
Frame = dict[str, Any]


class WsClient:
    """One connection: sends frames, keeps every frame received, in order."""

    def __init__(self, ws: ClientConnection, subprotocol: str) -> None:
        self.ws = ws
        self.subprotocol = subprotocol
        self.binary = subprotocol == MSGPACK_SUB
        self.frames: list[Frame] = []
        self.raw: list[bytes | str] = []
        self._ids = itertools.count(1)
        self._cursor = 0

    @classmethod
    async def connect(cls, ws_url: str, subprotocol: str = JSON_SUB, **kw: Any) -> WsClient:
        ws = await websockets.connect(
            ws_url,
            subprotocols=[subprotocol],
            max_size=None,
            **kw,  # type: ignore[list-item]
        )
        assert ws.subprotocol == subprotocol
        return cls(ws, subprotocol)

    def encode(self, frame: Frame) -> bytes | str:
        return msgpack.packb(frame) if self.binary else json.dumps(frame)

    async def send(self, frame: Frame) -> None:
        await self.ws.send(self.encode(frame))

    async def send_raw(self, data: bytes | str) -> None:
        await self.ws.send(data)

    async def recv(self, timeout: float = 5.0) -> Frame:
        data = await asyncio.wait_for(self.ws.recv(), timeout)
        self.raw.append(data)
        if self.binary:
            assert isinstance(data, bytes), "msgpack frames must be binary"
            frame = msgpack.unpackb(data)
        else:
            assert isinstance(data, str), "json frames must be text"
            frame = json.loads(data)
        self.frames.append(frame)
        return frame

    async def _find(self, predicate: Any, start: int, timeout: float) -> tuple[int, Frame]:
        index = start
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            while index < len(self.frames):
                if predicate(self.frames[index]):
                    return index, self.frames[index]
                index += 1
            left = deadline - asyncio.get_running_loop().time()
            await self.recv(timeout=max(0.01, left))

    async def until(self, predicate: Any, timeout: float = 5.0) -> Frame:
        """The next frame past the read cursor matching ``predicate``; the cursor moves past it."""
        index, frame = await self._find(predicate, self._cursor, timeout)
        self._cursor = index + 1
        return frame

    async def hello(self, token: str, resume_after: int = 0, **extra: Any) -> Frame:
        await self.send({"type": "hello", "token": token, "resume_after": resume_after, **extra})
        return await self.until(lambda f: f["type"] in ("welcome", "error"))

    async def move(self, kind: str, move_id: str | None = None, **fields: Any) -> Frame:
        """Send a move; return its ack or error (events that arrive meanwhile are kept)."""
        move_id = move_id or f"m{next(self._ids)}-{id(self)}"
        start = len(self.frames)
        await self.send({"type": "move", "id": move_id, "kind": kind, **fields})
        # Events stay unread (the cursor does not move): tests read them with event().
        _, reply = await self._find(
            lambda f: f["type"] in ("ack", "error") and f.get("id") == move_id, start, 5.0
        )
        return reply

    async def event(self, kind: str, by: str | None = None, timeout: float = 5.0) -> Frame:
        """The next event of ``kind`` (caused by ``by``, if given) past the read cursor."""
        return await self.until(
            lambda f: f["type"] == "event" and f["kind"] == kind and by in (None, f["by"]), timeout
        )

    def events(self) -> list[Frame]:
        return [f for f in self.frames if f["type"] == "event"]

    async def close(self) -> None:
        await self.ws.close()


async def seat_both(
    room: dict[str, Any],
    buyer_url: str,
    seller_url: str,
    clients: list[WsClient],
    buyer_subprotocol: str = JSON_SUB,
    seller_subprotocol: str = JSON_SUB,
) -> tuple[WsClient, WsClient, Frame]:
    """``room``'s buyer and seller (its API JSON) connected and welcomed, once the room
    started: the two clients (also added to ``clients``, to close) and the `started`."""
    buyer = await WsClient.connect(buyer_url, buyer_subprotocol)
    clients.append(buyer)
    seller = await WsClient.connect(seller_url, seller_subprotocol)
    clients.append(seller)
    for client, role in ((buyer, "buyer"), (seller, "seller")):
        welcome = await client.hello(room["seats"][role]["token"])
        assert welcome["type"] == "welcome", welcome
    started = await buyer.event("started", timeout=10)
    assert (await seller.event("started", timeout=10))["seq"] == started["seq"]
    return buyer, seller, started
