"""Bots of different strategies negotiate through a running server."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import msgspec
import pytest

from dealroom.bots.personas import PERSONAS
from dealroom.bots.seat import persona_bot
from dealroom.protocol import Scenario
from tests.server.wsclient import WsClient
from tests.serverproc import Process

from .test_languages import filled


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


@pytest.mark.parametrize("lang", ["es", "id"])
async def test_a_bot_writes_to_a_person_in_the_language_their_page_shows(
    process: Process, lang: str
) -> None:
    """A learner's page says hello in Spanish (Indonesian); the practice bot across the
    table writes to them in it, naming the issues as their page does."""
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "equipment-purchase"})
    person = await WsClient.connect(process.ws_url)
    welcome = await person.hello(room["seats"]["buyer"]["token"], name="Ana", lang=lang)
    assert list(welcome["scenario"]["translations"]) == [lang]
    seller = persona_bot(
        process.ws_url, room["seats"]["seller"]["token"], persona="expressive", pace=0, seed=3
    )
    playing = asyncio.create_task(seller.run(timeout=60))
    await person.event("started")
    issues = welcome["scenario"]["issues"]
    prefers = welcome["brief"]["prefers"]
    for step in range(12):  # the person concedes a little each time, as a learner might
        terms = {
            i["id"]: _nth(i, step if prefers[i["id"]] == "down" else -1 - step) for i in issues
        }
        reply = await person.move("offer", terms=terms)
        if reply["type"] == "error":
            break  # the room has ended (the bot accepted or left)
        await asyncio.sleep(0.3)
        if len(_said(person)) >= 4:
            break
    if not any(f["kind"] == "ended" for f in person.events()):
        await person.move("walk_away")
    assert await asyncio.wait_for(playing, 30) is not None
    await person.close()
    said = _said(person)

    assert said, "the expressive bot said nothing"
    text = welcome["scenario"]["translations"][lang]
    ours = [filled(t) for t in itertools.chain(*PERSONAS["expressive"].translations[lang].values())]
    english = [
        filled(t) for persona in PERSONAS.values() for t in itertools.chain(*persona.lines.values())
    ]
    for message in said:
        assert any(p.fullmatch(message) for p in ours), message
        assert not any(p.fullmatch(message) for p in english), message
        assert not any(i["label"].lower() in message.lower() for i in issues), message
    labels = [words["label"].lower() for words in text["issues"].values()]
    assert any(label in message for message in said for label in labels), said


def _said(person: WsClient) -> list[str]:
    return [f["text"] for f in person.events() if f["kind"] == "message" and f["by"] == "seller"]


def _nth(issue: dict[str, Any], rank: int) -> int | str:
    """The issue's value at ``rank`` (negative: from the top), kept within its domain."""
    if issue["kind"] == "options":
        options = issue["options"]
        return options[max(-len(options), min(len(options) - 1, rank))]
    values = range(issue["min"], issue["max"] + 1, issue["step"])
    return values[max(-len(values), min(len(values) - 1, rank))]
