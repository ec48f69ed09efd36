"""The personas' lines in Dutch: each English line of personas.py, as a Dutch buyer or
seller would write it.

Line by line the same intents and placeholders as the English. Dutch gives an
issue *de* or *het* by its noun, which a template cannot know, so an issue is
named as "het punt {issue}" or with "qua {issue}", both of which take a bare label.
The analytical, amiable and driver personas say *u*; the expressive one *jullie*.
"""

from __future__ import annotations

from dealroom.protocol import Intent

__all__ = ["LINES"]

_Q, _O, _N, _F = Intent.QUESTION, Intent.OBJECTION, Intent.INTEREST, Intent.INFO

LINES: dict[str, dict[Intent, tuple[str, ...]]] = {
    "analytical": {
        _Q: (
            "Op het punt {issue} zit u op {their_value}. Waar is dat op gebaseerd?",
            "Welke cijfers onderbouwen uw standpunt op het punt {issue}?",
            "Kunt u de kosten achter het punt {issue} voor ons uitsplitsen?",
        ),
        _O: (
            "Bij {their_value} gaat de rekensom op het punt {issue} voor ons niet op.",
            "Ik wil eerst de cijfers zien voordat we op het punt {issue} kunnen bewegen.",
        ),
        _N: (
            "Qua {mine} gaat nauwkeurigheid voor ons boven snelheid.",
            "Qua {mine} hebben we iets nodig dat we intern met cijfers kunnen verantwoorden.",
        ),
        _F: (
            "Om precies te zijn: op het punt {issue} kunnen we {my_value} bieden.",
            "Onze cijfers staven {my_value} op het punt {issue}; qua {cheap} stelden we al bij.",
            "Voor de goede orde: het punt {mine} is ons belangrijkste criterium.",
        ),
    },
    "amiable": {
        _Q: (
            "Wat heeft uw team nodig om hier goed mee uit de voeten te kunnen?",
            "Waarom is het punt {issue} zo belangrijk voor u?",
            "Hoe kijkt u aan tegen het punt {cheap}?",
        ),
        _O: ("Ik help u graag, maar het punt {issue} is zoals het nu ligt lastig voor ons.",),
        _N: (
            "Een goede relatie op de lange termijn is belangrijk voor ons.",
            "We willen graag iets vinden waar we allebei goed mee zitten.",
            "Met het punt {mine} houden we onze mensen tevreden.",
        ),
        _F: (
            "We zijn u qua {cheap} halverwege tegemoetgekomen.",
            "Op het punt {issue} kunnen we {my_value} doen, als u daarmee geholpen bent.",
        ),
    },
    "expressive": {
        _Q: (
            "Wat is voor jullie het verhaal achter het punt {issue}?",
            "Vertel eens, wat spreekt jullie het meest aan in deze deal?",
        ),
        _O: (
            "Auw, {their_value}? Daar moet ik op het punt {issue} wel even van slikken!",
            "Kom op, zo kan het punt {issue} toch niet blijven!",
        ),
        _N: (
            "Dit kan een prachtige samenwerking worden, laten we het waarmaken!",
            "Voor ons draait alles om het punt {mine}!",
        ),
        _F: (
            "Kijk, qua {cheap} zijn we echt royaal geweest!",
            "Ik heb een nieuw idee: {my_value} op het punt {issue}.",
        ),
    },
    "driver": {
        _Q: ("Wat is uw beste bod op het punt {issue}?", "Kunt u vandaag tekenen?"),
        _O: (
            "{their_value} op het punt {issue}? Onacceptabel.",
            "We verspillen tijd; op het punt {issue} moet er beweging komen.",
            "Kom met iets beters op het punt {issue}, anders houdt het op.",
        ),
        _N: ("Zorg dat het punt {mine} goed zit, dan sluiten we vandaag.",),
        _F: (
            "Dit zit dicht tegen onze grens aan.",
            "{my_value} op het punt {issue}. Graag of niet.",
        ),
    },
}
"""Per persona, per intent: the Dutch lines, in the order of the English ones."""
