"""The participant page in a real browser: served by the server alone, text stays text."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import Browser, expect

from tests.serverproc import Process


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
    await expect(page.locator("#status")).to_contain_text("Connected as buyer", timeout=10_000)
    await expect(page.locator("#brief")).to_contain_text("Tidewater")
    await expect(page.locator("#log")).to_contain_text("joined")
    assert foreign == []


async def test_messages_with_markup_are_shown_as_text(process: Process, browser: Browser) -> None:
    await process.start()
    room = await process.api("POST", "/api/rooms", {"scenario": "fleet-lease"})
    page = await browser.new_page()
    await page.goto(room["seats"]["seller"]["url"])
    await expect(page.locator("#status")).to_contain_text("Connected as seller", timeout=10_000)
    attack = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
    await process.api("POST", f"/api/rooms/{room['id']}/message", {"text": attack})
    await expect(page.locator("#log")).to_contain_text(attack)
    assert await page.evaluate("window.pwned") is None
    assert await page.locator("#log img, #log script").count() == 0
