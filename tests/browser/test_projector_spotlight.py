"""One room's negotiation on the projector, and labels on its scatter, driven from the
console in a real browser.

The facilitator opens a room in the console and presses "Show on projector": the
projector (1280x720, never reloaded but once on purpose) puts that room's replay in
place of the cohort, move by move: the offers with their terms, who made them and
their class, then the agreement; no name, message, score or walk-away value before
the reveal. A reload shows the same step; "Stop showing" brings the counts and the
scatter back. Then the facilitator reveals the deals and turns on the room labels: the
projector writes each room's label beside its deal, and so does the console's own
cohort panel with its local toggle. The same spotlight at 1920x1080 fits too.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import Browser, Page, expect

from tests.server.wsclient import WsClient
from tests.serverproc import Process, priced_terms

from .test_accessibility import _axe
from .test_cohort import chart, console, own_origin_only
from .test_join_page import ARTIFACTS

LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1280, "height": 720}
BIG_PROJECTOR = {"width": 1920, "height": 1080}
STEP_S = 3  # spotlight.js: one step every three seconds


def _package(scenario: dict[str, Any], rate: int, term: str, mileage: int, delivery: int) -> Any:
    return {
        **priced_terms(scenario, rate),
        "monthly_rate": rate,
        "lease_term": term,
        "mileage": mileage,
        "delivery": delivery,
    }


async def _negotiate(process: Process, room: dict[str, Any], moves: list[Any]) -> None:
    """Seat Zelda (buyer) and Quincy (seller) in ``room`` and play ``moves``: (role, kind,
    fields) in order; the last is the buyer's accept of the seller's latest offer."""
    buyer = await WsClient.connect(process.ws_url)
    seller = await WsClient.connect(process.ws_url)
    await buyer.hello(room["seats"]["buyer"]["token"], name="Zelda")
    await seller.hello(room["seats"]["seller"]["token"], name="Quincy")
    await buyer.event("started", timeout=10)
    latest = 0
    for role, kind, fields in moves:
        client = buyer if role == "buyer" else seller
        if kind == "accept":
            fields = {"offer": latest}
        reply = await client.move(kind, **fields)
        assert reply["type"] == "ack", reply
        if role == "seller" and kind == "offer":
            latest = reply["seq"]
    await buyer.event("ended", timeout=10)
    await buyer.close()
    await seller.close()


def _value(issue: dict[str, Any], value: Any) -> str:
    """A value as replay_view.js writes it in English (numbers with a thousands comma)."""
    if issue["kind"] == "options":
        return str(value)
    return f"{value:,}" + (f" {issue['unit']}" if issue.get("unit") else "")


async def _projected(page: Page) -> dict[str, Any]:
    return await page.evaluate(  # type: ignore[no-any-return]
        "fetch(location.pathname + '/data').then((r) => r.json())"
    )


async def _at_step(page: Page, index: int) -> None:
    await expect(page.locator("#spotlight")).to_have_attribute(
        "data-step", str(index), timeout=8 * STEP_S * 1000
    )


async def _shows_step(page: Page, steps: list[dict[str, Any]], issues: list[Any], i: int) -> None:
    """The projector shows step ``i``: its event with its class, and both standing offers
    with every issue's value."""
    step = steps[i]
    await expect(page.locator("#spotlight-pos")).to_have_text(f"Step {i + 1} of {len(steps)}")
    event = page.locator("#spotlight-event")
    await expect(event.locator(".who")).to_have_text(step["by"])
    await expect(event.locator(".kind")).to_have_text(step["kind"])
    if step.get("class"):
        await expect(event.locator(".class")).to_have_text(f"({step['class']})")
    for role in ("buyer", "seller"):
        card = page.locator(f"#spotlight-{role}")
        standing = step["standing"][role]
        if standing is None:
            await expect(card).to_contain_text("No offer on the table yet.")
            continue
        await expect(card.locator("h3")).to_have_text(
            f"The {role}'s standing offer (#{standing['seq']})"
        )
        values = [_value(issue, standing["terms"][issue["id"]]) for issue in issues]
        await expect(card.locator("dd")).to_have_text(values)
    await expect(page.locator("#spotlight-moves li[aria-current]")).to_have_attribute(
        "data-seq", str(step["seq"])
    )


