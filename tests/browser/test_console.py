"""The facilitator console in a real browser: sign in, create a workshop, watch, pause."""

from __future__ import annotations

import re
from base64 import b64decode

import zxingcpp
from playwright.async_api import Browser, Page, expect

from tests.serverproc import TOKEN, Process

from .test_join_page import ARTIFACTS, _open


async def test_console_creates_a_workshop_and_sees_rooms_live(
    process: Process, browser: Browser
) -> None:
    await process.start()
    console = await browser.new_page(viewport={"width": 1280, "height": 800})
    console.on("dialog", lambda dialog: dialog.accept())
    await console.goto(process.base + "/")
    await console.fill("#token", "wrong")
    await console.click("#signin button")
    await expect(console.locator("#signin-error")).to_contain_text("not valid")
    await console.fill("#token", TOKEN)
    await console.click("#signin button")
    await console.select_option("#scenario", "fleet-lease")
    await console.fill("#rooms", "2")
    await console.fill("#wtitle", "Tuesday group")
    await console.click("#new-workshop button")
    rows = console.locator("#grid tbody tr")
    await expect(rows).to_have_count(2, timeout=10_000)
    await expect(console.locator("#open-link")).to_contain_text("/open/")
    # The rooms are sorted (those that need the facilitator first): follow each by its id.
    first_id, second_id = await rows.evaluate_all("rows => rows.map(r => r.dataset.room)")
    first = console.locator(f'#grid tr[data-room="{first_id}"]')
    second = console.locator(f'#grid tr[data-room="{second_id}"]')
    await expect(first.locator(".link-button")).to_have_text("Room 1")
    # Two participants join room 1 from the links in the grid; the grid follows live.
    seller_url = await first.locator("a.join[data-role=seller]").get_attribute("href")
    buyer_url = await first.locator("a.join[data-role=buyer]").get_attribute("href")
    assert seller_url and buyer_url
    seller = await _open(browser, seller_url, name="Sid")
    await _open(browser, buyer_url, name="Ana")
    phase, left = first.locator(".phase-name"), first.locator("td.phase .left")
    await expect(phase).to_have_text("running", timeout=10_000)
    await expect(first.locator("td.seat[data-role=buyer] .who")).to_have_text("Ana")
    await expect(first.locator("td.seat[data-role=buyer] .presence")).to_have_text("here")
    await seller.fill("#issue-monthly_rate", "705")
    await seller.click("#offer")
    await expect(first.locator(".offers")).to_have_text("1 offer", timeout=10_000)
    await expect(first.locator(".last-move .what")).to_have_text("seller offer")
    before = await left.inner_text()
    await first.locator("button[data-action=extend]").click()
    await expect(left).not_to_have_text(before, timeout=10_000)
    minutes = int((await left.inner_text()).split(":")[0])
    assert minutes >= 24  # 20 minutes of the scenario plus 5
    await console.screenshot(path=ARTIFACTS / "facilitator-grid.png", full_page=True)
    await first.locator("button[data-action=pause]").click()
    await expect(phase).to_have_text("paused", timeout=10_000)
    await expect(seller.locator("#now")).to_have_text("Paused by the facilitator")
    # Whole-workshop controls: every room gets five more minutes, then everything pauses.
    await console.click("#extend-all")
    await console.click("#pause-all")
    await expect(second.locator(".phase-name")).to_have_text("waiting")  # not started: refused
    await console.click("#resume-all")
    await expect(phase).to_have_text("running", timeout=10_000)
    minutes = int((await left.inner_text()).split(":")[0])
    assert minutes >= 29  # 20 + 5 (this room) + 5 (all rooms)
    # The dropdown names the workshop with its scenario; the create form starts afresh.
    await expect(console.locator("#workshop option")).to_have_count(1)
    await expect(console.locator("#workshop option").first).to_contain_text(
        "Tuesday group · Electric van fleet for Tidewater Parcel Services"
    )
    await expect(console.locator("#new-workshop")).to_be_hidden()
    await console.click("#new-workshop-open")
    await expect(console.locator("#wtitle")).to_have_value("")
    await expect(console.locator("#rooms")).to_have_value("4")


async def test_room_detail_shows_both_private_scores_and_mediates(
    process: Process, browser: Browser
) -> None:
    await process.start()
    workshop = await process.api("POST", "/api/workshops", {"scenario": "fleet-lease", "rooms": 1})
    room = workshop["rooms"][0]
    seller = await _open(browser, room["seats"]["seller"]["url"])
    buyer = await _open(browser, room["seats"]["buyer"]["url"])
    await seller.fill("#issue-monthly_rate", "705")
    await seller.click("#offer")
    console = await browser.new_page()
    console.on("dialog", lambda dialog: dialog.accept())
    await console.goto(f"{process.base}/#token={TOKEN}")
    await console.locator("#grid .link-button").first.click()
    scores = re.compile(r"\(opening\) · buyer \d+(\.\d)? · seller \d+(\.\d)?")
    await expect(console.locator("#transcript")).to_contain_text(scores, timeout=10_000)
    await console.fill("#say-text", "Think about the mileage")
    await console.select_option("#say-to", "buyer")
    await console.click("#say button")
    await expect(buyer.locator("#log")).to_contain_text("Think about the mileage", timeout=10_000)
    await expect(seller.locator("#log")).not_to_contain_text("Think about the mileage")
    await console.fill("#say-text", "Ten minutes left")
    await console.select_option("#say-to", "all")
    await console.click("#say button")
    await expect(seller.locator("#banner")).to_contain_text("Ten minutes left", timeout=10_000)


