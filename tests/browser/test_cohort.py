"""The cohort view in a real browser: twenty bot rooms side by side in the console (a
sortable table, the scatter against the frontier, the money histogram, concession
curves), the printable debrief, and the exports downloaded with the Bearer token."""

from __future__ import annotations

import asyncio
import io
import re
import time
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, Page, expect
from pypdf import PdfReader

from tests.serverproc import TOKEN, Process

from .test_join_page import ARTIFACTS

PERSONAS = ("analytical", "amiable", "expressive", "driver")
ENDED = ("agreed", "walked_away", "expired", "closed")


async def bot_workshop(
    process: Process, rooms: int, *, scenario: str = "fleet-lease", pace: float = 0.0
) -> dict[str, Any]:
    """A workshop of ``rooms`` rooms with a bot in both seats of each.

    Personas are paired differently in every room, so the deals differ. At pace 0
    the bots think instantly and count their own decisions: a room ends in well
    under a second.
    """
    workshop = await process.api(
        "POST", "/api/workshops", {"scenario": scenario, "rooms": rooms, "title": "Bot cohort"}
    )
    assert "rooms" in workshop, workshop
    for n, room in enumerate(workshop["rooms"]):
        for k, role in enumerate(("buyer", "seller")):
            persona = PERSONAS[(n + k * (n // 4 + 1)) % len(PERSONAS)]
            body = {"role": role, "persona": persona, "pace": pace}
            seated = await process.api("POST", f"/api/rooms/{room['id']}/bots", body)
            assert seated.get("role") == role, seated
    return workshop


def ended(view: dict[str, Any]) -> int:
    return sum(view["counts"][outcome] for outcome in ENDED)


async def all_ended(process: Process, workshop_id: str, timeout: float = 20) -> dict[str, Any]:
    """The workshop's cohort once every room has ended."""
    deadline = time.monotonic() + timeout
    while True:
        view = await process.api("GET", f"/api/workshops/{workshop_id}/cohort")
        if ended(view) == view["counts"]["rooms"]:
            return view  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, view["counts"]
        await asyncio.sleep(0.2)


async def own_origin_only(context: BrowserContext, base: str) -> list[str]:
    """Abort (and list) every request of ``context`` outside the server's origin."""
    origin = urlsplit(base).netloc
    foreign: list[str] = []

    async def route(route, request) -> None:  # type: ignore[no-untyped-def]
        local = request.url.startswith(("blob:", "data:"))  # the page's own downloads
        if urlsplit(request.url).netloc != origin and not local:
            foreign.append(request.url)
            await route.abort()
        else:
            await route.continue_()

    await context.route("**/*", route)
    return foreign


async def chart(page: Page, canvas: str) -> dict[str, list[Any]]:
    """The data of the chart on ``canvas``: dataset key -> its points."""
    return await page.evaluate(  # type: ignore[no-any-return]
        """id => Object.fromEntries(Chart.getChart(document.getElementById(id))
                  .data.datasets.map(d => [d.key, d.data]))""",
        canvas,
    )


async def console(context: BrowserContext, base: str) -> Page:
    page = await context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    await page.goto(f"{base}/#token={TOKEN}")
    return page


async def test_cohort_view_of_twenty_bot_rooms(process: Process, browser: Browser) -> None:
    await process.start()
    workshop = await bot_workshop(process, 20)
    view = await all_ended(process, workshop["id"])
    rooms = {r["room"]: r for r in view["rooms"]}
    agreed = [r for r in view["rooms"] if r["outcome"] == "agreed"]
    assert agreed, view["counts"]
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    foreign = await own_origin_only(context, process.base)
    fetched: list[float] = []
    context.on(
        "request", lambda r: fetched.append(time.monotonic()) if r.url.endswith("/cohort") else None
    )
    page = await console(context, process.base)
    await expect(page.locator("#grid tbody tr")).to_have_count(20, timeout=10_000)
    assert fetched == []  # the cohort panel is closed: nothing fetched for it

    await page.click("#cohort-panel summary")
    table = page.locator("#cohort-table")
    await expect(table.locator("tbody tr")).to_have_count(20, timeout=10_000)
    await expect(page.locator("#cohort-counts")).to_contain_text(f"{len(agreed)} agreed")

    # Sorting: a header click sorts ascending, a second click descending.
    header = table.locator('th[data-key="buyer_score"]')
    for direction in ("ascending", "descending"):
        await header.locator("button").click()
        await expect(header).to_have_attribute("aria-sort", direction)
        order = await table.locator("tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.room)"
        )
        scores = [rooms[room]["buyer_score"] for room in order]
        known = [s for s in scores if s is not None]
        assert known == sorted(known, reverse=direction == "descending"), scores
        assert scores[len(known) :] == [None] * (len(scores) - len(known))  # no score: last
    await table.locator('th[data-key="room"] button').click()
    await expect(table.locator("tbody tr").first).to_contain_text("Room 1")
    await expect(table.locator("tbody tr").nth(1)).to_contain_text("Room 2")  # numeric order

    # The scatter: every agreed room, the frontier, the Nash point, both reservation lines.
    scatter = await chart(page, "cohort-scatter")
    assert len(scatter["deals"]) == len(agreed)
    assert {(p["x"], p["y"]) for p in scatter["deals"]} == {
        (r["buyer_score"], r["seller_score"]) for r in agreed
    }
    assert len(scatter["frontier"]) == len(view["frontier"]) > 1
    assert len(scatter["nash"]) == 1
    rv = view["reservation"]
    assert {p["x"] for p in scatter["buyer_rv"]} == {rv["buyer"]}  # a vertical line
    assert {p["y"] for p in scatter["seller_rv"]} == {rv["seller"]}  # a horizontal line

    # The histogram of the agreed money values, over the whole range.
    histogram = await chart(page, "cohort-histogram")
    money = view["money"]
    assert sum(histogram["money"]) == len([r for r in agreed if r["money_value"] is not None])
    assert len(histogram["money"]) == (money["max"] - money["min"]) // money["step"] + 1

    # Concession curves: the first room with offers, then another one picked.
    curves = await chart(page, "cohort-curves")
    first = next(r for r in view["rooms"] if r["curves"]["buyer"] or r["curves"]["seller"])
    assert await page.input_value("#curve-room") == first["room"]
    assert len(curves["buyer.own"]) == len(curves["buyer.other"]) == len(first["curves"]["buyer"])
    assert len(curves["seller.own"]) == len(first["curves"]["seller"])
    assert curves["seller.own"][0]["x"] == first["curves"]["seller"][0]["t"] / 1000
    other = view["rooms"][7]
    await page.select_option("#curve-room", other["room"])
    await page.wait_for_function(
        """n => Chart.getChart(document.getElementById('cohort-curves'))
                 .data.datasets[0].data.length === n""",
        arg=len(other["curves"]["buyer"]),
        timeout=10_000,
    )

    # Refreshes update the same charts in place, at most every two seconds.
    await page.evaluate("window.drawn = Chart.getChart(document.getElementById('cohort-scatter'))")
    before = len(fetched)
    await page.wait_for_timeout(4200)
    assert 1 <= len(fetched) - before <= 3, fetched
    assert await page.evaluate(
        "window.drawn === Chart.getChart(document.getElementById('cohort-scatter'))"
    )
    await page.locator("#cohort-panel").screenshot(path=ARTIFACTS / "cohort.png")

    # Another workshop, another scenario, no rooms yet: nothing of the last one stays.
    await page.click("#new-workshop-open")
    await page.select_option("#scenario", "equipment-purchase")
    await page.fill("#rooms", "0")
    await page.click("#new-workshop button")
    await page.wait_for_function(
        """() => Chart.getChart(document.getElementById('cohort-histogram'))
                   .options.scales.x.title.text.startsWith('Price of the line')""",
        timeout=10_000,
    )
    emptied = await chart(page, "cohort-curves")
    assert emptied and all(points == [] for points in emptied.values()), emptied
    assert (await chart(page, "cohort-scatter"))["deals"] == []
    await expect(table.locator("tbody tr")).to_have_count(0)
    await page.click("#cohort-panel summary")  # closed again: no more fetching
    await page.wait_for_timeout(300)
    closed = len(fetched)
    await page.wait_for_timeout(2200)  # two console ticks, one cohort period
    assert len(fetched) == closed
    assert foreign == []
    await context.close()


async def test_printable_debrief_and_exports(process: Process, browser: Browser) -> None:
    await process.start()
    workshop = await bot_workshop(process, 4)
    view = await all_ended(process, workshop["id"])
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    foreign = await own_origin_only(context, process.base)
    page = await console(context, process.base)
    await expect(page.locator("#grid tbody tr")).to_have_count(4, timeout=10_000)

    # The exports need the Bearer token: fetched by the page, saved from a Blob.
    texts = {}
    for fmt in ("csv", "jsonl"):
        async with page.expect_download() as download_info:
            await page.click(f"#export-{fmt}")
        download = await download_info.value
        assert download.suggested_filename == f"{workshop['id']}.{fmt}"
        texts[fmt] = (await download.path()).read_text()
    assert texts["csv"].startswith("room,outcome,buyer_score")
    assert len(texts["csv"].strip().splitlines()) == 1 + 4  # a header and a row per room
    assert texts["jsonl"].replace(" ", "").count('"kind":"created"') == 4  # every room's log

    # The printable debrief opens in a new tab that shares this tab's sign-in.
    async with page.expect_popup() as popup_info:
        await page.click("#debrief-link")
    debrief = await popup_info.value
    await expect(debrief.locator("body")).to_have_attribute("data-ready", "true", timeout=10_000)
    await expect(debrief.locator("#title")).to_have_text("Bot cohort")
    await expect(debrief.locator("#table tbody tr")).to_have_count(4)
    deals = await chart(debrief, "scatter")
    assert len(deals["deals"]) == view["counts"]["agreed"]
    assert len(deals["frontier"]) == len(view["frontier"])
    assert sum((await chart(debrief, "histogram"))["money"]) == view["counts"]["agreed"]
    assert await debrief.evaluate(  # drawn at once, so printing captures the charts
        "Object.values(Chart.instances).every(c => c.options.animation === false)"
    )
    await debrief.emulate_media(media="print")
    await expect(debrief.locator("#print")).to_be_hidden()
    await expect(debrief.locator("#export-csv")).to_be_hidden()
    await expect(debrief.locator("#table tbody tr")).to_have_count(4)
    await debrief.screenshot(path=ARTIFACTS / "debrief-print.png", full_page=True)
    await debrief.pdf(path=ARTIFACTS / "debrief.pdf", format="A4")
    assert foreign == []
    await context.close()


async def test_the_cohort_panel_fits_a_laptop_screen(process: Process, browser: Browser) -> None:
    """At 1366x768 with the cohort panel open, every room's controls and a room's detail
    (beside the grid) are on the screen: the page never scrolls sideways (a wide table
    scrolls in its box)."""
    await process.start()
    workshop = await bot_workshop(process, 20)
    await all_ended(process, workshop["id"])
    context = await browser.new_context(viewport={"width": 1366, "height": 768})
    page = await console(context, process.base)
    rows = page.locator("#grid tbody tr")
    await expect(rows).to_have_count(20, timeout=10_000)
    await page.click("#cohort-panel summary")
    await expect(page.locator("#cohort-table tbody tr")).to_have_count(20, timeout=10_000)
    await page.wait_for_function("Chart.getChart(document.getElementById('cohort-curves'))")

    async def fits(controls: str) -> None:
        width = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1] == 1366, width
        # Read at once: the grid redraws its rows every second.
        boxes = await page.evaluate(
            """selector => [...document.querySelectorAll(selector)].map(e => {
                 const box = e.getBoundingClientRect(), row = e.closest('[data-room]');
                 return [row && row.dataset.room, e.textContent, box.left, box.right];
               })""",
            controls,
        )
        assert boxes
        outside = [box for box in boxes if box[2] < 0 or box[3] > 1366]
        assert outside == [], outside

    await fits("#grid tbody button[data-action]")
    assert len(await rows.first.locator("button[data-action]").all()) == 4
    # The rooms' table is wider than the panel: it scrolls in its own box.
    scroll = page.locator("#cohort-panel .table-scroll")
    assert await scroll.evaluate("box => box.scrollWidth > box.clientWidth")
    assert await scroll.evaluate("box => box.getBoundingClientRect().right <= innerWidth")
    await page.screenshot(path=ARTIFACTS / "console-cohort-1366.png")
    # A room's detail opens beside the grid, on the first screen: the grid stays in view.
    await rows.nth(2).locator(".link-button").click()
    await expect(page.locator("#detail-h")).to_contain_text("Room 3", timeout=10_000)
    await expect(page.locator("#replay")).to_be_visible(timeout=10_000)
    await fits("#grid tbody button[data-action]")
    await fits("#detail button:not([hidden]), #detail input, #detail select")
    drawer = await page.locator("#detail").bounding_box()
    grid = await page.locator("#grid").bounding_box()
    assert drawer and grid
    assert drawer["x"] >= grid["x"] + grid["width"], (drawer, grid)  # beside, not below
    assert drawer["y"] < 768 / 4 and grid["y"] < 768 / 2, (drawer, grid)
    await page.screenshot(path=ARTIFACTS / "console-detail-1366.png")
    await context.close()


# The printable width of an A4 page between the debrief's 12 mm margins, in CSS pixels.
A4_PORTRAIT = round(186 / 25.4 * 96)


async def test_the_printed_debrief_of_twenty_rooms_shows_every_column(
    process: Process, browser: Browser
) -> None:
    """Printed on portrait A4, the table of a 20-room workshop keeps every column and
    every room's value in each, at a legible size, and nothing runs off the page."""
    await process.start()
    workshop = await bot_workshop(process, 20)
    view = await all_ended(process, workshop["id"])
    context = await browser.new_context(viewport={"width": 1366, "height": 768})
    page = await console(context, process.base)
    await expect(page.locator("#grid tbody tr")).to_have_count(20, timeout=10_000)
    async with context.expect_page() as opened:
        await page.click("#debrief-link")
    debrief = await opened.value
    await expect(debrief.locator("body")).to_have_attribute("data-ready", "true", timeout=10_000)
    table = debrief.locator("#table")
    await expect(table.locator("tbody tr")).to_have_count(20)

    # What the table says: its headers, and each room's row of values.
    heads = await table.locator("thead th").all_inner_texts()
    money = view["money"]
    assert {" ".join(h.split()) for h in heads} >= {
        "Room", "Outcome", "Score", "B", "S", "Joint", "Distance to frontier",
        f"{money['label']} ({money['unit']})", "First offer by", "Anchor moved", "Offers",
        "Concessions", "Growing concessions", "Questions", "Deadlocks (broken)",
        "Time to agreement",
    }  # fmt: skip
    rows: list[list[str]] = await table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    assert [row[0] for row in rows] == [r["label"] for r in view["rooms"]]
    assert {len(row) for row in rows} == {19}  # every column
    assert all(row[-1] for row in rows)  # every room agreed: a time to agreement each

    # On paper: at least 8 pt, and within a portrait page.
    font = await table.evaluate("t => parseFloat(getComputedStyle(t).fontSize)")
    assert font >= 8 * 96 / 72, font
    await debrief.emulate_media(media="print")
    await debrief.set_viewport_size({"width": A4_PORTRAIT, "height": 1000})
    widths = await table.evaluate(
        "t => [t.scrollWidth, t.parentElement.clientWidth, t.closest('main').clientWidth]"
    )
    assert widths[0] <= widths[1] <= widths[2] == A4_PORTRAIT, widths
    assert await debrief.locator("#rooms.wide").count() == 0  # no landscape page needed
    await debrief.screenshot(path=ARTIFACTS / "debrief-20-print.png", full_page=True)
    pdf = await debrief.pdf(format="A4")
    (ARTIFACTS / "debrief-20.pdf").write_bytes(pdf)

    # The PDF's text: every header's words, and each room's values in order on its line.
    reader = PdfReader(io.BytesIO(pdf))
    assert all(p.mediabox.width < p.mediabox.height for p in reader.pages)  # portrait
    pages = (p.extract_text(extraction_mode="layout") for p in reader.pages)
    text = unicodedata.normalize("NFKC", "\n".join(pages))  # "ﬀ" in "Oﬀers": "ff"
    words = set(text.split())
    missing = [w for h in heads for w in h.split() if w not in words]
    assert missing == [], missing
    assert_rows_in(text, rows)

    # A table too wide for portrait (here a room label with no space to wrap at) prints
    # on a landscape page of its own; the charts stay on portrait pages.
    label = "Verkoopteam_Noord_Holland_en_Friesland_2026"
    body = {"scenario": "fleet-lease", "workshop": workshop["id"], "label": label}
    await process.api("POST", "/api/rooms", body)
    await debrief.reload()
    await expect(debrief.locator("body")).to_have_attribute("data-ready", "true", timeout=10_000)
    await expect(table.locator("tbody tr")).to_have_count(21)
    await expect(debrief.locator("#rooms")).to_have_class(re.compile(r"\bwide\b"))
    rows = await table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    pdf = await debrief.pdf(prefer_css_page_size=True)
    (ARTIFACTS / "debrief-wide.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    landscape = [p for p in reader.pages if p.mediabox.width > p.mediabox.height]
    assert 0 < len(landscape) < len(reader.pages)
    text = unicodedata.normalize("NFKC", landscape[0].extract_text(extraction_mode="layout"))
    assert label in text
    assert_rows_in(text, [row for row in rows if row[0] != label])
    await context.close()


def assert_rows_in(text: str, rows: list[list[str]]) -> None:
    """Each row's values, in order, on the line of ``text`` that starts with its first."""
    lines = text.splitlines()
    for row in rows:
        line = next((ln for ln in lines if re.match(rf"\s*{re.escape(row[0])}\s", ln)), "")
        values = r"\s+".join(re.escape(v) for v in row[1:] if v)
        assert re.search(values, line), (row, line)