async def _fits(page: Page) -> None:
    """One screen: nothing scrolls and nothing in the spotlight is cut off."""
    overflow = await page.evaluate(
        """() => {
          const root = document.documentElement;
          const cut = (el) => el.scrollHeight > el.clientHeight + 1
                              || el.scrollWidth > el.clientWidth + 1;
          const clipped = [...document.querySelectorAll(
              '#spotlight, #spotlight .offer-card, #spotlight-moves, #spotlight-event')]
            .filter(cut).map((el) => el.id || el.className);
          const scrolls = root.scrollHeight > innerHeight || root.scrollWidth > innerWidth;
          return { page: scrolls, clipped };
        }"""
    )
    assert overflow == {"page": False, "clipped": []}, overflow


async def test_a_room_replayed_on_the_projector_from_the_console(
    process: Process, browser: Browser
) -> None:
    await process.start()
    workshop = await process.api(
        "POST", "/api/workshops", {"scenario": "fleet-lease", "rooms": 2, "title": "Fleet day"}
    )
    scenario = await process.api("GET", "/api/scenarios/fleet-lease")
    first, second = workshop["rooms"]
    message = {"text": "SECRET-CHAT how many vans break down?", "intent": "question"}
    await _negotiate(
        process,
        first,
        [
            ("seller", "offer", {"terms": _package(scenario, 705, "60 months", 20000, 18)}),
            ("buyer", "message", message),
            ("buyer", "offer", {"terms": _package(scenario, 570, "36 months", 40000, 8)}),
            ("seller", "offer", {"terms": _package(scenario, 675, "48 months", 30000, 12)}),
            ("buyer", "accept", {}),
        ],
    )
    await _negotiate(
        process,
        second,
        [
            ("seller", "offer", {"terms": _package(scenario, 660, "48 months", 24000, 14)}),
            ("buyer", "accept", {}),
        ],
    )

    context = await browser.new_context(viewport=LAPTOP)  # type: ignore[arg-type]
    foreign = await own_origin_only(context, process.base)
    projector = await context.new_page()
    await projector.set_viewport_size(PROJECTOR)  # type: ignore[arg-type]
    await projector.goto(workshop["projector"]["url"])
    await expect(projector.locator("#n-agreed")).to_have_text("2", timeout=10_000)
    await expect(projector.locator("#spotlight")).to_be_hidden()

    # The facilitator opens Room 1 and puts it on the projector.
    desk = await console(context, process.base)
    await desk.locator("#grid .link-button", has_text="Room 1").click()
    toggle = desk.locator("#spotlight-toggle")
    await expect(toggle).to_have_text("Show on projector")
    await toggle.click()
    await expect(toggle).to_have_text("Stop showing")
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    await expect(desk.locator("#spotlight-on")).to_have_text("On the projector now")
    await expect(desk.locator("#spotlight-state")).to_have_text("the replay of Room 1")
    await desk.screenshot(path=ARTIFACTS / "console-spotlight.png")

    # The projector puts the room in place of the cohort, at its first step.
    spot = projector.locator("#spotlight")
    await expect(spot).to_be_visible(timeout=5_000)
    await expect(projector.locator("main")).to_be_hidden()
    await expect(projector.locator("#spotlight-h")).to_have_text("Replay: Room 1")
    data = (await _projected(projector))["spotlight"]
    steps, issues = data["steps"], data["scenario"]["issues"]
    assert [s["kind"] for s in steps] == [
        "started",
        "offer",
        "offer",
        "offer",
        "accepted",
        "agreement",
        "ended",
    ]
    offers = [
        (s["by"], s["class"], s["terms"]["monthly_rate"]) for s in steps if s["kind"] == "offer"
    ]
    assert offers == [
        ("seller", "opening", 705),
        ("buyer", "opening", 570),
        ("seller", "concession", 675),
    ]

    # Move by move: each offer with its terms, who made it and its class.
    await _at_step(projector, 1)
    await _shows_step(projector, steps, issues, 1)
    await expect(projector.locator("#spotlight-seller dd.changed")).to_have_count(0)
    await _at_step(projector, 2)
    await _shows_step(projector, steps, issues, 2)
    await _at_step(projector, 3)
    await _shows_step(projector, steps, issues, 3)
    # The seller's concession: every value it moved is marked as changed.
    changed = projector.locator("#spotlight-seller dd.changed")
    await expect(changed).to_have_count(4)
    moved = ["monthly_rate", "lease_term", "mileage", "delivery"]
    assert await changed.evaluate_all("els => els.map(e => e.dataset.issue)") == moved
    await expect(projector.locator("#spotlight-moves li")).to_have_text(
        ["started", "Seller · opening", "Buyer · opening", "Seller · concession"]
    )
    await projector.screenshot(path=ARTIFACTS / "projector-spotlight.png")
    await _fits(projector)

    # A projector that reloads shows the same replay, where it had got to.
    await projector.reload()
    await expect(spot).to_be_visible(timeout=5_000)
    shown = int(await spot.get_attribute("data-step") or "-1")
    assert shown >= 3, shown

    # Held at the end: the outcome, and the offer both took, with its terms.
    await _at_step(projector, len(steps) - 1)
    await expect(projector.locator("#spotlight-event")).to_have_text(
        re.compile(r"ended \(agreed\)")
    )
    taken = steps[-1]["standing"]["seller"]
    assert steps[-2]["kind"] == "agreement" and steps[-2]["terms"] == taken["terms"]
    outcome = projector.locator("#spotlight-outcome")
    await expect(outcome).to_have_text(f"Agreed on the seller's offer (#{taken['seq']})")
    agreed = projector.locator("#spotlight-seller")
    await expect(agreed).to_have_class(re.compile(r"\bagreed\b"))
    await expect(projector.locator("#spotlight-buyer")).not_to_have_class(re.compile("agreed"))
    await expect(agreed.locator("dd")).to_have_text(
        [_value(i, taken["terms"][i["id"]]) for i in issues]
    )
    await projector.screenshot(path=ARTIFACTS / "projector-spotlight-end.png")
    await _fits(projector)
    # Nothing private on the wall: no name, no message, no score, no walk-away value.
    text = await projector.locator("body").inner_text()
    html = await projector.content()
    for private in ("Zelda", "Quincy", "SECRET-CHAT"):
        assert private not in text and private not in html, private
    assert "walk-away" not in text.lower()
    assert await projector.locator("#spotlight .scores").count() == 0
    assert scenario["roles"]["buyer"]["brief"][:60] not in html

    # Stop showing: the projector goes back to what it showed.
    await desk.locator("#spotlight-stop").click()
    await expect(desk.locator("#spotlight-state")).to_have_text("the whole workshop")
    await expect(toggle).to_have_text("Show on projector")
    await expect(spot).to_be_hidden(timeout=5_000)
    await expect(projector.locator("main")).to_be_visible()
    await expect(projector.locator("#not-revealed")).to_be_visible()

    # Labels: the deals go up, then the facilitator labels them from the console.
    await desk.locator("#reveal").click()
    await expect(projector.locator("#scatter")).to_be_visible(timeout=5_000)
    assert (await chart(projector, "scatter"))["deals"][0].get("label") == ""
    assert await _labels_written(projector, "scatter") == []
    labels = desk.locator("#projector-labels")
    await expect(labels).not_to_be_checked()
    await labels.check()
    await expect(labels).to_be_checked()
    for _ in range(40):
        written = await _labels_written(projector, "scatter")
        if written:
            break
        await projector.wait_for_timeout(250)
    assert sorted(written) == ["Room 1", "Room 2"]
    deals = (await chart(projector, "scatter"))["deals"]
    assert sorted(d["label"] for d in deals) == ["Room 1", "Room 2"]
    await projector.screenshot(path=ARTIFACTS / "projector-labels.png")
    await projector.reload()  # recorded: a reload keeps them
    await expect(projector.locator("#scatter")).to_be_visible(timeout=5_000)
    await projector.wait_for_function(
        "() => (Chart.getChart(document.getElementById('scatter')) || {}).$dealLabels?.length === 2"
    )
    await labels.uncheck()
    for _ in range(40):
        if await _labels_written(projector, "scatter") == []:
            break
        await projector.wait_for_timeout(250)
    assert await _labels_written(projector, "scatter") == []

    # The console's cohort panel has its own toggle, off until asked.
    await desk.click("#cohort-panel summary")
    await expect(desk.locator("#cohort-table tbody tr")).to_have_count(2, timeout=10_000)
    assert await _labels_written(desk, "cohort-scatter") == []
    await desk.locator("#cohort-labels").check()
    await desk.wait_for_function(
        "() => Chart.getChart(document.getElementById('cohort-scatter')).$dealLabels.length === 2"
    )
    assert sorted(await _labels_written(desk, "cohort-scatter")) == ["Room 1", "Room 2"]
    await desk.locator("#cohort-labels").uncheck()
    await desk.wait_for_function(
        "() => Chart.getChart(document.getElementById('cohort-scatter')).$dealLabels.length === 0"
    )
    assert foreign == []
    await context.close()


