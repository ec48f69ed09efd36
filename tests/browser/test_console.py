"""The facilitator console in a real browser: sign in, create a workshop, watch, pause."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

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
    # Two participants join room 1 from the links in the grid; the grid follows live.
    first = rows.nth(0)
    seller_url = await first.locator("a", has_text="seller").get_attribute("href")
    buyer_url = await first.locator("a", has_text="buyer").get_attribute("href")
    assert seller_url and buyer_url
    seller = await _open(browser, seller_url)
    await _open(browser, buyer_url)
    await expect(first.locator("td").nth(1)).to_have_text("running", timeout=10_000)
    await seller.fill("#issue-monthly_rate", "705")
    await seller.click("#offer")
    await expect(first.locator("td").nth(2)).to_have_text("1", timeout=10_000)
    await expect(first.locator("td").nth(4)).to_have_text("seller offer")
    before = await first.locator("td").nth(6).inner_text()
    await first.locator("button[data-action=extend]").click()
    await expect(first.locator("td").nth(6)).not_to_have_text(before, timeout=10_000)
    minutes = int((await first.locator("td").nth(6).inner_text()).split(":")[0])
    assert minutes >= 24  # 20 minutes of the scenario plus 5
    await console.screenshot(path=ARTIFACTS / "facilitator-grid.png", full_page=True)
    await first.locator("button[data-action=pause]").click()
    await expect(first.locator("td").nth(1)).to_have_text("paused", timeout=10_000)
    await expect(seller.locator("#now")).to_have_text("Paused by the facilitator")
    # Whole-workshop controls: every room gets five more minutes, then everything pauses.
    await console.click("#extend-all")
    await console.click("#pause-all")
    await expect(rows.nth(1).locator("td").nth(1)).to_have_text("waiting")  # not started: refused
    await console.click("#resume-all")
    await expect(first.locator("td").nth(1)).to_have_text("running", timeout=10_000)
    minutes = int((await first.locator("td").nth(6).inner_text()).split(":")[0])
    assert minutes >= 29  # 20 + 5 (this room) + 5 (all rooms)


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


async def test_printable_seat_cards_have_a_qr_code_per_seat(
    process: Process, browser: Browser
) -> None:
    await process.start()
    workshop = await process.api("POST", "/api/workshops", {"scenario": "fleet-lease", "rooms": 2})
    page = await browser.new_page()
    await page.goto(f"{process.base}/#token={TOKEN}")
    await expect(page.locator("#grid tbody tr")).to_have_count(2, timeout=10_000)
    await page.goto(f"{process.base}/static/seats.html?workshop={workshop['id']}")
    cards = page.locator(".card")
    await expect(cards).to_have_count(5, timeout=10_000)  # the open link and four seats
    await page.wait_for_function(
        "[...document.querySelectorAll('.card img')].every(i => i.complete && i.naturalWidth > 0)",
        timeout=10_000,
    )
    await expect(page.locator(".cards")).to_contain_text(
        workshop["rooms"][1]["seats"]["seller"]["url"]
    )
