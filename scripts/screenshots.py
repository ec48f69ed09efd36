#!/usr/bin/env python3
"""The participant room's screenshots in the docs, made again from the real thing.

    python scripts/screenshots.py                  # writes docs/screenshots/room-*.png
    python scripts/screenshots.py --out /tmp/shots

Starts ``dealroom serve`` on a free port with a fresh data dir, opens a fleet-lease
room in Debian's Chromium (as the browser tests do) with the buyer on a 360 px
phone, and takes what the buyer sees before and after the seller's opening offer,
once per language in LANGUAGES: the top of the page before and after, and
their offer as it then reads. Run it from the repository's root.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.async_api import Page, async_playwright, expect  # noqa: E402

from tests.browser.conftest import CHROMIUM_ARGS, chromium_path  # noqa: E402
from tests.serverproc import Process  # noqa: E402

LANGUAGES = ("es", "id")
PHONE = {"width": 360, "height": 740}


async def _seat(browser, url: str, lang: str, name: str, viewport) -> Page:  # type: ignore[no-untyped-def]
    page: Page = await browser.new_page(viewport=viewport, device_scale_factor=2)
    await page.goto(f"{url}?lang={lang}&name={name}")
    await expect(page.locator("#link")).to_have_attribute("data-state", "online", timeout=10_000)
    return page


async def shoot(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    process = Process(Path(tempfile.mkdtemp(prefix="dealroom-shots-")))
    await process.start()
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            for lang in LANGUAGES:
                room = await process.api("POST", "/api/rooms", {"scenario": "fleet-lease"})
                buyer = await _seat(browser, room["seats"]["buyer"]["url"], lang, "Ana", PHONE)
                seller = await _seat(
                    browser,
                    room["seats"]["seller"]["url"],
                    lang,
                    "Ben",
                    {"width": 1280, "height": 900},
                )
                await expect(buyer.locator("#presence")).to_contain_text("Ben")
                written.append(out / f"room-{lang}-before.png")
                await buyer.screenshot(path=written[-1])
                await seller.fill("#issue-monthly_rate", "690")
                await seller.click("#offer")
                await expect(buyer.locator("#banner")).to_be_visible(timeout=10_000)
                written.append(out / f"room-{lang}-after.png")
                await buyer.screenshot(path=written[-1])
                await buyer.evaluate("document.getElementById('theirs-panel').scrollIntoView()")
                written.append(out / f"room-{lang}-after-offer.png")
                await buyer.screenshot(path=written[-1])
                await buyer.close()
                await seller.close()
            await browser.close()
    finally:
        process.stop()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    for path in asyncio.run(shoot(args.out)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
