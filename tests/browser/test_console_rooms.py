"""The console at work on a trainer's laptop (1366x768), in a real browser: controls
that follow each room's state, the rooms that need the facilitator first, a bot for a
participant who is gone (asked first), the transcript's terms and times, and a
sign-off card a manager can decide on."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from playwright.async_api import Browser, Dialog, Page, expect

from dealroom.server.scenarios.catalog import builtin_scenarios
from tests.server.wsclient import WsClient
from tests.serverproc import TOKEN, Process

from .test_join_page import ARTIFACTS

LAPTOP = {"width": 1366, "height": 768}


async def seated(process: Process, room: dict[str, Any], *names: str) -> list[WsClient]:
    """Participants in ``room``'s seats over the protocol (buyer, then seller), by name."""
    clients = []
    for role, name in zip(("buyer", "seller"), names, strict=False):
        client = await WsClient.connect(process.ws_url)
        welcome = await client.hello(room["seats"][role]["token"], name=name)
        assert welcome["type"] == "welcome", welcome
        clients.append(client)
    return clients


async def console(browser: Browser, process: Process) -> Page:
    page = await browser.new_page(viewport=LAPTOP)  # type: ignore[arg-type]
    await page.goto(f"{process.base}/#token={TOKEN}")
    await expect(page.locator("#grid")).to_be_visible(timeout=10_000)
    return page


async def enabled(page: Page, room: str) -> dict[str, bool]:
    """Which of a grid row's controls are enabled."""
    return await page.evaluate(  # type: ignore[no-any-return]
        """room => Object.fromEntries(
             [...document.querySelectorAll(`#grid tr[data-room="${room}"] button[data-action]`)]
               .map(b => [b.dataset.action, !b.disabled]))""",
        room,
    )


async def test_grid_controls_follow_state_and_rooms_that_need_me_come_first(
    process: Process, browser: Browser
) -> None:
    await process.start()
    workshop = await process.api("POST", "/api/workshops", {"scenario": "fleet-lease", "rooms": 5})
    waiting, running, paused, ended, gone = (r["id"] for r in workshop["rooms"])
    rooms = {r["id"]: r for r in workshop["rooms"]}
    clients = []
    for room in (running, paused, ended, gone):
        clients += await seated(process, rooms[room], "Ana", "Sid")
    await process.api("POST", f"/api/rooms/{paused}/pause")
    await process.api("POST", f"/api/rooms/{ended}/end")
    page = await console(browser, process)
    await expect(page.locator(f'#grid tr[data-room="{paused}"]')).to_have_attribute(
        "data-phase", "paused", timeout=10_000
    )
    await expect(page.locator(f'#grid tr[data-room="{ended}"]')).to_have_attribute(
        "data-phase", "ended"
    )
    assert await enabled(page, waiting) == {
        "pause": False, "resume": False, "extend": True, "end": True}  # fmt: skip
    assert await enabled(page, running) == {
        "pause": True, "resume": False, "extend": True, "end": True}  # fmt: skip
    assert await enabled(page, paused) == {
        "pause": False, "resume": True, "extend": True, "end": True}  # fmt: skip
    assert await enabled(page, ended) == {
        "pause": False, "resume": False, "extend": False, "end": False}  # fmt: skip
    row = page.locator(f'#grid tr[data-room="{running}"]')
    await expect(row.locator("td.seat[data-role=buyer] .who")).to_have_text("Ana")
    await expect(row.locator("td.seat[data-role=seller] .presence")).to_have_text("here")

    # In label order while nobody needs the facilitator (the ended room last) ...
    order = "rows => rows.map(r => r.dataset.room)"
    assert await page.locator("#grid tbody tr").evaluate_all(order) == [
        waiting, running, paused, gone, ended]  # fmt: skip
    # ... until Room 5's buyer leaves: their room comes first, marked.
    await clients[6].close()
    first = page.locator("#grid tbody tr").first
    await expect(first).to_have_attribute("data-room", gone, timeout=15_000)
    await expect(first.locator(".flag-gone")).to_have_text(re.compile(r"Ana away since \d\d:\d\d"))
    await expect(first.locator("td.seat[data-role=buyer] .presence")).to_contain_text("away since")
    for client in clients:
        await client.close()


async def test_a_bot_replaces_a_participant_who_is_gone_only_when_asked(
    process: Process, browser: Browser
) -> None:
    await process.start()
    workshop = await process.api("POST", "/api/workshops", {"scenario": "fleet-lease", "rooms": 1})
    room = workshop["rooms"][0]
    ana, sid = await seated(process, room, "Ana", "Sid")
    page = await console(browser, process)
    await page.locator("#grid .link-button").first.click()
    bot_buyer, bot_seller = page.locator("#bot-buyer"), page.locator("#bot-seller")
    await expect(bot_buyer).to_be_disabled(timeout=10_000)  # Ana is here
    await expect(bot_seller).to_be_disabled()
    await ana.close()
    await expect(bot_buyer).to_be_enabled(timeout=15_000)  # gone: her `left` is recorded
    await expect(bot_seller).to_be_disabled()  # Sid is still here

    asked: list[str] = []

    async def answer(dialog: Dialog, accept: bool) -> None:
        asked.append(dialog.message)
        await (dialog.accept() if accept else dialog.dismiss())

    page.once("dialog", lambda d: asyncio.ensure_future(answer(d, False)))
    await bot_buyer.click()
    for _ in range(50):
        if asked:
            break
        await page.wait_for_timeout(100)
    assert re.fullmatch(r"Replace Ana \(buyer, away since \d\d:\d\d\) with a bot\?", asked[0])
    await page.wait_for_timeout(1000)
    detail = await process.api("GET", f"/api/rooms/{room['id']}")
    assert [e for e in detail["events"] if e["kind"] == "joined" and e["by"] == "buyer"] == [
        e for e in detail["events"] if e["kind"] == "joined" and e.get("name") == "Ana"
    ]  # no bot joined
    await expect(page.locator(".seat-card[data-role=buyer] .presence")).to_contain_text("away")

    page.once("dialog", lambda d: asyncio.ensure_future(answer(d, True)))
    await bot_buyer.click()
    buyer = page.locator(".seat-card[data-role=buyer]")
    await expect(buyer.locator(".who")).to_have_text(re.compile(r"bot$"), timeout=15_000)
    await expect(buyer.locator(".presence")).to_have_text("here")
    await expect(bot_buyer).to_be_disabled()
    assert len(asked) == 2
    await sid.close()


