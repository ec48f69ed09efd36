"""The README's curl + WebSocket walk-through, replayed against a real server.

The moves are read from README.md itself, and each ``<`` line's kind, class and
seq must be what the server sends: the docs cannot drift from the behaviour.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import Running

README = Path(__file__).parents[2] / "README.md"


def _script() -> list[tuple[str, str]]:
    block = README.read_text().split("```text", 1)[1].split("```", 1)[0]
    steps = []
    for line in block.splitlines():
        match = re.match(r"^(seller|buyer) ?> (.*)$", line)
        if match:
            steps.append((match[1], match[2]))
        elif line.strip().startswith("<"):
            steps.append(("expect", line.strip()[1:].strip()))
    return steps


async def test_readme_walkthrough(server: Running) -> None:
    room = await server.room("fleet-lease")
    seller = await server.client()
    buyer = await server.client()
    assert (await seller.hello(room["seats"]["seller"]["token"]))["type"] == "welcome"
    assert (await buyer.hello(room["seats"]["buyer"]["token"]))["type"] == "welcome"
    await buyer.event("started")
    seats = {"seller": seller, "buyer": buyer}
    steps = _script()
    assert len([s for s in steps if s[0] != "expect"]) == 5
    for who, text in steps:
        if who != "expect":
            frame = json.loads(text)
            reply = await seats[who].move(
                frame.pop("kind"),
                frame.pop("id"),
                **{k: v for k, v in frame.items() if k != "type"},
            )
            assert reply["type"] == "ack", (text, reply)
            continue
        fields = dict(re.findall(r'"(kind|class|type|id)":"([a-z_0-9]+)"', text))
        fields.update({k: int(v) for k, v in re.findall(r'"(seq|offer)":(\d+)', text)})
        frames = seller.frames + buyer.frames
        assert any(all(f.get(k) == v for k, v in fields.items()) for f in frames), text