async def decoded_qr_codes(page: Page, images: str) -> list[list[str]]:
    """What a phone reads from each image ``images`` selects, as the page shows it: the
    image drawn on a white canvas, its grey levels handed to zxing-cpp's QR decoder."""
    size = 400
    greys = await page.evaluate(
        """([selector, size]) => [...document.querySelectorAll(selector)].map(img => {
             const canvas = document.createElement('canvas');
             canvas.width = canvas.height = size;
             const g = canvas.getContext('2d');
             g.fillStyle = '#fff'; g.fillRect(0, 0, size, size);
             g.drawImage(img, 0, 0, size, size);
             const rgba = g.getImageData(0, 0, size, size).data;
             let grey = '';
             for (let i = 0; i < rgba.length; i += 4) grey += String.fromCharCode(rgba[i + 1]);
             return btoa(grey);
           })""",
        [images, size],
    )
    return [
        [
            found.text
            for found in zxingcpp.read_barcodes(memoryview(b64decode(grey)).cast("B", (size, size)))
        ]
        for grey in greys
    ]


async def test_printable_seat_cards_open_from_the_console(
    process: Process, browser: Browser
) -> None:
    """The console's seat-cards link opens a new tab that is signed in (the opener hands
    over its sign-in: no token in any URL) and shows a card per seat whose QR code is
    that seat's join link."""
    await process.start()
    workshop = await process.api(
        "POST", "/api/workshops", {"scenario": "fleet-lease", "rooms": 2, "title": "Tuesday group"}
    )
    context = await browser.new_context(viewport={"width": 1366, "height": 768})
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    console = await context.new_page()
    await console.goto(f"{process.base}/#token={TOKEN}")
    await expect(console.locator("#grid tbody tr")).to_have_count(2, timeout=10_000)
    async with context.expect_page() as opened:
        await console.click("#print-seats")
    sheet = await opened.value
    await expect(sheet.locator("body")).to_have_attribute("data-ready", "true", timeout=10_000)
    await expect(sheet.locator("#error")).to_be_empty()
    await expect(sheet.locator("#signin")).to_be_hidden()
    await expect(sheet.locator("body")).not_to_contain_text("Bearer")
    await expect(sheet.locator("h1")).to_have_text("Seat cards · Tuesday group")
    await expect(sheet.locator("#print")).to_be_enabled()

    # The open link's card, then one per seat: workshop, room and role on each.
    cards = sheet.locator(".card")
    await expect(cards).to_have_count(5)
    expected = [("Open link", "For everyone", workshop["open_link"]["url"])] + [
        (room["label"], role, room["seats"][role]["url"])
        for room in workshop["rooms"]
        for role in ("buyer", "seller")
    ]
    for n, (heading, role, url) in enumerate(expected):
        card = cards.nth(n)
        await expect(card.locator(".workshop")).to_have_text("Tuesday group")
        await expect(card.locator("h2")).to_have_text(heading)
        await expect(card.locator(".role, .for")).to_contain_text(role)
        await expect(card.locator(".url")).to_have_text(url)
    # Every QR code reads as its card's link.
    assert await decoded_qr_codes(sheet, ".card img") == [[url] for _, _, url in expected]
    await sheet.screenshot(path=ARTIFACTS / "seat-cards.png", full_page=True)
    await sheet.pdf(path=ARTIFACTS / "seat-cards.pdf", format="A4")
    # The facilitator token was in no address the browser asked for (the console's own
    # #token= fragment is never sent).
    assert urls and not [url for url in urls if TOKEN in url.split("#")[0]]
    await context.close()


async def test_a_seat_cards_tab_without_the_sign_in_asks_for_it(
    process: Process, browser: Browser
) -> None:
    await process.start()
    workshop = await process.api("POST", "/api/workshops", {"scenario": "fleet-lease", "rooms": 1})
    page = await browser.new_page()
    await page.goto(f"{process.base}/static/seats.html?workshop={workshop['id']}")
    await expect(page.locator("#signin")).to_contain_text("open it from the console")
    await page.fill("#signin input", "wrong")
    await page.click("#signin button")
    await expect(page.locator("#signin")).to_contain_text("not valid")
    await page.fill("#signin input", TOKEN)
    await page.click("#signin button")
    await expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=10_000)
    await expect(page.locator(".card")).to_have_count(3)
    await expect(page.locator("#signin")).to_be_hidden()


async def test_the_create_form_keeps_what_was_typed_while_the_console_polls(
    process: Process, browser: Browser
) -> None:
    """The console redraws on every poll (2 s); a form field typed into must not snap
    back to its default meanwhile (it did: a workshop of 4 rooms for one asked with 0)."""
    await process.start()
    await process.api("POST", "/api/workshops", {"scenario": "fleet-lease", "rooms": 1})
    console = await browser.new_page(viewport={"width": 1280, "height": 800})
    await console.goto(f"{process.base}/#token={TOKEN}")
    await expect(console.locator("#grid tbody tr")).to_have_count(1, timeout=10_000)
    await console.click("#new-workshop-open")
    await console.fill("#rooms", "0")
    await console.fill("#capacity", "25")
    await console.wait_for_timeout(4500)  # two polls, each drawing the page again
    assert await console.input_value("#rooms") == "0"
    assert await console.input_value("#capacity") == "25"
    await console.click("#new-workshop button")
    await expect(console.locator("#open-link")).to_be_visible(timeout=10_000)
    workshops = await process.api("GET", "/api/workshops")
    [made] = [w for w in workshops if w["capacity"] == 25]
    assert made["room_count"] == 0, made
    await console.close()