def _shown(value: float) -> str:
    """A score as the console writes it in English: at most one decimal."""
    return f"{round(value, 1):,.1f}".removesuffix(".0")


async def test_sign_off_card_and_transcript_give_a_manager_what_to_decide_on(
    process: Process, browser: Browser
) -> None:
    await process.start()
    workshop = await process.api(
        "POST", "/api/workshops", {"scenario": "equipment-purchase", "rooms": 2}
    )
    room = workshop["rooms"][0]
    bea, sid = await seated(process, room, "Bea", "Sid")
    scenario = builtin_scenarios()["equipment-purchase"]
    first = {i.id: (i.options[0] if i.options else i.min) for i in scenario.issues}
    theirs = {**first, "price": 980_000, "delivery": 20}
    asked = {**first, "price": 930_000, "delivery": 16}  # the buyer's limit is 920,000
    assert (await sid.move("offer", terms=theirs))["type"] == "ack"
    assert (await sid.move("offer", terms={**theirs, "price": 970_000}))["type"] == "ack"
    assert (await bea.move("offer", terms=asked))["type"] == "ack"  # waits for sign-off

    page = await console(browser, process)
    row = page.locator(f'#grid tr[data-room="{room["id"]}"]')
    await expect(page.locator("#grid tbody tr").first).to_have_attribute("data-room", room["id"])
    count = page.locator("#signoffs")
    await expect(count).to_have_attribute("data-count", "1", timeout=10_000)
    await expect(count).to_contain_text("1 sign-off waiting")
    assert (await page.title()).startswith("(1) dealroom")
    await count.click()  # opens the room where it waits
    card = page.locator("#approvals .signoff")
    await expect(card).to_have_count(1, timeout=10_000)
    await expect(card.locator("h3")).to_contain_text("The buyer (Bea) wants to make this offer")
    await expect(card.locator(".limits")).to_have_text(
        "Price of the line: limit 920,000 EUR, asks 930,000 EUR"
    )
    table = card.locator("table.package")
    rows = await table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"
    )
    assert len(rows) == len(scenario.issues) + 1  # every issue, then the worth
    prices = rows[[i.id for i in scenario.issues].index("price")]
    assert prices == ["Price of the line", "930,000 EUR", "970,000 EUR"]  # asked; their standing
    delivery = rows[[i.id for i in scenario.issues].index("delivery")]
    assert delivery == ["Delivery and installation", "16 weeks", "20 weeks"]
    worth = rows[-1]
    rv = scenario.roles["buyer"].reservation_value
    assert worth[0] == f"Worth to the buyer (walk-away value {_shown(rv)})"
    for shown, terms in zip(worth[1:], (asked, {**theirs, "price": 970_000}), strict=True):
        score = scenario.score("buyer", terms)
        side = "above" if round(score - rv, 1) >= 0 else "below"
        assert shown.startswith(_shown(score)), (shown, score)
        assert f"{_shown(abs(round(score - rv, 1)))} {side} walk-away" in shown, shown

    # The transcript: each offer's time and terms, what changed as old -> new.
    log = page.locator("#transcript")
    offers = log.locator("li[data-kind=offer]")
    await expect(offers).to_have_count(2)
    second = offers.first  # newest first
    await expect(second.locator(".at")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))
    await expect(second.locator(".who")).to_have_text("seller (Sid)")
    await expect(second.locator(".moved")).to_have_count(1)  # only the price moved
    await expect(second.locator(".moved")).to_have_text(
        re.compile(r"Price of the line\s*980,000 EUR → 970,000 EUR")
    )
    await expect(offers.last.locator(".offer-terms > div")).to_have_count(len(scenario.issues))
    await expect(log.locator("li[data-kind=approval_requested]")).to_contain_text("needs sign-off")
    await page.screenshot(path=ARTIFACTS / "console-sign-off-1366.png")

    await card.locator(".sign-off-note").fill("Go ahead: the CFO agrees.")
    await card.locator("button[data-decision=approve]").click()
    await expect(count).to_have_attribute("data-count", "0", timeout=10_000)
    await expect(page.locator("#approvals")).to_have_count(0)
    await expect(row.locator(".approval-badge")).to_have_count(0)
    assert not (await page.title()).startswith("(")
    await expect(offers).to_have_count(3)  # the buyer's offer, signed off, is on the table
    await expect(log.locator("li[data-kind=approval_decided]")).to_contain_text(
        "Go ahead: the CFO agrees."
    )
    await page.screenshot(path=ARTIFACTS / "console-room-1366.png")
    for client in (bea, sid):
        await client.close()
