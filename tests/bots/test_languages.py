"""Bots in the counterpart's language: every persona's lines in Dutch, Spanish,
Indonesian and Malay, with the scenario's translated words and local numbers."""

from __future__ import annotations

import dataclasses
import itertools
import random
import re
import string

import msgspec
import pytest

from dealroom.bots.languages import ENGLISH, LANGUAGES, language_of
from dealroom.bots.negotiation import Situation
from dealroom.bots.personas import MAX_TEXT, PERSONAS, Persona, persona_message
from dealroom.protocol import Intent, IssueText, Scenario, ScenarioText

from .test_personas import SCENARIOS, _moments, talkative

TRANSLATED = ("nl", "es", "id", "ms")
"""Every language a bot writes besides English (and every one the built-in scenarios have)."""

# English words a line in another language must not carry (as whole words).
ENGLISH_WORDS = re.compile(r"\b(the|you|your|our|on|and|for|to|what|can)\b", re.IGNORECASE)


def names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def filled(template: str) -> re.Pattern[str]:
    """A regex matching ``template`` with any text in its fields."""
    parts = [
        re.escape(literal) + (".+" if name else "")
        for literal, name, _, _ in string.Formatter().parse(template)
    ]
    return re.compile("".join(parts), re.DOTALL)


def in_language(situation: Situation, lang: str, scenario: Scenario) -> Situation:
    return dataclasses.replace(
        situation, their_language=lang, translations=dict(scenario.translations)
    )


def spoken(persona: Persona, lang: str, seeds: int = 8) -> list[tuple[Scenario, str, Intent]]:
    """What a talkative ``persona`` says to a counterpart in ``lang``, over the moments of
    every built-in scenario and a few seeds."""
    said = []
    for scenario in SCENARIOS.values():
        for role in ("buyer", "seller"):
            for situation in _moments(scenario, role):
                view = in_language(situation, lang, scenario)
                for seed in range(seeds):
                    message = persona_message(persona, view, random.Random(seed))
                    assert message is not None
                    said.append((scenario, *message))
    return said


def test_numbers_are_written_as_each_language_writes_them() -> None:
    assert [LANGUAGES[code].number(920_000) for code in ("en", "nl", "es", "id", "ms")] == [
        "920,000",
        "920.000",
        "920.000",
        "920.000",
        "920,000",
    ]
    assert LANGUAGES["nl"].number(4500) == "4.500" and LANGUAGES["es"].number(4500) == "4500"
    assert LANGUAGES["es"].number(24_000) == "24.000" and ENGLISH.number(-1500) == "-1,500"
    assert all(language.number(540) == "540" for language in LANGUAGES.values())


def test_a_clients_language_is_read_leniently_and_unknown_ones_are_none() -> None:
    assert language_of("es") is language_of("es-ES") is language_of("ES") is LANGUAGES["es"]
    assert language_of("ms_MY") is LANGUAGES["ms"] and language_of(" id ") is LANGUAGES["id"]
    assert language_of("") is None and language_of("de") is None and language_of("*") is None


def test_values_and_labels_come_from_the_translation_in_the_issues_order() -> None:
    equipment = SCENARIOS["equipment-purchase"]
    spanish = equipment.translations["es"]
    es = LANGUAGES["es"]
    payment, delivery, price = (equipment.issue(i) for i in ("payment_terms", "delivery", "price"))
    assert es.label(payment, spanish) == "plazo de pago"
    assert es.value(payment, "60 days", spanish) == "60 días"  # the wire value's own label
    assert es.value(delivery, 18, spanish) == "18 semanas"
    assert es.value(price, 920_000, spanish) == "920.000 EUR"  # as the room page shows money
    assert ENGLISH.value(price, 920_000, None) == "EUR 920,000"  # as English bots always wrote
    # Without a translation (or with one that does not list every option): the scenario's own.
    assert es.label(payment, None) == "payment terms" and es.value(delivery, 18, None) == "18 weeks"
    short = ScenarioText(issues={"payment_terms": IssueText(options=("30 días",))})
    assert es.value(payment, "60 days", short) == "60 days"
    assert es.label(payment, short) == "payment terms"  # an empty label stays the scenario's


def test_every_persona_speaks_every_language_line_for_line() -> None:
    assert set(LANGUAGES) == {"en", *TRANSLATED}
    for persona in PERSONAS.values():
        assert set(persona.translations) == set(TRANSLATED), persona.name
        for lang, lines in persona.translations.items():
            assert set(lines) == set(persona.lines), (persona.name, lang)
            for intent, english in persona.lines.items():
                theirs = lines[intent]
                assert len(theirs) == len(english), (persona.name, lang, intent)
                for ours, translated in zip(english, theirs, strict=True):
                    assert names(translated) == names(ours), (lang, translated)
                    assert translated != ours


