"""A role never receives the other role's brief, scoring or private events."""

from __future__ import annotations

import json

import msgpack
import pytest

from tests.support import small_scenario, terms

from .conftest import Running
from .wsclient import JSON_SUB, MSGPACK_SUB, WsClient


def _private_texts(role: str) -> list[str]:
    side = small_scenario().roles[role]  # type: ignore[index]
    return [side.brief, "SELLER-SECRET" if role == "seller" else "BUYER-SECRET"]


def _everything_received(client: WsClient) -> str:
    parts = []
    for raw in client.raw:
        data = msgpack.unpackb(raw) if isinstance(raw, bytes) else json.loads(raw)
        parts.append(json.dumps(data))
    return "\n".join(parts)


@pytest.mark.parametrize("sub", [JSON_SUB, MSGPACK_SUB])
async def test_no_role_sees_the_other_brief_or_scoring(server: Running, sub: str) -> None:
    room, buyer, seller = await server.seated(sub)
    await buyer.move("offer", terms=terms(110, "3 years", 2))
    await seller.move("offer", terms=terms(190, "1 year", 12))
    await server.api(
        "POST", f"/api/rooms/{room['id']}/message", {"text": "to-seller-only", "to": "seller"}
    )
    await seller.event("message")
    await buyer.move("accept", offer=(await buyer.event("offer", by="seller"))["seq"])
    await buyer.event("ended")
    await seller.event("ended")
    # Reconnect both with a full replay, so the replay path is checked too.
    for role in ("buyer", "seller"):
        late = await server.client(sub)
        await late.hello(room["seats"][role]["token"], resume_after=0)
        await late.event("ended")
        client = buyer if role == "buyer" else seller
        client.raw.extend(late.raw)

    seen_by_buyer = _everything_received(buyer)
    seen_by_seller = _everything_received(seller)
    for text in _private_texts("seller"):
        assert text not in seen_by_buyer
    for text in _private_texts("buyer"):
        assert text not in seen_by_seller
    assert "to-seller-only" not in seen_by_buyer and "to-seller-only" in seen_by_seller
    # Scoring: the buyer's welcome carries its own scoring only.
    welcome = next(json.loads(json.dumps(f)) for f in buyer.frames if f["type"] == "welcome")
    assert welcome["brief"]["role"] == "buyer"
    assert "reservation_value" not in json.dumps(welcome["scenario"])
    assert '"created"' not in seen_by_buyer and '"created"' not in seen_by_seller
