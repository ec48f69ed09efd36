"""`dealroom serve --loop`: uvloop where installed by default, asyncio's own on request;
a negotiation works on both (the seats' frames are written straight to the transport)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from .servecmd import Served
from .wsclient import WsClient

TOKEN = "loop-test-facilitator-token"


def _create_room(base: str) -> dict[str, object]:
    request = urllib.request.Request(
        base + "/api/rooms",
        data=json.dumps({"scenario": "fleet-lease"}).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


def test_serve_runs_on_uvloop_unless_asked_otherwise() -> None:
    from dealroom.server.cli import build_parser

    assert build_parser().parse_args(["serve"]).loop == "auto"


@pytest.mark.parametrize(
    ("flag", "shown"), [("auto", "loop: uvloop"), ("asyncio", "loop: asyncio")]
)
async def test_a_move_is_acked_and_delivered_on_each_loop(
    tmp_path: Path, flag: str, shown: str
) -> None:
    served = Served(tmp_path, "--store", "memory", "--facilitator-token", TOKEN, "--loop", flag)
    try:
        assert shown in served.output
        room = _create_room(served.base)
        seats = room["seats"]
        assert isinstance(seats, dict)
        ws_url = served.base.replace("http", "ws", 1) + "/ws"
        buyer, seller = await WsClient.connect(ws_url), await WsClient.connect(ws_url)
        await buyer.hello(seats["buyer"]["token"])
        await seller.hello(seats["seller"]["token"])
        await seller.event("started")
        text = await buyer.move("message", text="what matters most to you?", intent="question")
        assert text["type"] == "ack"
        heard = await seller.event("message", by="buyer")
        assert heard["seq"] == text["seq"]
        await buyer.close()
        await seller.close()
    finally:
        assert served.stop() == 0
