"""Authority limits in the browser: the buyer of equipment-purchase signs up to EUR 920,000.

The buyer's page states the limit, warns before an offer or an accept past it,
and shows the move waiting for sign-off; the facilitator signs off from the
console; only then does the deal close.
"""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.serverproc import Process

from .test_join_page import ARTIFACTS, _open

FAST = "Premium: 24/7, 4-hour on site"


async def test_a_buyer_cannot_close_above_the_limit_without_sign_off(
    process: Process, browser: Browser
) -> None:
    await process.start()
    workshop = await process.api(
        "POST", "/api/workshops", {"scenario": "equipment-purchase", "rooms": 1}
    )
    room = workshop["rooms"][0]
    buyer = await _open(browser, room["seats"]["buyer"]["url"], name="Bea")
    seller = await _open(browser, room["seats"]["seller"]["url"], name="Sid")
    await expect(buyer.locator("#authority")).to_contain_text("920,000")
    # Typing a price past the limit warns before anything is sent.
    await buyer.fill("#issue-price", "930000")
    await expect(buyer.locator("#beyond")).to_be_visible()
    await buyer.fill("#issue-price", "900000")
    await expect(buyer.locator("#beyond")).to_be_hidden()

    await seller.fill("#issue-price", "950000")
    await seller.check(f"#issue-support input[value='{FAST}']")
    await seller.click("#offer")
    await expect(buyer.locator("#theirs")).to_contain_text("950,000", timeout=10_000)
    await expect(buyer.locator("#theirs .beyond")).to_contain_text("sign-off")
    await buyer.click("#accept")
    await expect(buyer.locator("#now")).to_have_text(
        "Waiting for your manager's sign-off", timeout=10_000
    )
    await expect(buyer.locator("#log")).to_contain_text("needs sign-off")
    await buyer.screenshot(path=ARTIFACTS / "authority-waiting.png", full_page=True)
    # The seller sees nothing of the request; the room runs on.
    await expect(seller.locator("#final")).to_be_hidden()
    assert "sign-off" not in (await seller.locator("#log").inner_text())

    console = await browser.new_page(viewport={"width": 1400, "height": 900})
    console.on("dialog", lambda dialog: dialog.accept())
    await console.goto(f"{process.base}/#token=process-test-token")
    row = console.locator(f'#grid tr[data-room="{room["id"]}"]')
    await expect(row.locator(".approval-badge")).to_contain_text("sign-off", timeout=10_000)
    await row.locator(".link-button").click()
    approve = console.locator("#approvals button[data-decision=approve]")
    await expect(approve).to_be_visible(timeout=10_000)
    await expect(console.locator("#approvals")).to_contain_text("950")
    await console.screenshot(path=ARTIFACTS / "authority-console.png", full_page=True)
    await console.fill("#approvals .sign-off-note", "CFO agrees: go ahead.")
    await approve.click()
    for page in (buyer, seller):
        await expect(page.locator("#final")).to_contain_text("Agreement reached", timeout=10_000)
    await expect(buyer.locator("#now")).to_contain_text("ended")
    await expect(buyer.locator("#log")).to_contain_text("signed off")
    await expect(buyer.locator("#log")).to_contain_text("CFO agrees: go ahead.")
    await expect(row.locator(".approval-badge")).to_have_count(0)
    detail = await process.api("GET", f"/api/rooms/{room['id']}")
    kinds = [e["kind"] for e in detail["events"]]
    assert (
        kinds.index("approval_requested")
        < kinds.index("approval_decided")
        < kinds.index("agreement")
    )
