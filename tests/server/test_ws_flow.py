"""A negotiation end to end over real sockets, on both subprotocols."""

from __future__ import annotations

import msgspec
import pytest

from tests.support import terms

from .conftest import Running
from .wsclient import JSON_SUB, MSGPACK_SUB

BOTH = pytest.mark.parametrize("sub", [JSON_SUB, MSGPACK_SUB])


@BOTH
async def test_welcome_carries_role_state_scenario_and_own_brief(server: Running, sub: str) -> None:
    room = await server.room()
    buyer = await server.client(sub)
    welcome = await buyer.hello(room["seats"]["buyer"]["token"], name="Ana")
    assert welcome["type"] == "welcome"
    assert welcome["room"] == room["id"]
    assert welcome["role"] == "buyer"
    assert welcome["protocol"] == 1
    assert welcome["seq"] == 1
    assert welcome["state"]["phase"] == "waiting"
    assert [i["id"] for i in welcome["scenario"]["issues"]] == ["price", "warranty", "delivery"]
    assert welcome["brief"]["role"] == "buyer"
    assert "BUYER-SECRET" in welcome["brief"]["text"]
    assert welcome["full_scenario"] is None
    joined = await buyer.event("joined")
    assert joined["by"] == "buyer" and joined["name"] == "Ana" and joined["seq"] == 2


@BOTH
async def test_negotiation_to_agreement(server: Running, sub: str) -> None:
    room, buyer, seller = await server.seated(sub)

    opening = await buyer.move("offer", terms=terms(price=110, warranty="3 years", delivery=2))
    assert opening["type"] == "ack"
    event = await seller.event("offer", by="buyer")
    assert event["seq"] == opening["seq"]
    assert event["class"] == "opening" and event["by"] == "buyer"
    assert event["terms"] == {"price": 110, "warranty": "3 years", "delivery": 2}

    assert (await seller.move("offer", terms=terms(190, "2 years", 12)))["type"] == "ack"
    assert (await buyer.event("offer", by="seller"))["class"] == "opening"

    conceded = await buyer.move("concede", terms=terms(130, "3 years", 2))
    assert conceded["type"] == "ack"
    assert (await seller.event("offer", by="buyer"))["class"] == "concession"

    trade = await seller.move(
        "offer", terms=terms(170, "1 year", 12)
    )  # gives price, takes warranty
    assert trade["type"] == "ack"
    assert (await buyer.event("offer", by="seller"))["class"] == "trade"

    hard = await buyer.move("offer", terms=terms(120, "3 years", 2))
    assert (await seller.event("offer", by="buyer"))["class"] == "hardening"
    assert hard["type"] == "ack"

    same = await buyer.move("offer", terms=terms(120, "3 years", 2))
    assert same["type"] == "ack"
    assert (await seller.event("offer", by="buyer"))["class"] == "repeat"

    question = await seller.move("message", text="What drives the date?", intent="question")
    assert question["type"] == "ack"
    message = await buyer.event("message")
    assert message["intent"] == "question" and message["text"] == "What drives the date?"

    final = await seller.move("offer", terms=terms(150, "2 years", 4))
    accepted = await buyer.move("accept", offer=final["seq"])
    assert accepted["type"] == "ack"
    for side in (buyer, seller):
        agreement = await side.event("agreement")
        assert agreement["terms"] == {"price": 150, "warranty": "2 years", "delivery": 4}
        assert agreement["offer"] == final["seq"]
        assert agreement["proposer"] == "seller" and agreement["acceptor"] == "buyer"
        ended = await side.event("ended")
        assert ended["outcome"] == "agreed"

    status, detail = await server.api("GET", f"/api/rooms/{room['id']}")
    assert status == 200
    assert detail["state"]["outcome"] == "agreed"
    seqs = [e["seq"] for e in detail["events"]]
    assert seqs == list(range(1, len(seqs) + 1))


@BOTH
async def test_deadlock_after_n_non_concessions(server: Running, sub: str) -> None:
    _, buyer, seller = await server.seated(sub)  # small scenario: deadlock_after = 3
    await buyer.move("offer", terms=terms(110, "3 years", 2))
    await seller.move("offer", terms=terms(190, "1 year", 12))
    assert not [f for f in buyer.events() if f["kind"] == "deadlock"]
    third = await buyer.move("offer", terms=terms(100, "3 years", 2))  # hardening
    deadlock = await seller.event("deadlock")
    assert deadlock["offers"] == 3 and deadlock["seq"] == third["seq"] + 1
    # Re-armed only by a concession.
    await seller.move("offer", terms=terms(200, "1 year", 12))
    await buyer.move("offer", terms=terms(100, "3 years", 2))
    await seller.move("concede", terms=terms(180, "1 year", 12))
    for _ in range(2):
        await buyer.move("offer", terms=terms(100, "3 years", 2))
        await seller.move("offer", terms=terms(180, "1 year", 12))
    await buyer.move("offer", terms=terms(100, "3 years", 2))
    await buyer.event("deadlock")
    assert len([f for f in seller.events() if f["kind"] == "deadlock"]) == 2


async def test_walk_away_ends_the_room(server: Running) -> None:
    _, buyer, seller = await server.seated()
    ack = await seller.move("walk_away", reason="Below our floor.")
    assert ack["type"] == "ack"
    walked = await buyer.event("walked_away")
    assert walked["reason"] == "Below our floor."
    assert (await buyer.event("ended"))["outcome"] == "walked_away"
    late = await buyer.move("offer", terms=terms())
    assert late["type"] == "error" and late["code"] == "room_ended"


