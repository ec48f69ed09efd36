"""Dead connections are dropped by the liveness sweep; idle live ones stay (real sockets)."""

from __future__ import annotations

import asyncio
import base64
import json
import os

from dealroom.server.web.keys import CONNECTIONS, METRICS

from .conftest import MakeServer


async def _raw_seat(port: int, token: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A client that joins, then never reads or answers again: a phone that went away."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: dealroom.v1.json\r\n\r\n"
        ).encode()
    )
    await reader.readuntil(b"\r\n\r\n")
    await _send_text(writer, {"type": "hello", "token": token, "resume_after": 0})
    return reader, writer  # the writer too: collected, it would close the socket


async def _send_text(writer: asyncio.StreamWriter, frame: dict[str, object]) -> None:
    """One masked JSON text frame (under 126 bytes), as a client must send it."""
    payload = json.dumps(frame).encode()
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    writer.write(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
    await writer.drain()


async def _read_all(reader: asyncio.StreamReader) -> bytes:
    """Everything until the server drops the connection (a reset ends it as well as EOF)."""
    received = b""
    try:
        while chunk := await reader.read(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


async def test_a_silent_peer_is_pinged_then_dropped_and_a_live_idle_one_stays(
    make_server: MakeServer,
) -> None:
    server = await make_server(heartbeat_seconds=1.0, presence_grace_seconds=0.3)  # sweeps: 0.5 s
    room = await server.room()
    port = int(server.base.rsplit(":", 1)[1])
    reader, writer = await _raw_seat(port, room["seats"]["buyer"]["token"])
    dead = asyncio.create_task(_read_all(reader))
    alive = await server.client()  # websockets answers pings by itself
    assert (await alive.hello(room["seats"]["seller"]["token"]))["type"] == "welcome"

    assert server.app[METRICS].connections_dropped == 0
    received = await asyncio.wait_for(dead, 10)  # silent: pinged, then dropped
    assert b'"welcome"' in received  # it had joined
    assert received.endswith(b"\x89\x00")  # its last frame: an empty ping (RFC 6455 5.5.2)
    assert server.app[METRICS].connections_dropped == 1  # on /metrics: test_metrics.py
    await asyncio.sleep(2.5)  # several sweeps: the live, idle client is pinged and answers
    assert len(server.app[CONNECTIONS]) == 1
    assert (await alive.event("left", by="buyer"))["kind"] == "left"
    assert (await alive.move("message", text="still here"))["type"] == "ack"
    writer.close()


async def test_application_pings_keep_a_connection_alive(make_server: MakeServer) -> None:
    """``ping`` frames are signs of life: a client that sends them, and would answer no
    WebSocket ping of the server's, is never pinged by the sweep, nor dropped."""
    server = await make_server(heartbeat_seconds=1.0)  # sweeps: 0.5 s
    room = await server.room()
    port = int(server.base.rsplit(":", 1)[1])
    reader, writer = await _raw_seat(port, room["seats"]["buyer"]["token"])
    for n in range(15):  # 3 s: a silent peer is dropped within 1.5 s
        await _send_text(writer, {"type": "ping", "id": f"p{n}"})
        await asyncio.sleep(0.2)
    assert len(server.app[CONNECTIONS]) == 1
    writer.close()
    frames = _server_frames(await asyncio.wait_for(_read_all(reader), 5))
    assert OPCODE_PING not in [opcode for opcode, _ in frames]  # never pinged
    texts = [json.loads(payload) for opcode, payload in frames if opcode == OPCODE_TEXT]
    assert [t["id"] for t in texts if t["type"] == "pong"] == [f"p{n}" for n in range(15)]
    assert server.app[METRICS].pings == 15
    assert server.app[METRICS].connections_dropped == 0


OPCODE_TEXT, OPCODE_PING = 0x1, 0x9


def _server_frames(data: bytes) -> list[tuple[int, bytes]]:
    """(opcode, payload) of each whole frame in what a server sent after its handshake
    (server frames are unmasked, RFC 6455 5.2)."""
    frames: list[tuple[int, bytes]] = []
    at = 0
    while at + 2 <= len(data):
        opcode, length, at = data[at] & 0x0F, data[at + 1] & 0x7F, at + 2
        if length >= 126:
            size = 2 if length == 126 else 8
            length, at = int.from_bytes(data[at : at + size], "big"), at + size
        if at + length > len(data):
            break
        frames.append((opcode, data[at : at + length]))
        at += length
    return frames
