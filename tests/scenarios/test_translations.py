"""A scenario's words in other languages: loaded, checked, and sent in the language asked."""

from __future__ import annotations

from dealroom.protocol.scenario import EVERY_LANGUAGE
from dealroom.server.scenarios import parse

from .test_load import GOOD

DUTCH = """
[translations.nl]
title = "Klein"

[translations.nl.issues.price]
label = "Prijs"

[translations.nl.issues.warranty]
label = "Garantie"
options = ["1 jaar", "2 jaar"]

[translations.nl.roles.buyer]
title = "Koper"
public = "Een koper."
brief = "U koopt."

[translations.nl.roles.seller]
title = "Verkoper"
brief = "U verkoopt."
"""


def test_a_translation_loads_and_each_seat_gets_its_own_words_only() -> None:
    scenario, problems = parse(GOOD + DUTCH)
    assert problems == [] and scenario is not None
    public = scenario.public("nl")
    assert list(public.translations) == ["nl"]
    dutch = public.translations["nl"]
    assert dutch.title == "Klein" and dutch.issues["warranty"].options == ("1 jaar", "2 jaar")
    assert {role: text.brief for role, text in dutch.roles.items()} == {"buyer": "", "seller": ""}
    assert dutch.roles["buyer"].public == "Een koper."
    brief = scenario.brief("seller", "nl")
    assert brief.translations == {
        "nl": type(brief.translations["nl"])(title="Verkoper", brief="U verkoopt.")
    }
    # A language the scenario lacks (or none asked) sends no translation: English stays.
    assert scenario.public("es").translations == {} and scenario.public().translations == {}
    assert scenario.brief("buyer", "es").translations == {}


def test_every_language_for_a_client_that_asks_for_all_of_them() -> None:
    """``"*"`` (a bot's hello): every translation the file has, each seat still its own brief."""
    spanish = DUTCH.replace("translations.nl", "translations.es").replace("Koper", "Comprador")
    scenario, problems = parse(GOOD + DUTCH + spanish)
    assert problems == [] and scenario is not None
    public = scenario.public(EVERY_LANGUAGE)
    assert public.translations == {
        lang: scenario.public(lang).translations[lang] for lang in ("nl", "es")
    }
    assert all(t.brief == "" for text in public.translations.values() for t in text.roles.values())
    brief = scenario.brief("buyer", EVERY_LANGUAGE)
    assert {lang: text.title for lang, text in brief.translations.items()} == {
        "nl": "Koper",
        "es": "Comprador",
    }
    bare, _ = parse(GOOD)
    assert bare is not None and bare.public(EVERY_LANGUAGE).translations == {}


def _errors(text: str) -> list[tuple[int | None, str]]:
    _, problems = parse(text)
    return [(p.line, p.message) for p in problems if p.severity == "error"]


def test_a_translation_names_only_issues_the_file_has_and_one_label_per_option() -> None:
    lines = (GOOD + DUTCH).splitlines()
    text = (
        GOOD
        + DUTCH.replace('options = ["1 jaar", "2 jaar"]', 'options = ["1 jaar"]')
        + '\n[translations.nl.issues.colour]\nlabel = "Kleur"\n'
        + "\n[translations.nl.issues.price]\n".replace("price", "pricey")
        + 'options = ["laag", "hoog"]\n'
    )
    errors = _errors(text)
    messages = [message for _, message in errors]
    assert any("shows 1 options for issue 'warranty', which has 2" in m for m in messages), errors
    assert "[translations.nl] names no issue 'colour'" in messages, errors
    assert "[translations.nl] names no issue 'pricey'" in messages, errors
    assert all(
        line is not None and line > len(lines) - len(DUTCH.splitlines()) for line, _ in errors
    )


def test_a_numeric_issue_has_no_options_to_translate_and_a_language_is_its_code() -> None:
    text = GOOD + DUTCH.replace('label = "Prijs"', 'label = "Prijs"\noptions = ["laag", "hoog"]')
    assert any("is a money issue: its translation has no options" in m for _, m in _errors(text))
    errors = _errors(GOOD + DUTCH.replace("translations.nl", "translations.Dutch"))
    assert any("ISO 639" in message for _, message in errors), errors
