"""The move hot path: frames taken from aiohttp's parser, judged at once, answered from
the group commit, in the order each connection sent them (server/web/ws.py,
server/web/frames.py, RoomService.submit_soon, SqliteLog.append_soon)."""

from __future__ import annotations

import asyncio
from typing import Any

import msgpack
import pytest

from dealroom.server.web.frames import FramesResponse
from dealroom.server.web.keys import CONNECTIONS
from tests.support import terms

from .conftest import Running
from .wsclient import MSGPACK_SUB


async def test_the_installed_aiohttp_hands_data_frames_over_as_parsed(server: Running) -> None:
    """Fails if an aiohttp upgrade moved the internals server/web/frames.py reaches into:
    the server would still work (its handler task reads every frame) but slower."""
    _, buyer, _ = await server.seated()
    assert (await buyer.move("offer", "o1", terms=terms()))["type"] == "ack"
    taking = [conn.ws._frames.sink is not None for conn in server.app[CONNECTIONS]]
    assert taking == [True, True]


async def test_pipelined_frames_are_answered_in_the_order_sent(server: Running) -> None:
    """Frames sent without waiting: each gets one answer, in sending order, whether it was
    applied (after a commit), retried, refused by the referee, or refused before it."""
    _, buyer, seller = await server.seated(MSGPACK_SUB)
    sent: list[tuple[str | None, str]] = []  # (move id, the answer expected)

    def move(move_id: str, kind: str, expect: str, **fields: Any) -> bytes:
        sent.append((move_id, expect))
        return msgpack.packb({"type": "move", "id": move_id, "kind": kind, **fields})

    burst = [
        move("o1", "offer", "ack", terms=terms(150)),
        move("t1", "message", "ack", text="first"),
        move("o1", "offer", "duplicate", terms=terms(150)),
        move("c1", "concede", "not_a_concession", terms=terms(140)),
        move("t2", "message", "ack", text="second"),
        move("x1", "teleport", "invalid_frame"),
        move("o2", "offer", "ack", terms=terms(140)),
    ]
    for frame in burst:
        await buyer.send_raw(frame)
    answers = []
    while len(answers) < len(burst):
        frame = await buyer.recv()
        if frame["type"] in ("ack", "error"):
            answers.append(frame)
    got = [
        "duplicate" if a["type"] == "ack" and a["duplicate"] else a.get("code", a["type"])
        for a in answers
    ]
    assert got == [expect for _, expect in sent]
    assert [a["id"] for a in answers if a.get("code") != "invalid_frame"] == [
        move_id for move_id, expect in sent if expect != "invalid_frame"
    ]
    # The counterpart saw the applied moves once each, in the order of their seqs.
    seen = []
    while len(seen) < 4:
        event = await seller.recv()
        if event["type"] == "event" and event["by"] == "buyer":
            seen.append((event["kind"], event["move"]))
    assert seen == [("offer", "o1"), ("message", "t1"), ("message", "t2"), ("offer", "o2")]


async def test_a_backlog_past_its_bound_pauses_reading_and_loses_nothing(
    make_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Far more bytes than the backlog holds, sent while moves wait for their commits:
    the server stops reading for a while, and every frame still gets its one answer."""
    running: Running = await make_server(rate_per_second=1000, rate_burst=1000)
    _, buyer, _ = await running.seated(MSGPACK_SUB)
    paused: list[bool] = []
    pause = FramesResponse.pause_reading
    monkeypatch.setattr(
        FramesResponse, "pause_reading", lambda self: paused.append(pause(self)) or paused[-1]
    )
    text = "x" * 1_000
    ids = [f"t{n}" for n in range(190)]  # 190 KB: half again the bound (and within the
    # 200,000 characters of messages a seat may send in one room)
    for move_id in ids:
        frame = {"type": "move", "id": move_id, "kind": "message", "text": text}
        await buyer.send_raw(msgpack.packb(frame))
    answers = []
    while len(answers) < len(ids):
        frame = await buyer.recv(timeout=10)
        if frame["type"] in ("ack", "error"):
            answers.append(frame)
    assert [a["id"] for a in answers] == ids
    assert [a.get("code") for a in answers if a["type"] != "ack"] == []
    assert paused and all(paused)


async def test_a_move_of_each_seat_at_once_lands_in_one_order(server: Running) -> None:
    """Both seats move in the same instant: the room takes one, then the other (the
    second waits for the first's commit), and both seats see the same seq order."""
    _, buyer, seller = await server.seated()
    answers = await asyncio.gather(
        buyer.move("message", "b1", text="mine first"),
        seller.move("message", "s1", text="no, mine"),
    )
    assert {a["type"] for a in answers} == {"ack"}
    assert len({a["seq"] for a in answers}) == 2
    await seller.event("message", by="buyer")
    await buyer.event("message", by="seller")
    by_seq = sorted((a["seq"], a["id"]) for a in answers)
    order_b = [e["move"] for e in buyer.frames if e.get("kind") == "message"]
    order_s = [e["move"] for e in seller.frames if e.get("kind") == "message"]
    assert order_b == order_s == [move_id for _, move_id in by_seq]
