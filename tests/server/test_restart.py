"""SIGKILL the server mid-negotiation; restart on the same data dir; nothing acked is lost."""

from __future__ import annotations

import signal

import aiohttp
import pytest
import websockets

from tests.serverproc import TOKEN, Process

from .wsclient import MSGPACK_SUB, WsClient


async def _api(base: str, method: str, path: str, body: object = None) -> dict:  # type: ignore[type-arg]
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, base + path, json=body, headers={"Authorization": f"Bearer {TOKEN}"}
        ) as r,
    ):
        return await r.json()  # type: ignore[no-any-return]


async def test_sigkill_loses_no_acked_move_and_resume_replays_exactly_the_gap(
    process: Process,
) -> None:
    await process.start()
    scenario = await _api(process.base, "GET", "/api/scenarios/equipment-purchase")
    issues = {i["id"]: i for i in scenario["issues"]}
    terms_for = lambda price: {  # noqa: E731
        k: (price if k == "price" else (v["options"][0] if v["kind"] == "options" else v["min"]))
        for k, v in issues.items()
    }
    room = await _api(process.base, "POST", "/api/rooms", {"scenario": "equipment-purchase"})
    ws_url = process.base.replace("http", "ws") + "/ws"
    buyer = await WsClient.connect(ws_url, MSGPACK_SUB)
    seller = await WsClient.connect(ws_url)
    await buyer.hello(room["seats"]["buyer"]["token"])
    await seller.hello(room["seats"]["seller"]["token"])
    await seller.event("started")
    price_issue = issues["price"]
    prices = range(price_issue["min"], price_issue["max"] + 1, price_issue["step"])
    acked: dict[str, int] = {}
    for n, price in enumerate(list(prices)[:12]):
        side = buyer if n % 2 == 0 else seller
        reply = await side.move("offer", f"move-{n}", terms=terms_for(price))
        assert reply["type"] == "ack", reply
        acked[f"move-{n}"] = reply["seq"]
    await seller.event("offer", by="buyer")
    seller_last = max(f["seq"] for f in seller.events())
    # The seller loses its connection; the buyer makes two more moves; then SIGKILL.
    await seller.close()
    for n in (12, 13):
        reply = await buyer.move("message", f"move-{n}", text=f"still there? {n}")
        assert reply["type"] == "ack"
        acked[f"move-{n}"] = reply["seq"]
    process.kill()

    await process.start()
    detail = await _api(process.base, "GET", f"/api/rooms/{room['id']}")
    by_move = {e["move"]: e["seq"] for e in detail["events"] if e.get("move")}
    for move_id, seq in acked.items():
        assert by_move.get(move_id) == seq, f"acked {move_id} at {seq} is missing after SIGKILL"
    seqs = [e["seq"] for e in detail["events"]]
    assert seqs == list(range(1, len(seqs) + 1))

    back = await WsClient.connect(ws_url)
    welcome = await back.hello(room["seats"]["seller"]["token"], resume_after=seller_last)
    assert welcome["type"] == "welcome"
    await back.event("joined", by="seller")  # the live event after the replay
    replayed = [f for f in back.events() if f["seq"] <= welcome["seq"]]
    expected = [
        e
        for e in detail["events"]
        if e["seq"] > seller_last
        and e["kind"] != "created"
        and not (e["kind"] == "message" and e.get("to") not in (None, "seller"))
    ]
    assert [f["seq"] for f in replayed] == [e["seq"] for e in expected]
    assert [f["seq"] for f in replayed if f.get("move")] == [acked["move-12"], acked["move-13"]]
    assert len({f["seq"] for f in back.events()}) == len(back.events())  # no duplicates
    await back.close()
    assert process.stop() == 0  # SIGTERM: graceful, exit status 0


async def test_sigterm_closes_sockets_with_1001_and_keeps_the_log(process: Process) -> None:
    await process.start()
    room = await _api(process.base, "POST", "/api/rooms", {"scenario": "fleet-lease"})
    client = await WsClient.connect(process.base.replace("http", "ws") + "/ws")
    await client.hello(room["seats"]["buyer"]["token"])
    await client.event("joined")
    assert process.proc is not None
    process.proc.send_signal(signal.SIGTERM)
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await client.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
    assert process.proc.wait(15) == 0
    await process.start()
    detail = await _api(process.base, "GET", f"/api/rooms/{room['id']}")
    assert [e["kind"] for e in detail["events"]] == ["created", "joined"]
