"""The participant room in a real browser: served by the server alone, text stays text,
and two pages negotiate to an agreement through the interface."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, expect

from tests.netproxy import FlakyLink
from tests.serverproc import Process

# Screenshots the tests take, kept as CI artifacts (a few are copied into docs/).
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
ARTIFACTS.mkdir(exist_ok=True)


async def _open(browser: Browser, url: str, width: int = 1280, name: str = "Sam") -> Page:
    page = await browser.new_page(viewport={"width": width, "height": 800})
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations say yes
    await page.goto(url)
    await _enter(page, name)
    return page


async def _enter(page: Page, name: str) -> None:
    """Type a display name (asked on a first visit) and wait until the room is online."""
    await expect(page.locator("#namebox")).to_be_visible(timeout=10_000)
    await page.fill("#display-name", name)
    await page.click("#namebox button")
    await expect(page.locator("#link")).to_have_attribute("data-state", "online", timeout=10_000)


async def test_join_page_loads_from_the_servers_own_origin_only(
    process: Process, browser: Browser
) -> None:
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "fleet-lease"})
    page = await browser.new_page()
    origin = urlsplit(process.base).netloc
    foreign: list[str] = []

    async def only_own_origin(route, request) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(request.url).netloc != origin:
            foreign.append(request.url)
            await route.abort()
        else:
            await route.continue_()

    await page.route("**/*", only_own_origin)
    await page.goto(room["seats"]["buyer"]["url"])
    await _enter(page, "Ana")
    await expect(page.locator("#brief")).to_contain_text("Tidewater")
    await expect(page.locator("#role")).to_have_text("buyer")
    # The language switch reloads the page in Dutch, still from the same origin.
    await page.select_option("#lang", "nl")
    await expect(page.locator("#brief-h")).to_have_text("Jouw briefing", timeout=10_000)
    await expect(page.locator("#role")).to_have_text("koper")
    # Accessible names are translated too, not only the visible text.
    await expect(page.locator("#clock")).to_have_attribute("aria-label", "Tijd over")
    await expect(page.locator("#lang")).to_have_attribute("aria-label", "Taal")
    await expect(page.locator("#intent")).to_have_attribute("aria-label", "Intentie")
    await page.goto(f"{process.base}/#token=process-test-token")
    # No workshop yet (the room above has none): the console opens on its create form.
    await expect(page.locator("#new-workshop")).to_be_visible(timeout=10_000)
    await page.goto(f"{process.base}/static/seats.html?workshop=none")
    await page.goto(f"{process.base}/open/none")
    assert foreign == []


async def test_messages_with_markup_are_shown_as_text(process: Process, browser: Browser) -> None:
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "fleet-lease"})
    page = await _open(browser, room["seats"]["seller"]["url"])
    attack = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
    await process.api("POST", f"/api/rooms/{room['id']}/message", {"text": attack})
    await expect(page.locator("#log")).to_contain_text(attack)
    assert await page.evaluate("window.pwned") is None
    assert await page.locator("#log img, #log script").count() == 0


async def test_two_pages_negotiate_to_an_agreement(process: Process, browser: Browser) -> None:
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "fleet-lease"})
    seller = await _open(browser, room["seats"]["seller"]["url"])
    buyer = await _open(browser, room["seats"]["buyer"]["url"], width=360)
    # The seller opens (fleet-lease takes turns, seller first) with a rate of 675, the
    # most the buyer may sign without the CFO.
    await seller.fill("#issue-monthly_rate", "675")
    await seller.check("#issue-lease_term input[value='60 months']")
    await seller.click("#offer")
    await expect(buyer.locator("#theirs")).to_contain_text("675", timeout=10_000)
    await expect(buyer.locator("#log")).to_contain_text("opening")
    await buyer.fill("#text", "Why 60 months?")
    await buyer.select_option("#intent", "question")
    await buyer.click("#talk button")
    await expect(seller.locator("#log")).to_contain_text("Why 60 months?")
    await buyer.screenshot(path=ARTIFACTS / "participant-phone.png", full_page=True)
    await buyer.click("#accept")
    for page in (buyer, seller):
        await expect(page.locator("#final")).to_contain_text("Agreement reached", timeout=10_000)
        await expect(page.locator("#final")).to_contain_text("675")
        await expect(page.locator("#final")).to_contain_text("60 months")
        await expect(page.locator("#debrief")).to_contain_text(
            "walk-away alternative", timeout=10_000
        )
    detail = await process.api("GET", f"/api/rooms/{room['id']}")
    agreement = next(e for e in detail["events"] if e["kind"] == "agreement")
    assert agreement["terms"]["monthly_rate"] == 675


async def test_a_page_that_drops_its_connection_catches_up_once(
    process: Process, browser: Browser
) -> None:
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "equipment-purchase"})
    link = FlakyLink(process.port)
    await link.start()
    try:
        buyer_url = room["seats"]["buyer"]["url"].replace(f":{process.port}/", f":{link.port}/")
        buyer = await _open(browser, buyer_url)
        seller = await _open(browser, room["seats"]["seller"]["url"])
        await seller.fill("#issue-price", "990000")
        await seller.click("#offer")
        await expect(buyer.locator("#log li")).to_have_count(1, timeout=10_000)
        link.cut()  # the buyer's network goes away in the middle of the negotiation
        await expect(buyer.locator("#link")).to_have_attribute("data-state", "offline")
        for price in ("980000", "970000"):
            await seller.fill("#issue-price", price)
            await seller.click("#concede")
            await seller.fill("#text", f"now {price}")
            await seller.click("#talk button")
        await expect(seller.locator("#log li")).to_have_count(5)
        # A message typed while offline waits, visibly, and goes out once on return.
        await buyer.fill("#text", "sent while offline")
        await buyer.click("#talk button")
        await expect(buyer.locator("#pending")).to_be_visible()
        link.restore()
        await expect(buyer.locator("#link")).to_have_attribute(
            "data-state", "online", timeout=15_000
        )
        await expect(buyer.locator("#log li")).to_have_count(6, timeout=10_000)
        await expect(buyer.locator("#pending")).to_be_hidden()
        await expect(seller.locator("#log")).to_contain_text("sent while offline")
        seller_texts = await seller.locator("#log li").all_inner_texts()
        assert sum("sent while offline" in t for t in seller_texts) == 1
        texts = await buyer.locator("#log li").all_inner_texts()
        assert sum("now 980000" in t for t in texts) == 1
        assert sum("now 970000" in t for t in texts) == 1
        await expect(buyer.locator("#theirs")).to_contain_text("970,000")
    finally:
        await link.close()


async def test_open_link_seats_arrivals_and_names_them(process: Process, browser: Browser) -> None:
    await process.start()
    workshop = await process.api("POST", "/api/workshops", {"scenario": "fleet-lease"})
    pages = []
    for person in ("Ana", "Budi"):
        page = await browser.new_page()
        await page.goto(workshop["open_link"]["url"])
        await page.fill("#name", person)
        await page.click("#arrive button")
        await expect(page.locator("#link")).to_have_attribute(
            "data-state", "online", timeout=10_000
        )
        pages.append(page)
    await expect(pages[0].locator("#role")).to_have_text("buyer")
    await expect(pages[1].locator("#role")).to_have_text("seller")
    assert pages[0].url.split("?")[0] != pages[1].url.split("?")[0]
    detail = await process.api("GET", "/api/rooms")
    room = next(r for r in detail if r["workshop"] == workshop["id"])
    # A seat's welcome can reach its page before its joined is committed.
    for _ in range(100):
        events = (await process.api("GET", f"/api/rooms/{room['id']}"))["events"]
        joined = {e["name"] for e in events if e["kind"] == "joined"}
        if len(joined) == 2:
            break
        await asyncio.sleep(0.05)
    assert joined == {"Ana", "Budi"}
    # Reloading the open link returns to the same seat.
    first_url = pages[0].url
    await pages[0].goto(workshop["open_link"]["url"])
    await pages[0].wait_for_url(first_url)


async def test_walk_away_from_the_page(process: Process, browser: Browser) -> None:
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "equipment-purchase"})
    buyer = await _open(browser, room["seats"]["buyer"]["url"])
    seller = await _open(browser, room["seats"]["seller"]["url"])
    await buyer.click("#offer")
    await expect(seller.locator("#theirs")).to_contain_text("EUR", timeout=10_000)
    await seller.click("#walk")
    for page in (buyer, seller):
        await expect(page.locator("#final")).to_contain_text("no deal", timeout=10_000)
        # The outcome comes first and no move can be sent any more.
        await expect(page.locator("#offer")).to_have_count(0)
        await expect(page.locator("#send")).to_be_disabled()


async def test_a_brief_with_markup_is_shown_as_text(tmp_path: Path, browser: Browser) -> None:
    from tests.scenarios.test_load import GOOD

    folder = tmp_path / "scenarios"
    folder.mkdir()
    attack = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
    (folder / "tiny.toml").write_text(GOOD.replace('brief = "You buy."', f"brief = '{attack}'"))
    process = Process(tmp_path / "data", "--scenarios", str(folder))
    await process.start()
    try:
        room = await process.api("POST", "/api/rooms", {"scenario": "tiny"})
        assert "seats" in room, room
        page = await _open(browser, room["seats"]["buyer"]["url"])
        await expect(page.locator("#brief")).to_have_text(attack)
        assert await page.evaluate("window.pwned") is None
        assert await page.locator("#brief *").count() == 0
    finally:
        process.stop()


async def test_keyboard_only_offer_and_accept(process: Process, browser: Browser) -> None:
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "equipment-purchase"})
    buyer = await _open(browser, room["seats"]["buyer"]["url"])
    seller = await _open(browser, room["seats"]["seller"]["url"])

    async def tab_to(page: Page, element_id: str) -> None:
        for _ in range(60):  # every control is reachable with Tab, in page order
            await page.keyboard.press("Tab")
            if (
                await page.evaluate("document.activeElement && document.activeElement.id")
                == element_id
            ):
                return
        raise AssertionError(f"Tab never reached #{element_id}")

    await tab_to(buyer, "issue-price")
    await buyer.keyboard.type("910000")  # inside the buyer's authority (920,000)
    await tab_to(buyer, "offer")
    await buyer.keyboard.press("Enter")
    await expect(seller.locator("#theirs")).to_contain_text("910,000", timeout=10_000)
    await tab_to(seller, "accept")
    await seller.keyboard.press("Enter")
    await expect(seller.locator("#final")).to_contain_text("Agreement reached", timeout=10_000)


async def test_a_dutch_page_reads_the_scenario_in_dutch_and_offers_its_values(
    process: Process, browser: Browser
) -> None:
    """fleet-lease carries Dutch words: a seat on ?lang=nl reads them (title, brief, issue
    labels, option labels) while the offers it sends keep the scenario's own values, and an
    English page in the same room reads English."""
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "fleet-lease"})
    seller = await _open(browser, room["seats"]["seller"]["url"] + "?lang=nl", width=360)
    buyer = await _open(browser, room["seats"]["buyer"]["url"])
    await expect(seller.locator("#title")).to_have_text(
        "Elektrische bestelwagens voor Tidewater Parcel Services"
    )
    await expect(seller.locator("#brief")).to_contain_text("Je bent Corporate Sales Manager")
    await expect(seller.locator("#issue-lease_term legend")).to_contain_text("Looptijd")
    options = await seller.locator("#issue-lease_term .choice span").all_text_contents()
    assert options == ["36 maanden", "48 maanden", "60 maanden"]
    await seller.fill("#issue-monthly_rate", "660")
    await seller.check("#issue-lease_term input[value='48 months']")  # by value: the wire's own
    await seller.click("#offer")
    await expect(buyer.locator("#theirs")).to_contain_text("48 months", timeout=10_000)
    await expect(buyer.locator("#title")).to_have_text(
        "Electric van fleet for Tidewater Parcel Services"
    )
    detail = await process.api("GET", f"/api/rooms/{room['id']}")
    offer = next(e for e in detail["events"] if e["kind"] == "offer")
    assert offer["terms"]["lease_term"] == "48 months" and offer["terms"]["monthly_rate"] == 660
    await expect(seller.locator("#log")).to_contain_text("48 maanden")


@pytest.mark.parametrize(
    ("lang", "heading", "role", "title", "lease_term"),
    [
        ("nl", "Jouw briefing", "koper", "Elektrische bestelwagens", "Looptijd"),
        (
            "es",
            "Tu información",
            "comprador",
            "Flota de furgonetas eléctricas",
            "Plazo del renting",
        ),
        ("id", "Brief Anda", "pembeli", "Armada van listrik", "Masa sewa"),
        ("ms", "Taklimat anda", "pembeli", "Armada van elektrik", "Tempoh pajakan"),
    ],
)
async def test_the_room_page_speaks_each_language_interface_and_scenario(
    process: Process,
    browser: Browser,
    lang: str,
    heading: str,
    role: str,
    title: str,
    lease_term: str,
) -> None:
    """Every interface string exists in every language (I18N.missing() is empty), and a
    buyer's page on ?lang=LANG shows the interface and fleet-lease's words in it."""
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "fleet-lease"})
    page = await _open(browser, room["seats"]["buyer"]["url"] + f"?lang={lang}", width=360)
    assert await page.evaluate("window.I18N.missing()") == []
    await expect(page.locator("#brief-h")).to_have_text(heading)
    await expect(page.locator("#role")).to_have_text(role)
    await expect(page.locator("#title")).to_contain_text(title)
    await expect(page.locator("#issue-lease_term legend")).to_contain_text(lease_term)
    assert await page.evaluate("document.documentElement.lang") == lang
