"""Bots of different strategies negotiate through a running server."""

from __future__ import annotations

import asyncio

import msgspec

from dealroom.bots.seat import persona_bot
from dealroom.protocol import Scenario
from tests.serverproc import Process


async def test_boulware_against_conceder_through_a_server(process: Process) -> None:
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "software-subscription"})
    buyer = persona_bot(
        process.ws_url,
        room["seats"]["buyer"]["token"],
        persona="driver",
        strategy="boulware",
        pace=0,
        seed=1,
    )
    seller = persona_bot(
        process.ws_url,
        room["seats"]["seller"]["token"],
        persona="amiable",
        strategy="conceder",
        pace=0,
        seed=2,
        codec="msgpack",
    )
    outcomes = await asyncio.wait_for(asyncio.gather(buyer.run(), seller.run()), 120)
    assert outcomes[0] == outcomes[1] and outcomes[0] in ("agreed", "walked_away")
    detail = await process.api("GET", f"/api/rooms/{room['id']}")
    events = detail["events"]
    scenario = msgspec.convert(events[0]["scenario"], Scenario)
    offers = [e for e in events if e["kind"] == "offer"]
    assert all(
        e["class"] in ("opening", "concession", "trade", "hardening", "repeat") for e in offers
    )
    assert {e["class"] for e in offers} >= {"opening", "concession"}
    # Boulware concedes little early and much late, in its own points.
    own = [scenario.score("buyer", e["terms"]) for e in offers if e["by"] == "buyer"]
    assert len(own) >= 6
    half = len(own) // 2
    early_drop = own[0] - own[half]
    late_drop = own[half] - own[-1]
    assert late_drop > early_drop
    # The conceder gives most of its ground early.
    theirs = [scenario.score("seller", e["terms"]) for e in offers if e["by"] == "seller"]
    half = len(theirs) // 2
    assert theirs[0] - theirs[half] > theirs[half] - theirs[-1]
    assert outcomes[0] != "agreed" or any(e["kind"] == "agreement" for e in events)
