"""Workshop housekeeping from the console on a trainer's laptop (1366x768): the list of
workshops says each one's scenario, date and state; a workshop is renamed, duplicated
(same settings, new links), archived (asked first while it has live rooms, which are
then ended, never silently) and brought back from "Show archived"."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from playwright.async_api import Browser, Dialog, Page, expect

from dealroom.server.scenarios.catalog import builtin_scenarios
from tests.serverproc import TOKEN, Process

from .test_console_rooms import LAPTOP, seated
from .test_join_page import ARTIFACTS

SCENARIOS = builtin_scenarios()


async def _asked(asked: list[str], n: int) -> None:
    """Wait until the page has asked ``n`` questions (a confirm comes after a request)."""
    for _ in range(200):
        if len(asked) >= n:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"asked {asked}, expected {n} questions")


def _row(page: Page, workshop: dict[str, Any]) -> Any:
    return page.locator(f'#workshop-list tr[data-workshop="{workshop["id"]}"]')


async def _listed(process: Process, archived: str = "include") -> dict[str, dict[str, Any]]:
    return {w["id"]: w for w in await process.api("GET", f"/api/workshops?archived={archived}")}


async def test_rename_duplicate_and_archive_from_the_list_of_workshops(
    process: Process, browser: Browser
) -> None:
    await process.start()
    new = "POST", "/api/workshops"
    old = await process.api(*new, {"scenario": "equipment-purchase", "title": "Old", "rooms": 1})
    await process.api("POST", f"/api/workshops/{old['id']}/end")
    live = await process.api(*new, {"scenario": "fleet-lease", "title": "Monday", "rooms": 1})
    clients = await seated(process, live["rooms"][0], "Ana", "Sid")
    await clients[0].event("started")
    round_ = await process.api(
        *new, {"scenario": "fleet-lease", "title": "Round", "start": "together", "capacity": 30}
    )

    page = await browser.new_page(viewport=LAPTOP)  # type: ignore[arg-type]
    asked: list[str] = []
    answers: list[bool] = []

    async def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        await (dialog.accept() if answers.pop(0) else dialog.dismiss())

    page.on("dialog", answer)
    await page.goto(f"{process.base}/#token={TOKEN}")
    # The picker says each workshop's scenario, date and state too.
    options = page.locator("#workshop option")
    await expect(options).to_have_count(3, timeout=10_000)
    await expect(options.nth(1)).to_contain_text(
        re.compile(
            r"^Monday · Electric van fleet for Tidewater Parcel Services · .+ · running · 1 room$"
        )
    )

    # The list: name, scenario, date and state of each, newest first.
    await page.click("#workshops-open")
    rows = page.locator("#workshop-list tbody tr")
    await expect(rows).to_have_count(3)
    await expect(rows.locator("td.name")).to_have_text(["Round", "Monday", "Old"])
    await expect(rows.locator("td.state")).to_have_text(["waiting", "running", "ended"])
    scenarios = [SCENARIOS[w["scenario"]].title for w in (round_, live, old)]
    await expect(rows.locator("td.scenario")).to_have_text(scenarios)
    for created in await rows.locator("td.created").all_inner_texts():
        assert re.search(r"[A-Z][a-z]{2}\b.*\d{1,2}:\d{2}", created), created  # "Nov 30, 10:48"
    await expect(_row(page, round_)).to_have_class("chosen")  # the newest is open

    # Rename: the name turns into a field with the old name, Save records the new one.
    await _row(page, old).locator("button[data-action=rename]").click()
    field = _row(page, old).locator("form.rename input")
    await expect(field).to_be_focused()
    await expect(field).to_have_value("Old")
    await field.fill("Old cohort, spring")
    await field.press("Enter")
    await expect(_row(page, old).locator("td.name")).to_have_text("Old cohort, spring")
    assert (await _listed(process))[old["id"]]["title"] == "Old cohort, spring"
    await _row(page, live).locator("button[data-action=rename]").click()
    await _row(page, live).locator("form.rename input").press("Escape")
    await expect(_row(page, live).locator("td.name")).to_have_text("Monday")

    # Duplicate: a new workshop with the same settings and new links, opened at once.
    await _row(page, round_).locator("button[data-action=duplicate]").click()
    await expect(rows).to_have_count(4)
    copy_row = rows.first
    await expect(copy_row.locator("td.name")).to_have_text("Round (copy)")
    await expect(copy_row).to_have_class("chosen")
    await expect(copy_row.locator("td.state")).to_have_text("waiting")
    copy_id = await copy_row.get_attribute("data-workshop")
    copy = await process.api("GET", f"/api/workshops/{copy_id}")
    assert (copy["start"], copy["capacity"], copy["scenario"]) == ("together", 30, "fleet-lease")
    assert copy["open_link"]["token"] != round_["open_link"]["token"]
    await expect(page.locator("#open-link-url")).to_have_text(copy["open_link"]["url"])
    await expect(page.locator("#round-state")).to_have_text(re.compile("Round not started"))

    # Archive an ended workshop: nothing to ask; it leaves the list.
    await _row(page, old).locator("button[data-action=archive]").click()
    await expect(_row(page, old)).to_have_count(0)
    await expect(rows).to_have_count(3)
    assert asked == []
    assert (await _listed(process))[old["id"]]["state"] == "archived"

    # Archive a workshop whose room is negotiating: asked first; "no" changes nothing.
    answers.append(False)
    await _row(page, live).locator("button[data-action=archive]").click()
    await _asked(asked, 1)
    assert asked[0].startswith("1 room of “Monday” has not ended. End it now")
    assert (await _listed(process))[live["id"]]["state"] == "running"
    # "Yes": its room is ended (the participants see it closed), then it is archived.
    answers.append(True)
    await _row(page, live).locator("button[data-action=archive]").click()
    await expect(_row(page, live)).to_have_count(0)
    ended = await clients[0].event("ended")
    assert ended["outcome"] == "closed"
    assert (await _listed(process))[live["id"]]["state"] == "archived"

    # Show archived: both come back, marked archived, each with the way back.
    await page.check("#show-archived")
    await expect(rows).to_have_count(4)
    await expect(_row(page, live).locator("td.state")).to_have_text("archived")
    await expect(page.locator("#workshop option")).to_have_count(4)
    await page.locator("#workshop-list").screenshot(path=ARTIFACTS / "console-workshops.png")
    await _row(page, live).locator("button.open").click()
    await expect(page.locator("#archived-note")).to_contain_text("Archived on")
    await expect(page.locator("#grid tbody tr")).to_have_count(1)  # its data is all there
    # Its materials stay; what would act on live rooms or let people in does not.
    await expect(page.locator("#export-csv")).to_be_visible()
    for gone in ("#open-link", "#end-all", "#announce-all"):
        await expect(page.locator(gone)).to_have_count(0)
    await page.screenshot(path=ARTIFACTS / "console-workshops-1366.png")
    await _row(page, old).locator("button[data-action=unarchive]").click()
    await expect(_row(page, old).locator("td.state")).to_have_text("ended")
    await page.uncheck("#show-archived")
    await expect(rows.locator("td.name")).to_have_text(
        ["Round (copy)", "Round", "Old cohort, spring"]
    )
    assert len(asked) == 2
    for client in clients:
        await client.close()


async def test_with_every_workshop_archived_the_page_says_so(
    process: Process, browser: Browser
) -> None:
    await process.start()
    workshop = await process.api("POST", "/api/workshops", {"scenario": "fleet-lease"})
    await process.api("POST", f"/api/workshops/{workshop['id']}/archive")
    # Someone with an old link to it is told, in their language, that it has closed.
    phone = await browser.new_page(viewport={"width": 360, "height": 740})
    await phone.goto(workshop["open_link"]["url"] + "?lang=es")
    await phone.fill("#name", "Lea")
    await phone.click("#arrive button")
    await expect(phone.locator("#status")).to_have_text(
        "Este taller ha cerrado. Pide a tu facilitador el enlace actual.", timeout=10_000
    )
    page = await browser.new_page(viewport=LAPTOP)  # type: ignore[arg-type]
    await page.goto(f"{process.base}/#token={TOKEN}")
    await expect(page.locator("#new-workshop h2")).to_have_text(
        "Every workshop is archived", timeout=10_000
    )
    await page.click("#show-archived-first")
    await expect(page.locator("#workshop-list tbody tr")).to_have_count(1)
    await expect(page.locator("#archived-note")).to_be_visible()
    await page.click("#unarchive")
    await expect(page.locator("#archived-note")).to_have_count(0)
    await expect(page.locator("#workshop-list td.state")).to_have_text("waiting")