async def test_turns_alternate_when_the_scenario_says_so(server: Running) -> None:
    _, buyer, seller = await server.seated(scenario="small-turns")
    early = await seller.move("offer", terms=terms())
    assert early["code"] == "not_your_turn"
    assert (await buyer.move("offer", terms=terms()))["type"] == "ack"
    again = await buyer.move("offer", terms=terms(140))
    assert again["code"] == "not_your_turn"
    assert (await seller.move("offer", terms=terms(190)))["type"] == "ack"


async def test_facilitator_watches_every_event_over_the_websocket(server: Running) -> None:
    room, buyer, _ = await server.seated()
    watcher = await server.client()
    welcome = await watcher.hello("facilitator-test-token", room=room["id"])
    assert welcome["role"] == "facilitator"
    assert welcome["full_scenario"]["roles"]["seller"]["brief"].startswith("SELLER-SECRET")
    created = await watcher.event("created")  # replayed: facilitator-only
    assert created["seq"] == 1
    await buyer.move("offer", terms=terms())
    assert (await watcher.event("offer", by="buyer"))["by"] == "buyer"
    status, _ = await server.api(
        "POST", f"/api/rooms/{room['id']}/message", {"text": "Psst, buyer", "to": "buyer"}
    )
    assert status == 200
    assert (await watcher.event("message"))["to"] == "buyer"
    assert (await buyer.event("message"))["text"] == "Psst, buyer"


async def test_observer_sees_public_events_and_cannot_move(server: Running) -> None:
    room, buyer, _ = await server.seated()
    observer = await server.client()
    welcome = await observer.hello(room["seats"]["observer"]["token"])
    assert welcome["role"] == "observer" and welcome["brief"] is None
    refused = await observer.move("offer", terms=terms())
    assert refused["code"] == "forbidden"
    await buyer.move("offer", terms=terms())
    assert (await observer.event("offer", by="buyer"))["by"] == "buyer"
    assert all(f["kind"] != "created" for f in observer.events())


async def test_a_hello_in_a_language_gets_the_scenario_in_it(server: Running) -> None:
    from dealroom.protocol import IssueText, RoleText, ScenarioText
    from dealroom.server.web.keys import CATALOG

    dutch = ScenarioText(
        title="Klein",
        issues={"warranty": IssueText(label="Garantie", options=("1 jaar", "2 jaar", "3 jaar"))},
        roles={"buyer": RoleText(title="Koper", public="Een koper.", brief="U koopt.")},
    )
    small = server.app[CATALOG].get("small")
    assert small is not None
    translated = msgspec.structs.replace(small, id="small-nl", translations={"nl": dutch})
    server.app[CATALOG].add(translated)
    room = await server.room("small-nl")
    buyer, seller = await server.client(), await server.client()
    welcome = await buyer.hello(room["seats"]["buyer"]["token"], lang="nl")
    scenario, brief = welcome["scenario"], welcome["brief"]
    assert list(scenario["translations"]) == ["nl"]
    assert scenario["translations"]["nl"]["issues"]["warranty"]["options"] == [
        "1 jaar",
        "2 jaar",
        "3 jaar",
    ]
    assert scenario["translations"]["nl"]["roles"]["buyer"]["brief"] == ""  # public view
    assert brief["translations"] == {"nl": {"title": "Koper", "public": "", "brief": "U koopt."}}
    assert [i["options"] for i in scenario["issues"] if i["id"] == "warranty"] == [
        list(small.issue("warranty").options)  # offers still carry the scenario's own values
    ]
    english = await seller.hello(room["seats"]["seller"]["token"])
    assert english["scenario"]["translations"] == {} and english["brief"]["translations"] == {}


@BOTH
async def test_a_hello_for_every_language_gets_every_translation(server: Running, sub: str) -> None:
    """``lang: "*"`` (a bot's hello) carries every language the scenario has, and no more."""
    from dealroom.protocol import IssueText, RoleText, ScenarioText
    from dealroom.server.web.keys import CATALOG

    texts = {
        "nl": ScenarioText(
            title="Klein",
            issues={"warranty": IssueText(label="Garantie")},
            roles={"seller": RoleText(title="Verkoper", public="Verkoopt.", brief="U verkoopt.")},
        ),
        "es": ScenarioText(title="Pequeño", issues={"price": IssueText(label="Precio")}),
    }
    small = server.app[CATALOG].get("small")
    assert small is not None
    server.app[CATALOG].add(msgspec.structs.replace(small, id="small-two", translations=texts))
    room = await server.room("small-two")
    seller = await server.client(sub)
    welcome = await seller.hello(room["seats"]["seller"]["token"], lang="*")
    scenario = welcome["scenario"]
    assert sorted(scenario["translations"]) == ["es", "nl"]
    assert scenario["translations"]["es"]["issues"]["price"]["label"] == "Precio"
    assert scenario["translations"]["nl"]["roles"]["seller"]["brief"] == ""  # public view
    assert welcome["brief"]["translations"] == {  # only the languages with this role's words
        "nl": {"title": "Verkoper", "public": "", "brief": "U verkoopt."}
    }
    # "*" is no language the seat shows: its joined names none.
    assert (await seller.event("joined", by="seller"))["lang"] == ""


@BOTH
async def test_joined_names_the_language_of_the_seats_first_connection(
    server: Running, sub: str
) -> None:
    room = await server.room()
    buyer, again, seller = await server.client(sub), await server.client(sub), await server.client()
    await buyer.hello(room["seats"]["buyer"]["token"], name="Ana", lang="es")
    await again.hello(room["seats"]["buyer"]["token"], lang="nl")  # a second tab: no joined
    await seller.hello(room["seats"]["seller"]["token"])
    await seller.event("started")
    joined = [(f["by"], f["name"], f["lang"]) for f in seller.events() if f["kind"] == "joined"]
    assert joined == [("buyer", "Ana", "es"), ("seller", "", "")]