async def _labels_written(page: Page, canvas: str) -> list[str]:
    """The labels the scatter on ``canvas`` wrote beside its deals, inside its plot."""
    return await page.evaluate(  # type: ignore[no-any-return]
        """id => {
          const chart = Chart.getChart(document.getElementById(id));
          const area = chart.chartArea;
          return (chart.$dealLabels || [])
            .filter((l) => l.x >= area.left && l.x + l.w <= area.right && l.y >= area.top
                           && l.y + l.h <= area.bottom)
            .map((l) => l.text);
        }""",
        canvas,
    )


async def test_the_spotlight_fits_a_big_projector_after_the_reveal(
    process: Process, browser: Browser
) -> None:
    """At 1920x1080, with scores and walk-away values revealed, a room of five issues
    still fits one screen, with no serious accessibility finding (axe-core); a room put
    up before its first move says so."""
    await process.start()
    workshop = await process.api(
        "POST", "/api/workshops", {"scenario": "fleet-lease", "rooms": 2, "title": "Fleet day"}
    )
    scenario = await process.api("GET", "/api/scenarios/fleet-lease")
    room, waiting = workshop["rooms"]
    await _negotiate(
        process,
        room,
        [
            ("seller", "offer", {"terms": _package(scenario, 705, "60 months", 20000, 18)}),
            ("buyer", "offer", {"terms": _package(scenario, 570, "36 months", 40000, 8)}),
            ("seller", "offer", {"terms": _package(scenario, 675, "48 months", 30000, 12)}),
            ("buyer", "accept", {}),
        ],
    )
    await process.api("POST", f"/api/workshops/{workshop['id']}/reveal", {"step": 2})
    base = f"/api/workshops/{workshop['id']}/spotlight"
    await process.api("POST", base, {"room": waiting["id"]})
    page = await browser.new_page(viewport=BIG_PROJECTOR)  # type: ignore[arg-type]
    await page.goto(workshop["projector"]["url"])
    await expect(page.locator("#spotlight-pos")).to_have_text(
        "Nothing has happened in this room yet.", timeout=10_000
    )
    await expect(page.locator("#spotlight-h")).to_have_text("Replay: Room 2")

    await process.api("POST", base, {"room": room["id"]})
    await expect(page.locator("#spotlight-h")).to_have_text("Replay: Room 1", timeout=5_000)
    await _at_step(page, 3)
    await expect(page.locator("#spotlight-seller .scores")).to_have_text(
        re.compile(r"^buyer \d+(\.\d)? · seller \d+(\.\d)?$")
    )
    rv = {role: f"{scenario['roles'][role]['reservation_value']:g}" for role in ("buyer", "seller")}
    await expect(page.locator("#spotlight-walk-away")).to_have_text(
        f"Walk-away values: buyer {rv['buyer']} · seller {rv['seller']}"
    )
    await _fits(page)
    assert await _axe("the projector's spotlight", page) == []
    await page.screenshot(path=ARTIFACTS / "projector-spotlight-1080.png")
    await page.close()
