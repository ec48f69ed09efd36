"""Every built-in scenario speaks every language the interface does, in full.

A participant whose room page is in Dutch, Spanish, Indonesian or Malay reads
the scenario in it; a missing language, or a translation that leaves a label, an
option or a brief empty, would show them English (or nothing) in the middle of a
role-play. The validator cannot know which languages a file ought to have, so
this test holds the built-in ones to all four.
"""

from __future__ import annotations

import re

import msgspec
import pytest

from dealroom.protocol import Issue, Scenario
from dealroom.server.scenarios import builtin_scenarios

LANGUAGES = ("nl", "es", "id", "ms")
"""The room page's languages other than English (client_web/i18n.js)."""

SCENARIOS = builtin_scenarios()

# Words of one language that the other would not use in these texts: Malay must not
# be Indonesian with a different label (nor the other way round).
INDONESIAN_ONLY = (
    "perusahaan",
    "karena",
    "pemerintah",
    "bisa",
    "dukungan",
    "layanan",
    "lisensi",
    "akun",
    "pemasok",
)
MALAY_ONLY = (
    "syarikat",
    "kerana",
    "kerajaan",
    "sokongan",
    "perkhidmatan",
    "lesen",
    "akaun",
    "pembekal",
    "baharu",
    "tiada",
)


SYMBOLS = frozenset({"km", "kg", "t", "m", "h", "%"})
"""Units written the same in every language: they need no translation."""


def _unit_is_a_word(scenario: Scenario, issue: Issue) -> bool:
    """A unit such as "weeks" needs translating; the currency code ("EUR") or "km" does not."""
    return bool(issue.unit) and issue.unit != scenario.currency and issue.unit not in SYMBOLS


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_a_built_in_scenario_has_every_word_in_every_language(
    scenario_id: str, language: str
) -> None:
    scenario = SCENARIOS[scenario_id]
    assert language in scenario.translations, f"{scenario_id} has no [translations.{language}]"
    text = scenario.translations[language]
    where = f"{scenario_id} [translations.{language}]"
    assert text.title.strip() and text.summary.strip(), f"{where}: title or summary is empty"
    assert text.summary != scenario.summary, f"{where}: the summary is the English one"
    assert set(text.issues) == {issue.id for issue in scenario.issues}, where
    for issue in scenario.issues:
        words = text.issues[issue.id]
        assert words.label.strip(), f"{where}: issue '{issue.id}' has no label"
        if issue.description:
            assert words.description.strip(), f"{where}: issue '{issue.id}' has no description"
        if _unit_is_a_word(scenario, issue):
            assert words.unit.strip(), f"{where}: issue '{issue.id}' has no unit"
        if issue.kind == "options":
            assert len(words.options) == len(issue.options), f"{where}: '{issue.id}' options"
            assert all(o.strip() for o in words.options), f"{where}: '{issue.id}' empty option"
    assert set(text.roles) == set(scenario.roles), where
    for role, side in scenario.roles.items():
        role_words = text.roles[role]
        assert role_words.title.strip(), f"{where}: role {role} has no title"
        assert role_words.brief.strip(), f"{where}: role {role} has no brief"
        assert role_words.brief != side.brief, f"{where}: role {role}'s brief is the English one"
        if side.public:
            assert role_words.public.strip(), f"{where}: role {role} has no public text"


@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_malay_and_indonesian_are_each_their_own_language(scenario_id: str) -> None:
    scenario = SCENARIOS[scenario_id]
    for language, foreign in (("ms", INDONESIAN_ONLY), ("id", MALAY_ONLY)):
        text = msgspec.json.encode(scenario.translations[language]).decode()
        found = [word for word in foreign if re.search(rf"\b{word}\b", text, re.IGNORECASE)]
        assert found == [], f"{scenario_id} [translations.{language}] uses {found}"
