"""A workshop's round in a real browser: the lobby on a 1280x720 projector shows the QR
code, the short URL and the code whole, names two participants as they arrive (one
typing the code on a phone, one through the open link), and once the facilitator starts
the round, the lobby, the projector and the participants' rooms count down the same
deadline. The code page on a phone passes axe and has fingertip-sized controls."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Locator, Page, ViewportSize, expect

from tests.serverproc import Process

from .test_accessibility import MIN_TARGET_PX, PHONE, _axe, _small_controls
from .test_join_page import ARTIFACTS

PROJECTOR_720: ViewportSize = {"width": 1280, "height": 720}
COUNTDOWN = re.compile(r"^\d{1,2}:\d{2}$")
SCREENSHOTS = Path("/tmp")


async def _shot(page: Page, name: str) -> None:
    """A screenshot among the test artifacts, and a copy in /tmp to look at."""
    path = ARTIFACTS / f"round-{name}.png"
    await page.screenshot(path=path)
    if SCREENSHOTS.is_dir():
        shutil.copy(path, SCREENSHOTS / path.name)


async def _inside(page: Page, locator: Locator) -> None:
    """``locator`` is visible and wholly inside the viewport (nothing cut off)."""
    await expect(locator).to_be_visible()
    box = await locator.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= size["width"], box
    assert box["y"] + box["height"] <= size["height"], box


async def _no_scrolling(page: Page) -> None:
    assert await page.evaluate(
        "document.documentElement.scrollHeight <= innerHeight"
        " && document.documentElement.scrollWidth <= innerWidth"
    )


async def _arrive_by_code(browser: Browser, process: Process, code: str, name: str) -> Page:
    """A participant on a phone types the code (lower case, with a dash) at HOST/j."""
    page = await browser.new_page(viewport=PHONE)
    await page.goto(process.base + "/j")
    await page.fill("#code", f"{code[:3].lower()}-{code[3:].lower()}")
    await page.click("#join-code button")
    await page.wait_for_url("**/open/**")
    await page.fill("#name", name)
    await page.click("#arrive button")
    await page.wait_for_url("**/join/**")
    return page


async def _arrive_by_link(browser: Browser, workshop: dict[str, Any], name: str) -> Page:
    page = await browser.new_page(viewport=PHONE)
    await page.goto(workshop["open_link"]["url"])
    await page.fill("#name", name)
    await page.click("#arrive button")
    await page.wait_for_url("**/join/**")
    return page


async def test_the_lobby_names_arrivals_and_the_round_counts_down(
    process: Process, browser: Browser
) -> None:
    await process.start()
    try:
        body = {"scenario": "fleet-lease", "title": "Sales academy, group A", "start": "together"}
        workshop = await process.api("POST", "/api/workshops", body)
        code = workshop["code"]
        lobby = await browser.new_page(viewport=PROJECTOR_720)
        await lobby.goto(workshop["lobby"]["url"])
        await expect(lobby.locator("#code")).to_have_text(f"{code[:3]} {code[3:]}")
        await expect(lobby.locator("#url")).to_have_text(process.base.split("://")[1] + "/j")
        await expect(lobby.locator("#here")).to_have_text("Waiting for the first people to arrive…")
        waiting = re.compile("starts when your facilitator")
        await expect(lobby.locator("#round")).to_have_text(waiting)
        qr = lobby.locator("#qr")
        await expect(qr).to_have_attribute("src", re.compile(r"/qr\.svg$"))
        await lobby.wait_for_function("document.getElementById('qr').naturalWidth > 0")
        for part in ("#qr", "#url", "#code", "#here", "#title", "#round"):
            await _inside(lobby, lobby.locator(part))
        qr_box = await qr.bounding_box()
        assert qr_box is not None and qr_box["height"] >= 0.45 * 720  # big enough to scan
        await _no_scrolling(lobby)
        await lobby.evaluate("window.sameDocument = true")

        ana = await _arrive_by_code(browser, process, code, "Ana")
        sam = await _arrive_by_link(browser, workshop, "Sam")
        names = lobby.locator("#names li")
        await expect(names).to_have_text(["Sam", "Ana"], timeout=5_000)  # the newest first
        await expect(lobby.locator("#here")).to_have_text("2 people are here")
        await _inside(lobby, names.first)
        await _shot(lobby, "lobby-1280x720")

        # Both are in their room, which waits for the round: no clock yet.
        for page in (ana, sam):
            await expect(page.locator("#link")).to_have_attribute(
                "data-state", "online", timeout=10_000
            )
        await expect(ana.locator(".left")).to_have_count(1)  # the time the room will have

        answer = await process.api("POST", f"/api/workshops/{workshop['id']}/start")
        assert answer["applied"] == 1, answer
        deadline = answer["workshop"]["round"]["deadline"]
        countdown = lobby.locator("#round .left")
        await expect(countdown).to_have_text(COUNTDOWN, timeout=5_000)
        shown = await countdown.inner_text()
        minutes, seconds = (int(x) for x in shown.split(":"))
        assert 19 * 60 <= minutes * 60 + seconds <= 20 * 60  # fleet-lease's 20 minutes
        await expect(lobby.locator("#round")).to_contain_text("Time left")
        for part in ("#round", "#qr", "#code", "#url"):
            await _inside(lobby, lobby.locator(part))
        await _no_scrolling(lobby)
        assert await lobby.evaluate("window.sameDocument") is True
        await _shot(lobby, "lobby-started-1280x720")

        # The participants' rooms started with the round's deadline: their clocks run.
        for page in (ana, sam):
            clock = page.locator("#clock")
            await expect(clock).to_have_text(re.compile(r"\d{1,2}:\d{2}"), timeout=5_000)
        await _shot(ana, "room-started-phone")

        # The projector counts the same round down, and its total line is on screen.
        projector = await browser.new_page(viewport=PROJECTOR_720)
        await projector.goto(workshop["projector"]["url"])
        await expect(projector.locator("#round .left")).to_have_text(COUNTDOWN, timeout=5_000)
        await expect(projector.locator("#n-running")).to_have_text("1", timeout=5_000)
        for part in ("#round", "#total", "#n-agreed", "#n-running", "#not-revealed"):
            await _inside(projector, projector.locator(part))
        await _no_scrolling(projector)
        # The same machine's clock: the page counts down to the round's deadline.
        skew = await projector.evaluate(f"({deadline} - Date.now()) / 1000")
        left = await projector.locator("#round .left").inner_text()
        m, s = (int(x) for x in left.split(":"))
        assert abs(m * 60 + s - skew) <= 2
        await _shot(projector, "projector-1280x720")
    finally:
        process.stop()


async def test_the_projector_fits_a_1920x1080_screen_without_a_round(
    process: Process, browser: Browser
) -> None:
    await process.start()
    try:
        workshop = await process.api(
            "POST", "/api/workshops", {"scenario": "fleet-lease", "rooms": 2}
        )
        for viewport in (PROJECTOR_720, {"width": 1920, "height": 1080}):
            page = await browser.new_page(viewport=viewport)  # type: ignore[arg-type]
            await page.goto(workshop["projector"]["url"])
            await expect(page.locator("#total")).to_have_text(re.compile("2 rooms"))
            await expect(page.locator("#round")).to_be_hidden()  # no round: no countdown
            await _inside(page, page.locator("#total"))
            await _no_scrolling(page)
        lobby = await browser.new_page(viewport={"width": 1920, "height": 1080})
        await lobby.goto(workshop["lobby"]["url"])
        await expect(lobby.locator("#code")).not_to_be_empty()
        await expect(lobby.locator("#round")).to_be_hidden()  # starts on join: no round
        for part in ("#qr", "#url", "#code"):
            await _inside(lobby, lobby.locator(part))
        await _shot(lobby, "lobby-1920x1080")
    finally:
        process.stop()


async def test_the_code_page_on_a_phone(process: Process, browser: Browser) -> None:
    await process.start()
    try:
        page = await browser.new_page(viewport=PHONE)
        await page.goto(process.base + "/j/QQQ-777?lang=nl")
        await expect(page.locator("#problem")).to_have_text(
            "Er is geen workshop met de code QQQ-777. "
            "Controleer de code op het scherm en probeer het opnieuw."
        )
        await expect(page.locator("#code")).to_have_value("QQQ-777")
        await expect(page.locator("label[for=code]")).to_have_text("Workshopcode")
        found = await _axe("code page, unknown code", page)
        found += await _small_controls("code page, unknown code", page)
        assert not found, "\n".join(found)
        height = await page.locator("#code").evaluate("el => el.getBoundingClientRect().height")
        assert height >= MIN_TARGET_PX
        await _shot(page, "code-unknown-phone")
        for lang in ("en", "es", "id", "ms"):
            await page.goto(process.base + f"/j?lang={lang}")
            await expect(page.locator("#problem")).to_be_empty()
            label = await page.locator("label[for=code]").inner_text()
            assert label and label != "code.label", lang
    finally:
        process.stop()
