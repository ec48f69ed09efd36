"""A workshop's short join code over real sockets: /j/CODE leads to the open link in any
case and spacing, a wrong code is a 404 page and a paced guess, the code survives a
restart."""

from __future__ import annotations

import re

import aiohttp

from dealroom.server.log import MemoryLog
from dealroom.server.rooms import join_codes
from dealroom.server.rooms.workshop_records import Workshop
from dealroom.server.rooms.workshop_records import encode as _encode
from dealroom.server.rooms.workshops import Workshops
from dealroom.server.web.join_code import GUESSES_BURST
from tests.serverproc import Process

from .conftest import Running

CODE = re.compile(f"^[{join_codes.ALPHABET}]{{6}}$")


async def _get(session: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, str], str]:
    async with session.get(url, allow_redirects=False) as r:
        return r.status, dict(r.headers), await r.text()


async def test_every_workshop_gets_its_own_code(server: Running) -> None:
    codes = set()
    for _ in range(5):
        status, workshop = await server.api("POST", "/api/workshops", {"scenario": "small"})
        assert status == 201
        assert CODE.match(workshop["code"]), workshop["code"]
        assert workshop["join_code"] == {"code": workshop["code"], "url": server.base + "/j"}
        codes.add(workshop["code"])
    assert len(codes) == 5
    _, listed = await server.api("GET", "/api/workshops")
    assert {w["code"] for w in listed} == codes
    assert not set("01ILO") & set(join_codes.ALPHABET)


async def test_the_code_leads_to_the_open_link(server: Running) -> None:
    _, workshop = await server.api("POST", "/api/workshops", {"scenario": "small"})
    code, token = workshop["code"], workshop["open_link"]["token"]
    typed = [code, code.lower(), f"{code[:3]}-{code[3:]}", f" {code[:3]} {code[3:].lower()} "]
    for variant in typed:
        status, headers, _ = await _get(server.session, f"{server.base}/j/{variant}")
        assert status == 302, variant
        assert headers["Location"] == f"/open/{token}"
    # The page's form sends ?code=, and the page's language goes along.
    status, headers, _ = await _get(server.session, f"{server.base}/j?code={code.lower()}&lang=es")
    assert status == 302 and headers["Location"] == f"/open/{token}?lang=es"
    # Followed all the way, it is the open link's page.
    async with server.session.get(f"{server.base}/j/{code}") as r:
        assert r.status == 200 and "Take a seat" in await r.text()
        assert str(r.url).endswith(f"/open/{token}")


async def test_the_code_page_asks_and_a_wrong_code_says_so(server: Running) -> None:
    status, headers, page = await _get(server.session, f"{server.base}/j")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert '<form id="join-code" action="/j" method="get">' in page
    assert 'data-state="" data-code=""' in page
    for wrong, shown in (("ZZZ999", "ZZZ999"), ("abc", "ABC"), ("O0O0O0", "O0O0O0")):
        status, _, page = await _get(server.session, f"{server.base}/j/{wrong}")
        assert status == 404, wrong
        assert f'data-state="unknown" data-code="{shown}"' in page
    # What someone types is only ever text on the page.
    status, _, page = await _get(server.session, f'{server.base}/j?code="><script>x</script>')
    assert status == 404 and "<script>x" not in page
    assert 'data-code="&quot;&gt;&lt;SCRIPT&gt;X&lt;/SCRIPT&gt;"' in page


async def test_wrong_codes_are_paced_per_address(server: Running) -> None:
    _, workshop = await server.api("POST", "/api/workshops", {"scenario": "small"})
    for _ in range(3):  # right codes cost nothing
        assert (await _get(server.session, f"{server.base}/j/{workshop['code']}"))[0] == 302
    for n in range(GUESSES_BURST):
        status, _, _ = await _get(server.session, f"{server.base}/j/{n:06d}")
        assert status == 404, n
    status, headers, page = await _get(server.session, f"{server.base}/j/ZZZZZZ")
    assert status == 429 and int(headers["Retry-After"]) >= 1
    assert 'data-state="rate_limited"' in page
    # Spent: now even the right code waits, so guessing cannot go on.
    assert (await _get(server.session, f"{server.base}/j/{workshop['code']}"))[0] == 429


async def test_the_code_survives_a_restart(process: Process) -> None:
    await process.start()
    workshop = await process.api("POST", "/api/workshops", {"scenario": "fleet-lease"})
    assert process.stop() == 0
    await process.start()
    again = await process.api("GET", f"/api/workshops/{workshop['id']}")
    assert again["code"] == workshop["code"]
    async with aiohttp.ClientSession() as session:
        status, headers, _ = await _get(session, f"{process.base}/j/{workshop['code'].lower()}")
    assert status == 302 and headers["Location"] == f"/open/{workshop['open_link']['token']}"


async def test_a_workshop_from_before_codes_gets_one_that_lasts() -> None:
    log = MemoryLog()
    old = Workshop(id="wold", title="Old", scenario="small", created_at=1)
    await log.append("workshop:wold", 1, [_encode(old)])
    first = Workshops(log)
    held = await first.get("wold")
    assert held is not None and held.record.code == ""
    code = await first.ensure_code("wold", now=2)
    assert CODE.match(code) and await first.ensure_code("wold", now=3) == code
    restarted = Workshops(log)
    again = await restarted.by_code(code)
    assert again is not None and again.id == "wold" and again.record.code == code
    # An index entry whose workshop's own log holds another code leads nowhere.
    await log.put_index({join_codes.entry("ABCDEF", "wold"): b""})
    assert await restarted.by_code("ABCDEF") is None
