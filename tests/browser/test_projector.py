"""The projector view in a real browser: bot rooms negotiate for a few seconds while the
page, never reloaded, follows the counts until every room has ended; no score, frontier
or walk-away line is drawn until the facilitator presses "Reveal debrief on the
projector" in the console, and then the same page draws them; it shows no brief, no
message and no room name."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.serverproc import Process

from .test_cohort import ENDED, all_ended, bot_workshop, chart, console, own_origin_only
from .test_join_page import ARTIFACTS

BUILTIN = Path(__file__).parents[2] / "server" / "scenarios" / "builtin" / "fleet-lease.toml"
DEADLINE = 8  # seconds: bots that think on the room's clock take a few seconds each


def quick_scenario(folder: Path) -> None:
    """fleet-lease with an 8-second deadline: paced bots end their rooms within it."""
    text = BUILTIN.read_text()
    assert 'id = "fleet-lease"' in text and "deadline_seconds = 1200" in text
    text = text.replace('id = "fleet-lease"', 'id = "fleet-lease-quick"', 1)
    folder.mkdir()
    (folder / "quick.toml").write_text(
        text.replace("deadline_seconds = 1200", f"deadline_seconds = {DEADLINE}")
    )


async def counts(page: Page) -> dict[str, int]:
    tiles = {"agreed": "#n-agreed", "deadlocked": "#n-deadlocked", "walked_away": "#n-walked"}
    tiles["negotiating"] = "#n-running"
    shown = {key: await page.locator(sel).inner_text() for key, sel in tiles.items()}
    return {key: int(text) for key, text in shown.items() if text.isdigit()}


async def scatter_drawn(page: Page) -> bool:
    """Whether the page has drawn a scatter chart at all (any score or line)."""
    return await page.evaluate(  # type: ignore[no-any-return]
        "() => Chart.getChart(document.getElementById('scatter')) !== undefined"
    )


async def test_projector_follows_running_rooms_live(tmp_path: Path, browser: Browser) -> None:
    quick_scenario(tmp_path / "scenarios")
    process = Process(tmp_path / "data", "--scenarios", str(tmp_path / "scenarios"))
    await process.start()
    try:
        # pace > 0: the bots concede on the room's clock, so rooms take seconds to end.
        workshop = await bot_workshop(process, 6, scenario="fleet-lease-quick", pace=0.01)
        details = await process.api("GET", f"/api/workshops/{workshop['id']}")
        context = await browser.new_context(viewport={"width": 1600, "height": 900})
        foreign = await own_origin_only(context, process.base)
        page = await context.new_page()
        await page.goto(details["projector"]["url"])
        await page.evaluate("window.sameDocument = true")
        await expect(page.locator("#n-agreed")).to_have_text(re.compile(r"^\d+$"), timeout=10_000)
        seen: list[tuple[int, ...]] = []
        deadline = time.monotonic() + DEADLINE + 10
        while True:
            shown = await counts(page)
            if shown and (not seen or tuple(shown.values()) != seen[-1]):
                seen.append(tuple(shown.values()))
            if shown and shown["negotiating"] == 0 and shown["agreed"] + shown["walked_away"] > 0:
                view = await process.api("GET", f"/api/workshops/{workshop['id']}/cohort")
                if sum(view["counts"][o] for o in ENDED) == 6:
                    break
            assert time.monotonic() < deadline, seen
            await page.wait_for_timeout(250)
        view = await all_ended(process, workshop["id"])
        # The last poll after the end shows the final figures, in the same document.
        await expect(page.locator("#n-agreed")).to_have_text(str(view["counts"]["agreed"]))
        await expect(page.locator("#n-walked")).to_have_text(str(view["counts"]["walked_away"]))
        await expect(page.locator("#n-running")).to_have_text("0")
        assert await page.evaluate("window.sameDocument") is True  # never reloaded
        assert seen[0][3] > 0, seen  # it opened while rooms were negotiating
        assert len(seen) >= 2, seen  # and the counts changed as they ended

        # Not revealed yet: a note where the scatter will be, and no chart drawn at all
        # (no deal, no frontier, no walk-away line), through all those polls.
        note = page.locator("#not-revealed")
        await expect(note).to_be_visible()
        await expect(note).to_have_text(re.compile("appears here when your facilitator reveals"))
        await expect(page.locator("#scatter")).to_be_hidden()
        assert await scatter_drawn(page) is False
        await page.screenshot(path=ARTIFACTS / "projector-before-reveal.png")

        # The facilitator reveals it from the console step by step, in front of the
        # group; the same projector page follows on its next poll each time.
        desk = await console(context, process.base)
        await desk.locator("#workshop").select_option(workshop["id"])
        reveal = desk.locator("#reveal")
        # 1. The deals: each agreement's scores, nothing else.
        await expect(reveal).to_have_text("Projector: show the deals")
        await reveal.click()
        await expect(page.locator("#scatter")).to_be_visible(timeout=5_000)
        await expect(note).to_be_hidden()
        assert await page.evaluate("window.sameDocument") is True
        scatter = await chart(page, "scatter")
        assert len(scatter["deals"]) == view["counts"]["agreed"]
        assert scatter["frontier"] == scatter["buyer_rv"] == scatter["seller_rv"] == []
        assert scatter["nash"] == []
        data = await page.evaluate("fetch(location.pathname + '/data').then((r) => r.json())")
        assert (data["step"], data["reservation"], data["frontier"]) == (1, None, [])
        # 2. Both walk-away lines (asked first: each side sees the other's limit).
        await expect(desk.locator("#revealed")).to_contain_text("the deals shown")
        await expect(reveal).to_have_text("Projector: add both walk-away lines")
        await reveal.click()
        reservation = view["reservation"]
        for _ in range(40):
            scatter = await chart(page, "scatter")
            if scatter["buyer_rv"]:
                break
            await page.wait_for_timeout(250)
        assert [p["x"] for p in scatter["buyer_rv"]] == [reservation["buyer"]] * 2
        assert [p["y"] for p in scatter["seller_rv"]] == [reservation["seller"]] * 2
        assert scatter["frontier"] == []
        await page.screenshot(path=ARTIFACTS / "projector-mid-reveal.png")
        # 3. The frontier and the Nash point: all of it.
        await reveal.click()
        await expect(desk.locator("#revealed")).to_have_text(
            re.compile(r"since \d{1,2}:\d{2}.*all shown")
        )
        await expect(reveal).to_be_hidden()
        for _ in range(40):
            scatter = await chart(page, "scatter")
            if scatter["frontier"]:
                break
            await page.wait_for_timeout(250)
        assert len(scatter["frontier"]) == len(view["frontier"])
        await page.screenshot(path=ARTIFACTS / "projector.png")

        # Nothing private: no brief, no message, no room name, no terms.
        scenario = await process.api("GET", "/api/scenarios/fleet-lease-quick")
        html = await page.content()
        text = await page.locator("body").inner_text()
        for role in ("buyer", "seller"):
            brief = scenario["roles"][role]["brief"]
            assert brief[:60] not in html and brief[:60] not in text
        messages = set()
        for room in workshop["rooms"]:
            replay = await process.api("GET", f"/api/rooms/{room['id']}/replay")
            messages |= {s["text"] for s in replay["steps"] if len(s.get("text") or "") >= 8}
        assert messages  # the bots did talk
        for message in messages:
            assert message not in html and message not in text
        assert "Room 1" not in text and "monthly_rate" not in html
        assert foreign == []
        await context.close()
    finally:
        process.stop()
