"""The languages a bot writes in, and how each names an issue and writes a value.

A bot writes to its counterpart in the language its counterpart's client shows
(``joined.lang``) when its persona has lines in it (personas.py, lines_nl.py,
lines_es.py, lines_id.py, lines_ms.py), else in English. Issue labels and option
labels come from the scenario's translation into that language, where it has
one, so the bot names things as the counterpart's own page does; numbers are
written the way that language writes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from dealroom.protocol import Issue, ScenarioText, TermValue

__all__ = ["ENGLISH", "LANGUAGES", "Language", "language_of"]


@dataclass(frozen=True, slots=True)
class Language:
    """How one language writes what a bot quotes from the table."""

    code: str
    """Its ISO 639 code, as ``hello.lang`` and the scenario's translations name it."""
    thousands: str
    """The thousands separator: ``920,000`` in English and Malay, ``920.000`` elsewhere."""
    grouped_from: int = 1000
    """The smallest number written with a separator (Spanish writes 4500 unbroken)."""
    unit_first: bool = False
    """Money as ``EUR 920,000`` (the English bots always wrote) rather than ``920.000 EUR``
    (how the room page shows it)."""

    def number(self, value: int) -> str:
        """``value`` with this language's thousands separator."""
        if abs(value) < self.grouped_from:
            return str(value)
        return f"{value:,}".replace(",", self.thousands)

    def label(self, issue: Issue, text: ScenarioText | None) -> str:
        """The issue's label as it reads mid-sentence in this language."""
        words = text.issues.get(issue.id) if text is not None else None
        label = (words.label if words is not None else "") or issue.label
        # "Price of the line" reads "the price of the line" mid-sentence; keep "SLA ..." as is.
        if len(label) > 1 and label[1].isupper():
            return label
        return label[:1].lower() + label[1:]

    def value(self, issue: Issue, value: TermValue, text: ScenarioText | None) -> str:
        """``value`` of ``issue`` as the counterpart reads it: an option by its translated
        label (the translation lists them in the issue's order), a number with its unit."""
        words = text.issues.get(issue.id) if text is not None else None
        if issue.kind == "options":
            shown = words.options if words is not None else ()
            if len(shown) == len(issue.options) and value in issue.options:
                return shown[issue.options.index(str(value))]
            return str(value)
        number = self.number(value) if isinstance(value, int) else str(value)
        unit = (words.unit if words is not None else "") or issue.unit
        if issue.kind == "money" and self.unit_first:
            return f"{unit} {number}".strip()
        return f"{number} {unit}".strip()


ENGLISH = Language("en", ",", unit_first=True)

LANGUAGES: dict[str, Language] = {
    "en": ENGLISH,
    "nl": Language("nl", "."),
    # CLDR's minimum grouping digits for Spanish is 2, as the room page's numbers show.
    "es": Language("es", ".", grouped_from=10_000),
    "id": Language("id", "."),
    "ms": Language("ms", ","),
}
"""Every language a bot writes in, by code."""


def language_of(lang: str) -> Language | None:
    """The language a client's ``lang`` names (``es``, ``es-ES``, ``ES``); None when a
    bot writes no such language, or the client named none."""
    code = lang.strip().lower().replace("_", "-").partition("-")[0]
    return LANGUAGES.get(code)
