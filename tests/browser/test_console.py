"""The facilitator console in a real browser: sign in, create a workshop, watch, pause."""

from __future__ import annotations

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
    await console.screenshot(path=ARTIFACTS / "facilitator-grid.png", full_page=True)
    await first.locator("button[data-action=pause]").click()
    await expect(first.locator("td").nth(1)).to_have_text("paused", timeout=10_000)
    await expect(seller.locator("#banner")).to_contain_text("paused")
