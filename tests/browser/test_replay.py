"""A room's replay in the console, in a real browser: step with the buttons and the
keyboard, scrub with the slider, play; the event, both standing offers and the score
chart's marker follow the current step."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, Page, expect

from tests.serverproc import Process

from .test_cohort import all_ended, bot_workshop, chart, console, own_origin_only
from .test_join_page import ARTIFACTS


async def at_step(page: Page, steps: list[dict[str, Any]], index: int) -> None:
    """The replay shows step ``index``: its event, its position, and the chart's marker."""
    step = steps[index]
    replay = page.locator("#replay")
    await expect(replay).to_have_attribute("data-step", str(index))
    await expect(page.locator("#replay-pos")).to_contain_text(f"Step {index + 1} of {len(steps)}")
    await expect(page.locator("#replay-event")).to_contain_text(f"#{step['seq']} ")
    assert await page.input_value("#replay-slider") == str(index)
    marker = (await chart(page, "replay-chart"))["now"]
    assert {p["x"] for p in marker} == {max(0, step["t"]) / 1000}  # a vertical line at the step


async def test_replay_steps_through_an_ended_room(process: Process, browser: Browser) -> None:
    await process.start()
    workshop = await bot_workshop(process, 1)
    await all_ended(process, workshop["id"])
    room = workshop["rooms"][0]["id"]
    replay = await process.api("GET", f"/api/rooms/{room}/replay")
    steps = replay["steps"]
    offers = [i for i, s in enumerate(steps) if s["kind"] == "offer"]
    assert len(steps) > 10 and len(offers) > 3

    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    foreign = await own_origin_only(context, process.base)
    page = await console(context, process.base)
    await page.locator("#grid .link-button").first.click()
    # An ended room opens on its replay, at the first step (the room's creation).
    await expect(page.locator("#replay")).to_be_visible(timeout=10_000)
    await at_step(page, steps, 0)
    await expect(page.locator("#replay-event")).to_contain_text("created")
    await expect(page.locator("#replay-prev")).to_be_disabled()
    curves = await chart(page, "replay-chart")
    assert len(curves["buyer.own"]) + len(curves["seller.own"]) == len(offers)

    await page.click("#replay-next")
    await at_step(page, steps, 1)
    await page.locator("#replay").focus()
    await page.keyboard.press("ArrowRight")
    await page.keyboard.press("ArrowRight")
    await at_step(page, steps, 3)
    await page.keyboard.press("ArrowLeft")
    await at_step(page, steps, 2)

    # Scrub to the third offer: the event, both standing offers with both private scores.
    third = offers[2]
    await page.locator("#replay-slider").fill(str(third))
    await at_step(page, steps, third)
    step = steps[third]
    await expect(page.locator("#replay-event")).to_contain_text(f"{step['by']} offer")
    for role in ("buyer", "seller"):
        standing = step["standing"][role]
        card = page.locator(f"#replay-standing-{role}")
        if standing is None:
            await expect(card).to_contain_text("No offer on the table yet.")
        else:
            await expect(card).to_contain_text(f"#{standing['seq']}")
            await expect(card).to_contain_text("buyer ")
            await expect(card).to_contain_text("seller ")
    await page.locator("#replay").screenshot(path=ARTIFACTS / "replay.png")

    await page.keyboard.press("End")
    await at_step(page, steps, len(steps) - 1)
    await expect(page.locator("#replay-event")).to_contain_text("ended")
    await expect(page.locator("#replay-next")).to_be_disabled()
    await page.keyboard.press("Home")
    await at_step(page, steps, 0)

    # Play advances about two steps a second, by itself, until paused.
    await page.click("#replay-play")
    await expect(page.locator("#replay-play")).to_have_attribute("aria-pressed", "true")
    await expect(page.locator("#replay")).to_have_attribute("data-step", "2", timeout=5_000)
    await page.click("#replay-play")
    await expect(page.locator("#replay-play")).to_have_attribute("aria-pressed", "false")
    paused = await page.locator("#replay").get_attribute("data-step")
    await page.wait_for_timeout(1200)
    assert await page.locator("#replay").get_attribute("data-step") == paused
    assert foreign == []
    await context.close()
