"""A bot runner plays a real room through the public protocol."""

from __future__ import annotations

import asyncio

from dealroom.bots.bot import Bot, _Table
from dealroom.bots.negotiation import AcceptOffer, Action, Hold, Leave, Propose, Situation
from dealroom.bots.strategies import Strategy
from dealroom.protocol import Intent, Joined
from dealroom.protocol.scenario import EVERY_LANGUAGE
from tests.serverproc import Process


class Stepper(Strategy):
    """Concedes one step of the first issue per offer; accepts once the gap is small."""

    name = "stepper"

    def __init__(self, walk: bool = False) -> None:
        self.walk = walk

    def respond(self, situation: Situation) -> Action:
        if self.walk and situation.their_offers:
            return Leave("no deal")
        issue = situation.issues[0]
        down = situation.brief.prefers[issue.id] == "down"
        step = len(situation.my_offers)
        rank = step if down else issue.size() - 1 - step
        rank = max(0, min(issue.size() - 1, rank))
        terms = {i.id: i.value_at(0) for i in situation.issues} | {issue.id: issue.value_at(rank)}
        if (
            situation.standing is not None
            and abs(issue.rank(situation.standing[1][issue.id]) - rank) <= 1
        ):
            return AcceptOffer(situation.standing[0])
        if not situation.my_turn:
            return Hold()
        return Propose(terms)


async def test_two_bots_reach_an_agreement(process: Process) -> None:
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "equipment-purchase"})
    said: list[str] = []

    def talk(situation: Situation, rng: object) -> tuple[str, Intent] | None:
        said.append(situation.role)
        return ("Can we talk about the price?", Intent.QUESTION) if len(said) == 1 else None

    buyer = Bot(process.ws_url, room["seats"]["buyer"]["token"], Stepper(), talk=talk)
    seller = Bot(process.ws_url, room["seats"]["seller"]["token"], Stepper(), codec="msgpack")
    outcomes = await asyncio.gather(buyer.run(timeout=60), seller.run(timeout=60))
    assert outcomes == ["agreed", "agreed"]
    detail = await process.api("GET", f"/api/rooms/{room['id']}")
    offers = [e for e in detail["events"] if e["kind"] == "offer"]
    assert offers[0]["class"] == "opening" and offers[1]["class"] == "opening"
    assert {e["class"] for e in offers[2:]} == {"concession"}
    messages = [e for e in detail["events"] if e["kind"] == "message"]
    assert messages[0]["intent"] == "question"
    agreement = next(e for e in detail["events"] if e["kind"] == "agreement")
    assert set(agreement["terms"]) == {i["id"] for i in detail["events"][0]["scenario"]["issues"]}


async def test_a_bot_walks_away(process: Process) -> None:
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "fleet-lease"})
    buyer = Bot(process.ws_url, room["seats"]["buyer"]["token"], Stepper(walk=True))
    seller = Bot(process.ws_url, room["seats"]["seller"]["token"], Stepper())
    outcomes = await asyncio.gather(buyer.run(timeout=60), seller.run(timeout=60))
    assert outcomes == ["walked_away", "walked_away"]


def test_the_bot_learns_its_counterparts_language_from_their_joined() -> None:
    table = _Table(role="seller")
    table.fold(Joined(seq=2, at=1, by="seller", lang="nl"))  # its own: not the counterpart's
    assert table.their_language == ""
    table.fold(Joined(seq=3, at=1, by="buyer", name="Ana", lang="es"))
    assert table.their_language == "es"
    table.fold(Joined(seq=9, at=2, by="buyer", name="Bo"))  # someone else took the seat
    assert table.their_language == ""


def test_a_talking_bot_asks_for_every_language_and_a_silent_one_for_none() -> None:
    def talk(situation: Situation, rng: object) -> tuple[str, Intent] | None:
        return None

    assert Bot("ws://x/ws", "t", Stepper(), talk=talk).client.lang == EVERY_LANGUAGE
    assert Bot("ws://x/ws", "t", Stepper()).client.lang == ""
