"""Authority limits end to end: the buyer of equipment-purchase signs up to EUR 920,000.

Closing above it waits for the facilitator's sign-off; the counterpart sees
nothing of the request; the log records the request and the decision.
"""

from __future__ import annotations

from typing import Any

from .conftest import Running
from .wsclient import WsClient


def package(price: int) -> dict[str, Any]:
    return {
        "price": price,
        "payment_terms": "60 days",
        "delivery": 18,
        "service_period": "36 months",
        "support": "Extended: 6:00-22:00 Mon-Sat, 8-hour on site",
        "late_penalty": "None",
    }


async def _seated(server: Running) -> tuple[dict[str, Any], WsClient, WsClient]:
    return await server.seated(scenario="equipment-purchase")


async def test_closing_above_the_limit_needs_the_facilitators_sign_off(server: Running) -> None:
    room, buyer, seller = await _seated(server)
    welcome = next(f for f in buyer.frames if f["type"] == "welcome")
    assert welcome["brief"]["authority"] == {"price": 920000}
    offer = await seller.move("offer", terms=package(950000))
    ack = await buyer.move("accept", "close-it", offer=offer["seq"])
    assert ack["type"] == "ack"
    request = await buyer.event("approval_requested")
    assert request["seq"] == ack["seq"] and request["issues"] == ["price"]
    assert request["action"] == "accept" and request["offer"] == offer["seq"]
    # The retry of the same move is the same request.
    again = await buyer.move("accept", "close-it", offer=offer["seq"])
    assert again["seq"] == ack["seq"] and again.get("duplicate") is True

    status, summary = await server.api("GET", f"/api/rooms/{room['id']}")
    assert summary["state"]["phase"] == "running" and summary["state"]["agreement"] is None
    [pending] = summary["pending_approvals"]
    assert (pending["seq"], pending["role"], pending["issues"]) == (ack["seq"], "buyer", ["price"])

    # Declined: nothing happens but the record.
    status, body = await server.api(
        "POST", f"/api/rooms/{room['id']}/approvals/{ack['seq']}", {"approve": False}
    )
    assert status == 200
    decided = await buyer.event("approval_decided")
    assert decided["approved"] is False and decided["request"] == ack["seq"]
    status, body = await server.api(
        "POST", f"/api/rooms/{room['id']}/approvals/{ack['seq']}", {"approve": True}
    )
    assert status == 409 and body["error"]["code"] == "no_pending_approval"

    # Asked again and approved: the deal closes, with the buyer's own move id.
    second = await buyer.move("accept", "close-it-2", offer=offer["seq"])
    status, body = await server.api(
        "POST",
        f"/api/rooms/{room['id']}/approvals/{second['seq']}",
        {"approve": True, "note": "CFO agrees."},
    )
    assert status == 200 and body["state"]["phase"] == "ended"
    accepted = await seller.event("accepted")
    assert accepted["move"] == "close-it-2" and accepted["by"] == "buyer"
    agreement = await seller.event("agreement")
    assert agreement["terms"]["price"] == 950000

    status, full = await server.api("GET", f"/api/rooms/{room['id']}")
    kinds = [e["kind"] for e in full["events"]]
    assert kinds.count("approval_requested") == 2 and kinds.count("approval_decided") == 2
    decisions = [e for e in full["events"] if e["kind"] == "approval_decided"]
    assert [(d["approved"], d["applied"]) for d in decisions] == [(False, False), (True, True)]
    assert decisions[1]["note"] == "CFO agrees."
    # The seller saw none of it.
    assert not any(
        f.get("kind", "").startswith("approval_") for f in seller.frames if f["type"] == "event"
    )
    await buyer.close()
    await seller.close()


async def test_offers_within_the_limit_need_no_one(server: Running) -> None:
    room, buyer, seller = await _seated(server)
    ack = await buyer.move("offer", terms=package(920000))
    assert (await seller.event("offer"))["seq"] == ack["seq"]
    over = await buyer.move("offer", terms=package(930000))
    assert (await buyer.event("approval_requested"))["seq"] == over["seq"]
    status, body = await server.api(
        "POST", f"/api/rooms/{room['id']}/approvals/999", {"approve": 1}
    )
    assert status == 400 and body["error"]["code"] == "invalid_request"
    status, body = await server.api("POST", "/api/rooms/nope/approvals/3", {"approve": True})
    assert status == 404
    await buyer.close()
    await seller.close()
