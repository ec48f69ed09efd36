"""A bot seated by the facilitator is seated again when the server restarts."""

from __future__ import annotations

from typing import Any

from tests.serverproc import Process

from .wsclient import WsClient


def _package(scenario: dict[str, Any], rate: int) -> dict[str, Any]:
    return {
        i["id"]: rate
        if i["id"] == "monthly_rate"
        else (i["options"][-1] if i["options"] else i["min"])
        for i in scenario["issues"]
    }


async def test_a_sigkilled_server_seats_its_bots_again(process: Process) -> None:
    await process.start()
    scenario = await process.api("GET", "/api/scenarios/fleet-lease")
    room = await process.api("POST", "/api/rooms", {"scenario": "fleet-lease"})
    seated = await process.api(
        "POST", f"/api/rooms/{room['id']}/bots", {"role": "seller", "persona": "driver", "pace": 0}
    )
    assert seated["role"] == "seller"
    buyer = await WsClient.connect(process.ws_url)
    await buyer.hello(room["seats"]["buyer"]["token"])
    await buyer.event("started", timeout=10)
    opening = await buyer.event("offer", by="seller", timeout=10)  # fleet-lease: the seller opens
    assert opening["class"] == "opening"
    await buyer.close()

    process.kill()  # SIGKILL: no goodbye, the bot's socket just dies with the server
    await process.start()

    detail = await process.api("GET", f"/api/rooms/{room['id']}")
    assert detail["state"]["phase"] == "running"
    back = await WsClient.connect(process.ws_url)
    welcome = await back.hello(room["seats"]["buyer"]["token"], resume_after=opening["seq"])
    assert welcome["type"] == "welcome"
    # The bot is back in its seat and answers the buyer's offer as before.
    await back.event("joined", by="seller", timeout=15)
    reply = await back.move("offer", terms=_package(scenario, 585))
    assert reply["type"] == "ack", reply
    answer = await back.until(
        lambda f: (
            f["type"] == "event"
            and f["by"] == "seller"
            and f["kind"] in ("offer", "accepted", "walked_away")
        ),
        timeout=15,
    )
    assert answer["seq"] > reply["seq"]
    detail = await process.api("GET", f"/api/rooms/{room['id']}")
    seller_offers = [e for e in detail["events"] if e["kind"] == "offer" and e["by"] == "seller"]
    assert seller_offers[0]["class"] == "opening"
    assert all(o["class"] != "opening" for o in seller_offers[1:])  # it knew its own history
    await back.close()
    assert process.stop() == 0
