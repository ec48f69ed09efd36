"""The participant's room tells a first-timer what to do: whose turn it is, why a control
is off (and then it is off: no move that cannot succeed is sent), an honest connection
that says "reconnecting" when the network stalls and what happened meanwhile, and a
composer that starts from the participant's best package and checks values before
sending, in the participant's language."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.netproxy import FlakyLink
from tests.serverproc import Process

PHONE: ViewportSize = {"width": 360, "height": 740}
LAPTOP: ViewportSize = {"width": 1280, "height": 900}


async def _enter(browser: Browser, url: str, name: str, viewport: ViewportSize = PHONE) -> Page:
    page = await browser.new_page(viewport=viewport)
    page.on("dialog", lambda dialog: dialog.accept())
    await page.goto(url)
    await page.fill("#display-name", name)
    await page.click("#namebox button")
    await expect(page.locator("#link")).to_have_attribute("data-state", "online", timeout=10_000)
    return page


async def _why(page: Page, control: str) -> str:
    """The reason shown beside a disabled control (its aria-describedby), or ""."""
    text: str = await page.evaluate(
        """(id) => { const el = document.getElementById(id);
                     const why = el.getAttribute("aria-describedby");
                     return why ? document.getElementById(why).textContent : ""; }""",
        control,
    )
    return text


async def _expect_off(page: Page, control: str, reason: str) -> None:
    await expect(page.locator(f"#{control}")).to_be_disabled()
    assert reason in await _why(page, control), (control, await _why(page, control))


async def _events(process: Process, room: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    detail = await process.api("GET", f"/api/rooms/{room['id']}")
    return [e for e in detail["events"] if e["kind"] == kind]


async def test_a_phone_participant_always_sees_whose_turn_and_why_a_control_is_off(
    process: Process, browser: Browser
) -> None:
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "fleet-lease"})
    buyer = await _enter(browser, room["seats"]["buyer"]["url"], "Ana")
    # Alone in the room: waiting, and nothing but a message can be sent.
    await expect(buyer.locator("#now")).to_have_text("Waiting for your counterpart to join")
    for control in ("offer", "concede", "accept", "reject", "walk"):
        await _expect_off(buyer, control, "has not joined yet")
    await expect(buyer.locator("#send")).to_be_enabled()
    await expect(buyer.locator("#presence")).to_contain_text("not here yet")

    seller = await _enter(browser, room["seats"]["seller"]["url"], "Ben", LAPTOP)
    # fleet-lease takes turns and the seller opens.
    await expect(buyer.locator("#now")).to_have_text("The seller's turn: wait for their offer")
    await expect(buyer.locator("#presence")).to_have_text("Seller (Ben): here")
    await _expect_off(buyer, "offer", "It is the seller's turn to make an offer.")
    await _expect_off(buyer, "accept", "They have no offer on the table.")
    await expect(seller.locator("#now")).to_have_text("Your turn: make an offer")
    await expect(seller.locator("#offer")).to_be_enabled()
    await _expect_off(seller, "concede", "Your first offer cannot be a concession")

    await seller.click("#offer")
    # The counterpart's offer arrives as a banner that cannot be missed.
    await expect(buyer.locator("#banner")).to_contain_text("The seller made a new offer (opening)")
    await expect(buyer.locator("#now")).to_have_text(
        "Your turn: answer their offer or make a counter-offer"
    )
    await expect(buyer.locator("#accept")).to_be_enabled()
    await expect(buyer.locator("#offer")).to_be_enabled()
    await _expect_off(seller, "offer", "It is the buyer's turn to make an offer.")

    # Paused: said at the top with the time left, and every control off with the reason.
    await process.api("POST", f"/api/rooms/{room['id']}/pause")
    await expect(buyer.locator("#now")).to_have_text("Paused by the facilitator")
    await expect(buyer.locator("#clock")).to_contain_text("left when it resumes")
    for control in ("offer", "accept", "reject", "walk", "send"):
        await _expect_off(buyer, control, "The facilitator has paused the room.")
    await process.api("POST", f"/api/rooms/{room['id']}/resume")
    await expect(buyer.locator("#accept")).to_be_enabled()

    # Past the buyer's authority (above 675 a month): the offer waits for sign-off, and
    # until it is decided the buyer cannot send another or accept.
    await buyer.fill("#issue-monthly_rate", "690")
    await expect(buyer.locator("#beyond")).to_contain_text("sign-off")
    await buyer.click("#offer")
    await expect(buyer.locator("#now")).to_have_text("Waiting for your manager's sign-off")
    for control in ("offer", "concede", "accept"):
        await _expect_off(buyer, control, "waits for your manager's sign-off")
    request = (await _events(process, room, "approval_requested"))[0]
    await process.api(
        "POST", f"/api/rooms/{room['id']}/approvals/{request['seq']}", {"approve": True}
    )
    await expect(buyer.locator("#banner")).to_contain_text("Signed off")
    # The seller's opening still stands: the buyer may still take it.
    await expect(buyer.locator("#now")).to_have_text(
        "The seller's turn: you may still accept or reject their offer"
    )

    # A concession must be one: the same terms again are refused here, not sent.
    await seller.fill("#issue-monthly_rate", "720")
    await _expect_off(seller, "concede", "Not a concession: nothing changed")
    await seller.fill("#issue-monthly_rate", "675")  # inside the buyer's authority
    await expect(seller.locator("#concede")).to_be_enabled()
    await seller.click("#concede")
    await expect(buyer.locator("#theirs")).to_contain_text("→")  # old -> new
    await buyer.click("#accept")
    for page in (buyer, seller):
        await expect(page.locator("#final")).to_contain_text("Agreement reached", timeout=10_000)
        await expect(page.locator("#now")).to_have_text("Deal reached: the room has ended")
        await expect(page.locator("#send")).to_be_disabled()
    # Nothing the pages sent was refused: every control that was on could succeed.
    for page in (buyer, seller):
        assert await page.locator("#banner [data-kind=error]").count() == 0


async def test_a_stalled_network_says_reconnecting_and_then_what_happened(
    process: Process, browser: Browser
) -> None:
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "fleet-lease"})
    link = FlakyLink(process.port)
    await link.start()
    try:
        url = room["seats"]["buyer"]["url"].replace(f":{process.port}/", f":{link.port}/")
        buyer = await _enter(browser, url, "Ana")
        seller = await _enter(browser, room["seats"]["seller"]["url"], "Ben")
        await expect(buyer.locator("#now")).to_contain_text("seller's turn")
        # The network goes away but the socket stays open: no close, no error.
        link.stall()
        stalled = time.monotonic()
        await expect(buyer.locator("#link")).to_have_attribute(
            "data-state", "offline", timeout=10_000
        )
        assert time.monotonic() - stalled < 10
        await expect(buyer.locator("#now")).to_contain_text("Reconnecting")
        await _expect_off(buyer, "walk", "Reconnecting")
        # Meanwhile the seller opens and asks a question.
        await seller.click("#offer")
        await seller.fill("#text", "How many vans in the first year?")
        await seller.select_option("#intent", "question")
        await seller.click("#send")
        await expect(seller.locator("#log > li")).to_have_count(2)
        link.restore()
        await expect(buyer.locator("#link")).to_have_attribute(
            "data-state", "online", timeout=15_000
        )
        banner = buyer.locator("#banner")
        await expect(banner).to_contain_text("While you were away, 2 new events")
        await expect(banner).to_contain_text("the seller made an offer (opening)")
        await expect(banner).to_contain_text("the seller asked a question")
        await expect(buyer.locator("#accept")).to_be_enabled()
        await expect(buyer.locator("#log > li")).to_have_count(2)
    finally:
        await link.close()


async def test_the_composer_starts_from_the_best_package_and_checks_values_first(
    process: Process, browser: Browser
) -> None:
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "fleet-lease"})
    seller = await _enter(browser, room["seats"]["seller"]["url"] + "?lang=es", "Ben")
    await _enter(browser, room["seats"]["buyer"]["url"], "Ana")
    # The seller's best: the highest rate, the longest term, the fewest kilometres,
    # full service, the latest delivery (fleet-lease's seller prefers each that way).
    await expect(seller.locator("#issue-monthly_rate")).to_have_value("720")
    await expect(seller.locator("#issue-lease_term input[value='60 months']")).to_be_checked()
    await expect(seller.locator("#issue-mileage")).to_have_value("20000")
    await expect(seller.locator("#issue-delivery")).to_have_value("18")
    # Each number shows its range, in the page's language.
    await expect(seller.locator("#issue-monthly_rate-range")).to_contain_text("540 \u2013 720 EUR")
    await expect(seller.locator("#issue-monthly_rate-range")).to_contain_text("saltos de 15")
    # Out of range: refused on the page, in Spanish, and nothing goes to the server.
    await seller.fill("#issue-monthly_rate", "999")
    error = seller.locator("#issue-monthly_rate-error")
    await expect(error).to_have_text("Introduce un valor de 540 EUR a 720 EUR.")
    await expect(seller.locator("#issue-monthly_rate")).to_have_attribute("aria-invalid", "true")
    await _expect_off(seller, "offer", "Corrige primero los valores marcados arriba.")
    await seller.locator("#offer").click(force=True)  # a click on the disabled button
    await seller.fill("#issue-monthly_rate", "700")  # off the 15 steps from 540
    await expect(error).to_have_text("Usa saltos de 15 EUR a partir de 540 EUR.")
    await asyncio.sleep(0.5)
    assert await _events(process, room, "offer") == []
    # The stepper moves by the issue's step and stops at its ends.
    await seller.fill("#issue-monthly_rate", "705")
    await seller.click("#issue-monthly_rate ~ button")  # the + beside the box
    await expect(seller.locator("#issue-monthly_rate")).to_have_value("720")
    await expect(seller.locator("#issue-monthly_rate ~ button")).to_be_disabled()
    await seller.click("#offer")
    for _ in range(50):
        if offers := await _events(process, room, "offer"):
            break
        await asyncio.sleep(0.1)
    assert offers[0]["terms"]["monthly_rate"] == 720
    assert offers[0]["terms"]["lease_term"] == "60 months"
    # The next offer starts from the last one sent.
    await expect(seller.locator("#issue-monthly_rate")).to_have_value("720")


async def test_every_built_in_scenario_reads_in_each_language(
    process: Process, browser: Browser
) -> None:
    """?lang=nl|es|id|ms: the interface and each built-in scenario's own words (title,
    brief, issue labels, option labels) in that language, for both seats."""
    await process.start()
    scenarios = await process.api("GET", "/api/scenarios")
    assert len(scenarios) >= 3
    for listed in scenarios:
        scenario = await process.api("GET", f"/api/scenarios/{listed['id']}")
        room = await process.api("POST", "/api/rooms", {"scenario": scenario["id"]})
        for lang, heading in (
            ("nl", "Jouw briefing"),
            ("es", "Tu información"),
            ("id", "Brief Anda"),
            ("ms", "Taklimat anda"),
        ):
            words = scenario["translations"][lang]
            for role in ("buyer", "seller"):
                page = await browser.new_page(viewport=PHONE)
                await page.goto(f"{room['seats'][role]['url']}?lang={lang}&name=Ana")
                await expect(page.locator("#title")).to_have_text(words["title"], timeout=10_000)
                await expect(page.locator("#brief-h")).to_have_text(heading)
                brief = words["roles"][role]["brief"]
                await expect(page.locator("#brief")).to_contain_text(brief[:60])
                for issue in scenario["issues"]:
                    own = words["issues"][issue["id"]]
                    control = page.locator(f"#issue-{issue['id']}")
                    if issue["kind"] == "options":
                        labels = await control.locator(".choice span").all_text_contents()
                        assert labels == own["options"], (scenario["id"], lang, issue["id"])
                        await expect(control.locator("legend")).to_have_text(own["label"])
                    else:
                        await expect(page.locator(f"label[for=issue-{issue['id']}]")).to_have_text(
                            own["label"]
                        )
                assert await page.evaluate("window.I18N.missing()") == []
                await page.close()


async def test_a_deadlock_is_said_at_the_top_until_someone_concedes(
    process: Process, browser: Browser
) -> None:
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "equipment-purchase"})
    buyer = await _enter(browser, room["seats"]["buyer"]["url"], "Ana")
    seller = await _enter(browser, room["seats"]["seller"]["url"], "Ben", LAPTOP)
    # equipment-purchase has free turns and calls a deadlock after 4 offers without a
    # concession: the seller's opening, then the same package three times.
    for sent in range(1, 5):
        await seller.click("#offer")
        await expect(seller.locator("#log > li[data-kind=offer]")).to_have_count(sent)
    await expect(buyer.locator("#deadlock")).to_contain_text("no concession in the last 4 offers")
    await expect(buyer.locator("#deadlock")).to_contain_text("One side needs to concede")
    price = int(await seller.locator("#issue-price").input_value())
    await seller.fill("#issue-price", str(price - 10_000))
    await seller.click("#concede")
    await expect(buyer.locator("#deadlock")).to_have_count(0)


async def test_the_same_seat_in_a_second_tab_is_said_on_both(
    process: Process, browser: Browser
) -> None:
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "fleet-lease"})
    first = await _enter(browser, room["seats"]["buyer"]["url"], "Ana")
    await expect(first.locator("#elsewhere")).to_have_count(0)
    second = await _enter(browser, room["seats"]["buyer"]["url"], "Ana")
    # The newer page learns it at once; the older one at its next heartbeat.
    for page in (second, first):
        await expect(page.locator("#elsewhere")).to_contain_text(
            "also open in another tab or device", timeout=10_000
        )
    await second.close()
    await expect(first.locator("#elsewhere")).to_have_count(0, timeout=10_000)