def test_malay_is_not_indonesian() -> None:
    for persona in PERSONAS.values():
        indonesian = set(itertools.chain(*persona.translations["id"].values()))
        malay = set(itertools.chain(*persona.translations["ms"].values()))
        assert not indonesian & malay, persona.name


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_line_fits_every_built_in_scenario_in_its_language(lang: str) -> None:
    """Each template, filled with the longest words each scenario's translation can put
    in it, stays within MAX_TEXT unclipped and has no English left."""
    language = LANGUAGES[lang]
    for scenario in SCENARIOS.values():
        text = scenario.translations[lang]
        labels = [language.label(issue, text) for issue in scenario.issues]
        longest = [
            max((language.value(i, i.value_at(r), text) for r in range(i.size())), key=len)
            for i in scenario.issues
        ]
        english = {i.label.lower() for i in scenario.issues} | {
            o.lower() for i in scenario.issues for o in i.options
        }
        assert not english & {label.lower() for label in labels}, "translation incomplete"
        for persona in PERSONAS.values():
            for template in itertools.chain(*persona.translations[lang].values()):
                worst = 0
                for focus, mine, cheap in itertools.product(range(len(labels)), repeat=3):
                    if mine == cheap:
                        continue  # the issue that matters most is never the cheapest
                    line = template.format(
                        issue=labels[focus],
                        mine=labels[mine],
                        cheap=labels[cheap],
                        their_value=longest[focus],
                        my_value=longest[focus],
                    )
                    worst = max(worst, len(line))
                    assert not ENGLISH_WORDS.search(line), (lang, line)
                    assert not any(word in line.lower() for word in english), (lang, line)
                assert worst <= MAX_TEXT, (lang, scenario.id, template)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_a_bot_writes_in_its_counterparts_language(lang: str) -> None:
    for persona in PERSONAS.values():
        ours = {line for lines in persona.translations[lang].values() for line in lines}
        patterns = [filled(line) for line in ours]
        for scenario, text, intent in spoken(talkative(persona.name), lang):
            assert 0 < len(text) <= MAX_TEXT and "{" not in text
            assert any(p.fullmatch(text) for p in patterns), (lang, text)
            assert isinstance(intent, Intent)
            english = [i.label.lower() for i in scenario.issues]
            assert not any(label in text.lower() for label in english), (lang, text)


def test_the_same_seed_says_the_same_thing_and_means_the_same_in_every_language() -> None:
    """A seeded bot is deterministic per language; and since a language changes only the
    words, the same seed picks the same intent and the same line in each."""
    for persona in PERSONAS.values():
        situation = _moments(SCENARIOS["fleet-lease"], "seller")[2]
        said = {}
        for lang in ("", *TRANSLATED):
            view = in_language(situation, lang, SCENARIOS["fleet-lease"])
            first = [persona_message(persona, view, random.Random(seed)) for seed in range(40)]
            again = [persona_message(persona, view, random.Random(seed)) for seed in range(40)]
            assert first == again
            said[lang] = first
        for lang in TRANSLATED:
            assert [m and m[1] for m in said[lang]] == [m and m[1] for m in said[""]]
            assert said[lang] != said[""]


@pytest.mark.parametrize("lang", ["", "en", "de", "*", "pt-BR"])
def test_an_unknown_or_empty_language_is_english_as_before(lang: str) -> None:
    scenario = SCENARIOS["software-subscription"]
    for persona in PERSONAS.values():
        for situation in _moments(scenario, "buyer"):
            view = in_language(situation, lang, scenario)
            for seed in range(10):
                assert persona_message(persona, view, random.Random(seed)) == persona_message(
                    persona, situation, random.Random(seed)
                )


def test_a_scenario_without_the_translation_keeps_its_own_words_in_the_sentence() -> None:
    scenario = msgspec.structs.replace(SCENARIOS["fleet-lease"], translations={})
    persona = talkative("driver")
    situation = in_language(_moments(scenario, "buyer")[1], "nl", scenario)
    said = [persona_message(persona, situation, random.Random(seed)) for seed in range(30)]
    texts = [m[0] for m in said if m is not None]
    dutch = {line for lines in persona.translations["nl"].values() for line in lines}
    assert all(any(filled(line).fullmatch(t) for line in dutch) for t in texts)
    labels = [issue.label.lower() for issue in scenario.issues]
    assert any(label in t for t in texts for label in labels)
