"""Every participant page, in every state a participant sees, on a phone and a laptop:
axe-core finds no serious or critical violation, and on the phone every control is at
least 44 px tall (a fingertip's target; WCAG 2.5.5's size).

The pages are walked as a participant meets them: the open link's page, the room's
name screen, the room negotiating with the counterpart's offer on show, and the room
ended with its outcome and the participant's own debrief.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.serverproc import Process

# Injected by the tests only (scripts/vendor_js.py pins it); the server never serves it.
AXE = Path(__file__).parent / "vendor" / "axe.min.js"

PHONE: ViewportSize = {"width": 360, "height": 740}
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
BLOCKING = ("serious", "critical")
MIN_TARGET_PX = 44

Check = Callable[[str, Page], Awaitable[list[str]]]


async def _walk(process: Process, browser: Browser, viewport: ViewportSize, check: Check) -> None:
    """Take two participants through a workshop's open link to an agreement, calling
    ``check(state, page)`` at each state; fail once, listing every state's findings."""
    await process.start()
    workshop = await process.api("POST", "/api/workshops", {"scenario": "equipment-purchase"})
    found: list[str] = []

    async def new_page() -> Page:
        page = await browser.new_page(viewport=viewport)
        page.on("dialog", lambda dialog: dialog.accept())  # the confirmations say yes
        return page

    async def arrive(name: str, inspect: bool) -> Page:
        """Through the open link (checked if ``inspect``) into a seat of a room."""
        page = await new_page()
        await page.goto(workshop["open_link"]["url"])
        await expect(page.locator("#arrive button")).to_be_visible()
        if inspect:
            found.extend(await check("open link page", page))
        await page.fill("#name", name)
        await page.click("#arrive button")
        await page.wait_for_url("**/join/**")
        return page

    # A seat's own link asks for a name on a first visit; the open link passes it on.
    room = await process.api("POST", "/api/rooms", {"scenario": "equipment-purchase"})
    first_visit = await new_page()
    await first_visit.goto(room["seats"]["buyer"]["url"])
    await expect(first_visit.locator("#namebox")).to_be_visible(timeout=10_000)
    found.extend(await check("room: name screen", first_visit))
    await first_visit.close()

    buyer = await arrive("Bea", inspect=True)  # the first arrival is the buyer
    seller = await arrive("Sid", inspect=False)

    for page in (buyer, seller):
        await expect(page.locator("#link")).to_have_attribute(
            "data-state", "online", timeout=10_000
        )
    await seller.fill("#issue-price", "910000")  # inside the buyer's authority
    await seller.click("#offer")
    await expect(buyer.locator("#theirs")).to_contain_text("910,000", timeout=10_000)
    # A long message makes the timeline long, as it is in a real negotiation: the page
    # scrolls, never a box inside it (a nested scroll traps a thumb on a phone).
    question = "Why that price? " + "Tell us what drives it, item by item. " * 30
    await buyer.fill("#text", question)
    await buyer.click("#talk button")
    await expect(seller.locator("#log")).to_contain_text("Why that price?", timeout=10_000)
    for page in (buyer, seller):
        assert await page.eval_on_selector("#log", "log => log.scrollHeight <= log.clientHeight")
        assert await page.evaluate("document.documentElement.scrollHeight > innerHeight")
    found.extend(await check("room: negotiating, their offer shown", buyer))
    found.extend(await check("room: negotiating, offer sent", seller))

    await buyer.click("#accept")
    for role, page in (("buyer", buyer), ("seller", seller)):
        await expect(page.locator("#final")).to_contain_text("Agreement reached", timeout=10_000)
        await expect(page.locator("#debrief li").first).to_be_visible(timeout=10_000)
        found.extend(await check(f"room: ended with the {role}'s debrief", page))
    assert not found, "\n".join(found)


async def _axe(state: str, page: Page) -> list[str]:
    """axe-core's serious and critical violations on ``page``, one line per element."""
    await page.add_script_tag(path=AXE)
    result: dict[str, Any] = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{state}: {v['id']} ({v['impact']}) at {node['target']}: {v['help']}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
        for node in v["nodes"]
    ]


# Every visible control a finger may need to hit. A link is a control when it is laid
# out as one (block or inline-block); a link inside running text is not (WCAG 2.5.8's
# inline exception). A radio button or checkbox inside its label is hit through the
# label (a tap on the label checks it), so the label's box is its target.
_SMALL_CONTROLS = """(min) => {
  const describe = (el) => el.id ? `#${el.id}`
    : `${el.tagName.toLowerCase()}${el.className ? "." + [...el.classList].join(".") : ""}` +
      ` "${(el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 30)}"`;
  return [...document.querySelectorAll(
      "button, select, textarea, input:not([type=hidden]), a[href]")]
    .filter((el) => el.checkVisibility() && el.getClientRects().length > 0)
    .filter((el) => el.tagName !== "A" || getComputedStyle(el).display !== "inline")
    .map((el) => [describe(el), ((el.type === "radio" || el.type === "checkbox")
                                 && el.closest("label") || el).getBoundingClientRect().height])
    .filter(([, height]) => height < min)
    .map(([name, height]) => `${name} is ${height.toFixed(1)} px tall`);
}"""


async def _small_controls(state: str, page: Page) -> list[str]:
    """Controls on ``page`` shorter than a fingertip's target."""
    small: list[str] = await page.evaluate(_SMALL_CONTROLS, MIN_TARGET_PX)
    return [f"{state}: {line}" for line in small]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
async def test_no_serious_axe_violations_on_participant_pages(
    process: Process, browser: Browser, viewport: ViewportSize
) -> None:
    await _walk(process, browser, viewport, _axe)


async def test_every_control_is_a_fingertip_tall_on_a_phone(
    process: Process, browser: Browser
) -> None:
    await _walk(process, browser, PHONE, _small_controls)
