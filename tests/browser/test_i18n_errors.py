"""Error codes in the participant's language: I18N.error has words for every code the
server can send (protocol/codes.py), in every language of the interface."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Route

from dealroom.protocol.codes import ErrorCode

I18N_JS = (Path(__file__).parents[2] / "client_web" / "i18n.js").read_text(encoding="utf-8")
PAGE = '<!doctype html><html><head><script src="/i18n.js"></script></head><body></body></html>'
CODES = [code.value for code in ErrorCode]


async def _serve(route: Route) -> None:
    """i18n.js alone, on a page of its own: no server, no room needed."""
    if route.request.url.split("?")[0].endswith("/i18n.js"):
        await route.fulfill(body=I18N_JS, content_type="text/javascript; charset=utf-8")
    else:
        await route.fulfill(body=PAGE, content_type="text/html; charset=utf-8")


async def _words(browser: Browser, lang: str) -> dict[str, object]:
    page = await browser.new_page()
    await page.route("http://i18n.test/**", _serve)
    await page.goto(f"http://i18n.test/?lang={lang}")
    words: dict[str, object] = await page.evaluate(
        """(codes) => ({
            lang: I18N.lang,
            missing: I18N.missing(),
            errors: Object.fromEntries(codes.map((c) => [c, I18N.error(c, "FALLBACK")])),
            unknown: I18N.error("no_such_code", "The server's own message."),
            no_fallback: I18N.error("no_such_code"),
        })""",
        CODES,
    )
    await page.close()
    return words


async def test_every_error_code_has_words_in_every_language(browser: Browser) -> None:
    english = await _words(browser, "en")
    errors = english["errors"]
    assert isinstance(errors, dict)
    assert english["missing"] == []
    assert [code for code, text in errors.items() if text == "FALLBACK"] == []
    assert errors["not_your_turn"] == "It is the other side's turn to make an offer."
    # A code this page has no words for (a newer server's) shows the server's message.
    assert english["unknown"] == "The server's own message."
    assert english["no_fallback"] == "no_such_code"
    for lang in ("nl", "es", "id", "ms"):
        words = await _words(browser, lang)
        assert words["lang"] == lang and words["missing"] == []
        translated = words["errors"]
        assert isinstance(translated, dict)
        # In the language itself, not English passed through.
        assert [code for code in CODES if translated[code] in ("FALLBACK", errors[code])] == []
        assert words["unknown"] == "The server's own message."


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("nl", "De andere partij is aan de beurt om een bod te doen."),
        ("es", "Le toca a la otra parte hacer una oferta."),
        ("id", "Sekarang giliran pihak lain untuk membuat penawaran."),
        ("ms", "Sekarang giliran pihak lain untuk membuat tawaran."),
    ],
)
async def test_not_your_turn_reads_in_the_pages_language(
    browser: Browser, lang: str, text: str
) -> None:
    words = await _words(browser, lang)
    errors = words["errors"]
    assert isinstance(errors, dict) and errors["not_your_turn"] == text
