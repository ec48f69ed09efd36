"""The open link's page in a real browser once the workshop is full: the refusal is said
in the participant's language (by its stable code), and no seat is taken."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.serverproc import Process


async def test_a_full_workshop_says_so_in_the_participants_language(
    process: Process, browser: Browser
) -> None:
    await process.start()
    try:
        workshop = await process.api(
            "POST", "/api/workshops", {"scenario": "fleet-lease", "capacity": 1}
        )
        url = workshop["open_link"]["url"]
        first = await browser.new_page()
        await first.goto(url)
        await first.fill("#name", "Ana")
        await first.click("#arrive button")
        await first.wait_for_url("**/join/**")

        late = await browser.new_page()  # its own storage: a different participant
        await late.goto(url + "?lang=nl")
        await expect(late.locator("#arrive button")).to_have_text("Neem een plaats")
        await late.fill("#name", "Budi")
        await late.click("#arrive button")
        await expect(late.locator("#status")).to_have_text(
            "Deze workshop is vol. Vraag je begeleider om meer plaatsen te openen."
        )
        assert "/open/" in late.url
        after = await process.api("GET", f"/api/workshops/{workshop['id']}")
        assert after["seats_taken"] == 1 and len(after["rooms"]) == 1
    finally:
        process.stop()


async def test_the_open_link_page_has_the_language_switch(
    process: Process, browser: Browser
) -> None:
    await process.start()
    try:
        workshop = await process.api("POST", "/api/workshops", {"scenario": "fleet-lease"})
        page = await browser.new_page(viewport={"width": 360, "height": 740})
        await page.goto(workshop["open_link"]["url"])
        await expect(page.locator("h1")).to_have_text("Join the negotiation")
        await page.select_option("#lang", "es")
        await expect(page.locator("h1")).to_have_text("Únete a la negociación", timeout=10_000)
        await expect(page.locator("#arrive button")).to_have_text("Ocupar un puesto")
    finally:
        process.stop()
