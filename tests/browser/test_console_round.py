"""A facilitator runs a round from the console: creates a workshop whose rooms start
together, opens the lobby for the projector, sees people arrive, starts every room at
once with one countdown, announces to all rooms, and reveals the debrief."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from tests.serverproc import TOKEN, Process

from .test_join_page import ARTIFACTS

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 740}
PROJECTOR = {"width": 1280, "height": 720}


async def _arrive(browser: Browser, url: str, name: str) -> Page:
    page = await browser.new_page(viewport=PHONE)  # type: ignore[arg-type]
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations say yes
    await page.goto(url)
    await page.fill("#name", name)
    await page.click("#arrive button")
    await expect(page.locator("#link")).to_have_attribute("data-state", "online", timeout=10_000)
    return page


async def test_a_round_end_to_end_from_the_console(process: Process, browser: Browser) -> None:
    await process.start()
    context = await browser.new_context(viewport=LAPTOP)  # type: ignore[arg-type]
    desk = await context.new_page()
    desk.on("dialog", lambda dialog: dialog.accept())
    await desk.goto(f"{process.base}/#token={TOKEN}")
    # No workshop yet: the page is the create form. Rooms will start together.
    await expect(desk.locator("#new-workshop")).to_be_visible(timeout=10_000)
    await desk.select_option("#scenario", "fleet-lease")
    await desk.fill("#wtitle", "Sales academy")
    await desk.fill("#rooms", "0")
    await desk.select_option("#start-mode", "together")
    await desk.click("#new-workshop button.primary")
    await expect(desk.locator("#round-state")).to_have_text(re.compile("Round not started"))
    workshop = (await process.api("GET", "/api/workshops"))[0]
    assert workshop["start"] == "together"

    # The lobby opens from the console, for the projector: the code and the QR.
    async with context.expect_page() as opened:
        await desk.click("#lobby-link")
    lobby = await opened.value
    await lobby.set_viewport_size(PROJECTOR)  # type: ignore[arg-type]
    code = workshop["code"]
    await expect(lobby.locator("#code")).to_have_text(f"{code[:3]} {code[3:]}", timeout=10_000)
    await lobby.wait_for_function("document.getElementById('qr').naturalWidth > 0")

    # People arrive through the open link: named on the lobby, held in their room.
    detail = await process.api("GET", f"/api/workshops/{workshop['id']}")
    ana = await _arrive(browser, detail["open_link"]["url"], "Ana")
    sam = await _arrive(browser, detail["open_link"]["url"], "Sam")
    await expect(lobby.locator("#names li")).to_have_text(["Sam", "Ana"], timeout=5_000)
    await lobby.screenshot(path=ARTIFACTS / "lobby.png")
    for page in (ana, sam):
        await expect(page.locator("#now")).to_contain_text("starts when your facilitator starts")
        await expect(page.locator("#offer")).to_be_disabled()

    # One click starts every waiting room, with one deadline for all.
    await desk.click("#start-round")
    await expect(desk.locator("#round-state")).to_have_text(re.compile(r"Time left: \d+:\d{2}"))
    seller = sam if "seller" in (await sam.locator("#role").inner_text()) else ana
    await expect(seller.locator("#now")).to_have_text("Your turn: make an offer", timeout=10_000)
    await expect(lobby.locator("#round .left")).to_have_text(re.compile(r"\d+:\d{2}"))
    for page in (ana, sam):
        await expect(page.locator("#clock")).to_have_text(re.compile(r"1\d:\d{2} left"))

    # A word to every room at once, from the toolbar.
    await desk.fill("#announce-all-text", "Ten minutes to go")
    await desk.click("#announce-all button")
    for page in (ana, sam):
        await expect(page.locator("#banner")).to_contain_text("Ten minutes to go")

    # The seller opens, the buyer accepts: the debrief goes up on the projector.
    await seller.fill("#issue-monthly_rate", "675")  # inside the buyer's authority
    await seller.click("#offer")
    buyer = ana if seller is sam else sam
    await expect(buyer.locator("#accept")).to_be_enabled(timeout=10_000)
    await buyer.click("#accept")
    await expect(buyer.locator("#final")).to_contain_text("Agreement reached", timeout=10_000)
    projector = await context.new_page()
    await projector.set_viewport_size(PROJECTOR)  # type: ignore[arg-type]
    await projector.goto(detail["projector"]["url"])
    await expect(projector.locator("#n-agreed")).to_have_text("1", timeout=10_000)
    await desk.click("#reveal")
    await expect(projector.locator("#scatter")).to_be_visible(timeout=10_000)
    await desk.screenshot(path=ARTIFACTS / "console-round.png")
    await context.close()
