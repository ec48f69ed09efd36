"""Personas: how a bot behaves at the table, layered on a strategy.

The four communication styles of DESIGN.md ("Domain") as bot personas:

* **analytical**: precise and slow; asks for data and quotes the figures;
* **amiable**: cooperative, avoids conflict; concedes readily, talks interests;
* **expressive**: talkative and relationship-driven; many short lines of every kind;
* **driver**: results-driven and impatient; bargains hard and objects fast.

A persona sets the pace (think time), how often the bot talks, which strategy
it plays unless told otherwise, and what it says: short lines, each with an
intent (question, objection, interest, info) so that a debrief can count them.
Lines may name issues and quote the values on the table, never the bot's
private scoring or reservation value. They are English here, and Dutch,
Spanish, Indonesian and Malay in lines_nl.py, lines_es.py, lines_id.py and
lines_ms.py: the bot writes in its counterpart's language when it knows it
(languages.py). All chance comes from a ``random.Random`` the caller passes
in, so a seeded bot says the same things (in the same language).
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from dealroom.protocol import Intent, ScenarioText

from . import lines_es, lines_id, lines_ms, lines_nl
from .languages import ENGLISH, Language, language_of
from .negotiation import Action, Leave, Propose, Situation
from .space import space_for

__all__ = ["MAX_TEXT", "PERSONAS", "Persona", "make_persona", "persona_message"]

MAX_TEXT = 200
"""Longest message a persona sends (characters)."""


@dataclass(frozen=True, slots=True)
class Persona:
    """A communication style: pace, talkativeness, default strategy and lines."""

    name: str
    strategy: str
    """The strategy it plays unless told otherwise (a key of ``STRATEGIES``)."""
    think: tuple[float, float]
    """Seconds to think before a move, (low, high), at pace 1."""
    chattiness: float
    """Chance of a message alongside each move."""
    leaning: Mapping[Intent, float]
    """How much this style favours each intent, before the moment weighs in."""
    lines: Mapping[Intent, tuple[str, ...]]
    """Templates per intent, in English; fields: issue, mine, cheap, their_value, my_value."""
    translations: Mapping[str, Mapping[Intent, tuple[str, ...]]] = field(default_factory=dict)
    """The same lines in other languages, by language code: the same intents, and line
    by line the same fields."""

    def think_time(self, pace: float, rng: random.Random) -> float:
        """Seconds to wait before a move: uniform in ``think`` scaled by ``pace`` (0: none)."""
        low, high = self.think
        return rng.uniform(low, high) * max(pace, 0.0)

    def thinker(self, pace: float) -> Callable[[random.Random], float]:
        """A think-time function for :class:`~.bot.Bot` (pace 0: no waiting)."""
        return lambda rng: self.think_time(pace, rng)

    def message(self, situation: Situation, rng: random.Random) -> tuple[str, Intent] | None:
        """:func:`persona_message` for this persona (the bot runner's ``talk`` hook)."""
        return persona_message(self, situation, rng)

    def voice(self, lang: str) -> tuple[Language, Mapping[Intent, tuple[str, ...]]]:
        """The language this persona writes to a counterpart whose client shows ``lang``,
        with its lines in it: that language if it has lines in it, else English."""
        language = language_of(lang)
        lines = None if language is None else self.translations.get(language.code)
        if language is None or lines is None:
            return ENGLISH, self.lines
        return language, lines


def persona_message(
    persona: Persona,
    situation: Situation,
    rng: random.Random,
    move: Action | None = None,
) -> tuple[str, Intent] | None:
    """Maybe a line fitting the moment, with its intent; None when the persona keeps quiet.

    The persona's ``leaning`` is weighed by the moment: questions and interests
    early, objections to a poor or hardened offer (or when leaving), information
    when giving ground (``move`` is a concession; without a move, once the bot
    has offered and the clock has run a while). The line is in the counterpart's
    language (``situation.their_language``) when the persona has lines in it.
    """
    if rng.random() >= persona.chattiness:
        return None
    language, lines = persona.voice(situation.their_language)
    fields = _fields(situation, language, situation.translations.get(language.code))
    weights = _moment(situation, move)
    intents = [i for i in Intent if weights[i] * persona.leaning.get(i, 0.0) > 0]
    if not intents:
        return None
    intent = rng.choices(intents, [weights[i] * persona.leaning.get(i, 0.0) for i in intents])[0]
    fitting = [t for t in lines.get(intent, ()) if _names(t) <= fields.keys()]
    if not fitting:
        return None
    text = rng.choice(fitting).format(**fields)
    return _clip(text), intent


def _moment(situation: Situation, move: Action | None) -> dict[Intent, float]:
    """How fitting each intent is now (multipliers on the persona's leaning)."""
    weights = dict.fromkeys(Intent, 1.0)
    theirs = [terms for _, terms in situation.their_offers]
    if situation.time < 0.25 or not theirs:
        weights[Intent.QUESTION] *= 2.5
        weights[Intent.INTEREST] *= 2.5
        weights[Intent.OBJECTION] *= 0.3
    if not theirs:
        weights[Intent.OBJECTION] = 0.0  # nothing on the table to object to
    else:
        latest = situation.score(theirs[-1])
        hardened = len(theirs) >= 2 and latest < situation.score(theirs[-2])
        if latest < situation.brief.reservation_value or hardened:
            weights[Intent.OBJECTION] *= 5.0
    if isinstance(move, Leave):
        weights[Intent.OBJECTION] *= 5.0
    if isinstance(move, Propose):
        if move.concede:
            weights[Intent.INFO] *= 4.0
    elif situation.my_offers and situation.time >= 0.3:
        # The bot runner does not say what the move is; past the opening most
        # moves give some ground, so lean a little towards explaining it.
        weights[Intent.INFO] *= 1.5
    if situation.time >= 0.8:
        weights[Intent.QUESTION] *= 0.4
    return weights


def _fields(situation: Situation, language: Language, text: ScenarioText | None) -> dict[str, str]:
    """What a template may name: issues by label and, once offered, the values on the table,
    in ``language`` with the scenario's words in it (``text``), where it has them."""
    issues = situation.issues
    space = space_for(situation.brief, issues)
    stakes = [max(points) - min(points) for points in space.points]
    mine = max(range(len(issues)), key=lambda k: (stakes[k], -k))
    cheap = min(range(len(issues)), key=lambda k: (stakes[k], k))
    fields = {
        "mine": language.label(issues[mine], text),
        "cheap": language.label(issues[cheap], text),
    }
    focus = mine
    if situation.their_offers:
        theirs = space.ranks(situation.their_offers[-1][1])
        # Their focus: the issue where their offer sits furthest from my preferred end.
        gaps = [
            abs(rank - best) / max(size - 1, 1)
            for rank, best, size in zip(theirs, space.preferred, space.sizes, strict=True)
        ]
        focus = max(range(len(issues)), key=lambda k: (gaps[k], stakes[k]))
        value = situation.their_offers[-1][1][issues[focus].id]
        fields["their_value"] = language.value(issues[focus], value, text)
    fields["issue"] = language.label(issues[focus], text)
    if situation.my_offers:
        mine_now = situation.my_offers[-1][issues[focus].id]
        fields["my_value"] = language.value(issues[focus], mine_now, text)
    return fields


def _names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"


def _translations(persona: str) -> dict[str, Mapping[Intent, tuple[str, ...]]]:
    """The persona's lines in every other language a bot writes (one module each)."""
    tables = {"nl": lines_nl, "es": lines_es, "id": lines_id, "ms": lines_ms}
    return {lang: module.LINES[persona] for lang, module in tables.items()}


# Short names keep the tables below readable.
_Q, _O, _N, _F = Intent.QUESTION, Intent.OBJECTION, Intent.INTEREST, Intent.INFO

PERSONAS: dict[str, Persona] = {
    "analytical": Persona(
        name="analytical",
        strategy="linear",
        think=(8.0, 20.0),
        chattiness=0.5,
        leaning={_Q: 3.0, _O: 1.0, _N: 1.0, _F: 3.0},
        lines={
            _Q: (
                "You put the {issue} at {their_value}. How did you arrive at that figure?",
                "What data supports your position on the {issue}?",
                "Can you break down the cost behind the {issue} for us?",
            ),
            _O: (
                "At {their_value}, the {issue} does not add up for us.",
                "I need to see the numbers before we can move on the {issue}.",
            ),
            _N: (
                "Precision on the {mine} matters more to us than speed.",
                "We need a {mine} we can justify with figures internally.",
            ),
            _F: (
                "To be precise: we can offer {my_value} on the {issue}.",
                "Our figures support {my_value} on the {issue}; we have adjusted the {cheap}.",
                "For the record, the {mine} is our main criterion.",
            ),
        },
        translations=_translations("analytical"),
    ),
    "amiable": Persona(
        name="amiable",
        strategy="conceder",
        think=(3.0, 8.0),
        chattiness=0.6,
        leaning={_Q: 2.0, _O: 0.5, _N: 3.0, _F: 1.5},
        lines={
            _Q: (
                "What would make this work well for your team?",
                "What makes the {issue} so important for you?",
                "How do you feel about the {cheap}?",
            ),
            _O: ("I'd like to help, but the {issue} is hard for us as it stands.",),
            _N: (
                "A good long-term relationship matters to us.",
                "We'd really like to find something that suits us both.",
                "The {mine} is what keeps our people comfortable.",
            ),
            _F: (
                "We've moved on the {cheap} to meet you halfway.",
                "We can do {my_value} on the {issue} if that helps.",
            ),
        },
        translations=_translations("amiable"),
    ),
    "expressive": Persona(
        name="expressive",
        strategy="tit_for_tat",
        think=(1.5, 5.0),
        chattiness=0.9,
        leaning={_Q: 2.0, _O: 1.5, _N: 2.0, _F: 2.0},
        lines={
            _Q: (
                "What's the story behind the {issue} for you?",
                "Tell me, what excites you about this deal?",
            ),
            _O: (
                "Ouch, {their_value}? That's a tough one on the {issue}!",
                "Come on, the {issue} can't stay there!",
            ),
            _N: (
                "This could be a great partnership, let's make it happen!",
                "For us it's all about the {mine}!",
            ),
            _F: (
                "Look, we've been generous on the {cheap}!",
                "Here's a fresh idea: {my_value} on the {issue}.",
            ),
        },
        translations=_translations("expressive"),
    ),
    "driver": Persona(
        name="driver",
        strategy="boulware",
        think=(0.5, 2.5),
        chattiness=0.4,
        leaning={_Q: 1.0, _O: 4.0, _N: 1.0, _F: 1.0},
        lines={
            _Q: ("What's your best offer on the {issue}?", "Can you sign today?"),
            _O: (
                "{their_value} on the {issue}? Not acceptable.",
                "We're wasting time; the {issue} has to move.",
                "Improve the {issue} or we're done.",
            ),
            _N: ("Get the {mine} right and we close today.",),
            _F: ("This is close to our limit.", "{my_value} on the {issue}. Take it or leave it."),
        },
        translations=_translations("driver"),
    ),
}
"""Every built-in persona by name."""


def make_persona(name: str) -> Persona:
    """The persona of that name (KeyError names the choices)."""
    try:
        return PERSONAS[name]
    except KeyError:
        raise KeyError(f"unknown persona {name!r}; choose from {', '.join(PERSONAS)}") from None
