"""The floor under a durable move: the bare relay plus what durability costs, nothing else.

Like ``bare_relay.py`` (aiohttp, the room's two seats paired by the token of
their first frame), but each frame is first appended to a SQLite file, in
dealroom's ``events`` table, WAL, ``synchronous=FULL``, through a writer
thread that commits everything handed to it since its last commit (a group
commit; the frames of one turn of the event loop are handed over together).
Once the commit is durable the frame's bytes go to *both* seats: to the
counterpart as the move, to the mover as its acknowledgement. So a move
costs one read, a durable append and two writes, as a dealroom move must,
with no decoding, no referee and no encoding. Its moves per CPU-second
beside the bare relay's bound the ratio any server with durable acks can
reach on this stack (``benchmarks/run.py --floor``).

The load tool drives it as it drives the bare relay (``--target relay``):
the first copy of a move to reach either seat counts it and plays the next
move, so one move is in flight per room.

    python benchmarks/durable_relay.py --port 8082 --data /tmp/floor
"""

from __future__ import annotations

import argparse
import asyncio
import json
import queue
import sqlite3
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

from aiohttp import WSMsgType, web

PROTOCOLS = ("dealroom.v1.json", "dealroom.v1.msgpack")
EVENTS = """
CREATE TABLE IF NOT EXISTS events (
    stream TEXT NOT NULL, seq INTEGER NOT NULL, entry BLOB NOT NULL, PRIMARY KEY (stream, seq)
)
"""

Row = tuple[str, int, bytes]
Batch = list[tuple[Row, Callable[[], None]]]


class GroupCommit:
    """Rows appended from the event loop, committed together by one thread."""

    def __init__(self, path: Path, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute(EVENTS)
        self.handed: queue.SimpleQueue[Batch] = queue.SimpleQueue()
        self.staged: Batch = []
        threading.Thread(target=self.write, daemon=True).start()

    def append(self, row: Row, durable: Callable[[], None]) -> None:
        if not self.staged:
            self.loop.call_soon(self.hand_over)
        self.staged.append((row, durable))

    def hand_over(self) -> None:
        batch, self.staged = self.staged, []
        self.handed.put(batch)

    def write(self) -> None:
        while True:
            batch = self.handed.get()
            while not self.handed.empty():
                batch += self.handed.get_nowait()
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.executemany("INSERT INTO events VALUES (?, ?, ?)", [r for r, _ in batch])
            self.conn.execute("COMMIT")
            self.loop.call_soon_threadsafe(settle, [done for _, done in batch])


LOG = web.AppKey("log", GroupCommit)
DATA = web.AppKey("data", str)


def settle(callbacks: list[Callable[[], None]]) -> None:
    for done in callbacks:
        done()


rooms: dict[str, list[asyncio.BaseTransport]] = {}
seqs: dict[str, int] = {}


async def relay(request: web.Request) -> web.WebSocketResponse:
    log: GroupCommit = request.app[LOG]
    ws = web.WebSocketResponse(protocols=PROTOCOLS, compress=False, max_msg_size=1 << 20)
    await ws.prepare(request)
    first = await ws.receive()
    room = json.loads(first.data)["token"].split(".")[0]  # msgpack clients send JSON hellos here
    peers = rooms.setdefault(room, [])
    transport = request.transport
    assert transport is not None
    peers.append(transport)
    await ws.send_str('{"type":"welcome"}')
    async for message in ws:
        if message.type is WSMsgType.BINARY:
            frame = _frame(OPCODE_BINARY, message.data)
        elif message.type is WSMsgType.TEXT:
            frame = _frame(OPCODE_TEXT, message.data.encode())
        else:
            continue  # a closing or broken connection: nothing to forward
        seq = seqs[room] = seqs.get(room, 0) + 1
        log.append((room, seq, frame), partial(deliver, peers, frame))
    peers.remove(transport)
    return ws


def deliver(peers: list[asyncio.BaseTransport], frame: bytes) -> None:
    """The move is durable: to the counterpart as the move, to the mover as its ack."""
    for transport in peers:
        if isinstance(transport, asyncio.WriteTransport) and not transport.is_closing():
            transport.write(frame)


OPCODE_TEXT, OPCODE_BINARY = 0x81, 0x82  # FIN and the opcode: one unfragmented frame


def _frame(opcode: int, data: bytes) -> bytes:
    """A server's unmasked frame of ``data``, as aiohttp's ``send_bytes`` writes it."""
    size = len(data)
    if size < 126:
        return bytes((opcode, size)) + data
    if size < 1 << 16:
        return bytes((opcode, 126)) + size.to_bytes(2, "big") + data
    return bytes((opcode, 127)) + size.to_bytes(8, "big") + data


async def start(app: web.Application) -> None:
    app[LOG] = GroupCommit(Path(app[DATA]) / "events.db", asyncio.get_running_loop())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--data", required=True, help="folder for the SQLite file")
    args = parser.parse_args()
    app = web.Application()
    app[DATA] = args.data
    app.on_startup.append(start)
    app.router.add_get("/ws", relay)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)
