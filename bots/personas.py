"""Personas: how a bot behaves at the table, layered on a strategy.

Drawn from the communication styles of DESIGN.md: analytical (precise, slow,
wants data), amiable (cooperative, avoids conflict), expressive (talkative,
relationship-driven), driver (results-driven, impatient, hard bargainer). A
persona sets the pace of moves, how often the bot talks, and what it says,
with an intent, so that practice feels like facing a person.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from dealroom.protocol import Intent

from .negotiation import Situation

__all__ = ["PERSONAS", "Persona", "make_persona"]


@dataclass(frozen=True, slots=True)
class Persona:
    """A communication style: pace, talkativeness and lines."""

    name: str
    strategy: str
    """The strategy it plays unless told otherwise."""
    think: tuple[float, float]
    """Seconds to think before a move, at pace 1."""
    chattiness: float
    """Chance of a message alongside each move."""
    lines: dict[Intent, tuple[str, ...]]

    def thinker(self, pace: float) -> Callable[[random.Random], float]:
        """A think-time function for :class:`~.bot.Bot` (pace 0: no waiting)."""
        low, high = self.think

        def think(rng: random.Random) -> float:
            return rng.uniform(low, high) * pace

        return think

    def message(self, situation: Situation, rng: random.Random) -> tuple[str, Intent] | None:
        """Maybe a line fitting the moment: interest and questions early, objections to
        poor offers, information when giving ground."""
        if rng.random() >= self.chattiness:
            return None
        intent = self._intent(situation, rng)
        issue = max(situation.issues, key=lambda i: _weight(situation, i.id))
        low = min(situation.issues, key=lambda i: _weight(situation, i.id))
        text = rng.choice(self.lines[intent]).format(
            issue=issue.label.lower(), other=low.label.lower()
        )
        return text[:200], intent

    @staticmethod
    def _intent(situation: Situation, rng: random.Random) -> Intent:
        if situation.time < 0.25:
            return rng.choice((Intent.QUESTION, Intent.INTEREST))
        if situation.standing is not None:
            offered = situation.score(situation.standing[1])
            if offered < situation.brief.reservation_value:
                return Intent.OBJECTION
        return rng.choice((Intent.INFO, Intent.QUESTION, Intent.INTEREST))


def _weight(situation: Situation, issue_id: str) -> float:
    scoring = situation.brief.scoring.get(issue_id)
    if scoring is None:
        return 0.0
    return max(scoring.points.values()) if scoring.points else scoring.weight


PERSONAS: dict[str, Persona] = {
    "analytical": Persona(
        name="analytical",
        strategy="linear",
        think=(6.0, 14.0),
        chattiness=0.5,
        lines={
            Intent.QUESTION: (
                "Can you walk me through how you arrived at that {issue}?",
                "What data supports your position on the {issue}?",
            ),
            Intent.OBJECTION: (
                "The figures do not support this yet; the {issue} is outside what we can justify.",
                "I need to see the numbers behind this before I can move on the {issue}.",
            ),
            Intent.INTEREST: ("Precision on the {issue} matters more to us than speed.",),
            Intent.INFO: (
                "For the record: our assessment puts the {issue} as our main criterion.",
                "I have adjusted the {other}; the {issue} is where we need accuracy.",
            ),
        },
    ),
    "amiable": Persona(
        name="amiable",
        strategy="conceder",
        think=(3.0, 8.0),
        chattiness=0.6,
        lines={
            Intent.QUESTION: (
                "What would make this work well for your team?",
                "How do you feel about the {other}?",
            ),
            Intent.OBJECTION: ("I'd like to help, but the {issue} is hard for us as it stands.",),
            Intent.INTEREST: (
                "A good long-term relationship matters to us.",
                "We'd really like to find something that suits us both.",
            ),
            Intent.INFO: ("We've moved on the {other} to meet you halfway.",),
        },
    ),
    "expressive": Persona(
        name="expressive",
        strategy="trade_seeking",
        think=(2.0, 6.0),
        chattiness=0.9,
        lines={
            Intent.QUESTION: (
                "Tell me more about your plans, what excites you about this?",
                "What's the story behind the {issue} for you?",
            ),
            Intent.OBJECTION: ("Honestly, that's a tough one for us on the {issue}!",),
            Intent.INTEREST: (
                "This could be a great partnership, let's make it happen!",
                "For us it's all about the {issue}, the rest we can be creative on.",
            ),
            Intent.INFO: ("Look, we've been generous on the {other}, let's keep the energy up!",),
        },
    ),
    "driver": Persona(
        name="driver",
        strategy="boulware",
        think=(1.0, 3.0),
        chattiness=0.4,
        lines={
            Intent.QUESTION: ("What's your best offer on the {issue}?",),
            Intent.OBJECTION: (
                "That's not acceptable. Improve the {issue} or we're done.",
                "We're wasting time; the {issue} has to move.",
            ),
            Intent.INTEREST: ("Results matter: get the {issue} right and we close today.",),
            Intent.INFO: ("Final stretch: this is close to our limit.",),
        },
    ),
}


def make_persona(name: str) -> Persona:
    """The persona of that name (KeyError names the choices)."""
    try:
        return PERSONAS[name]
    except KeyError:
        raise KeyError(f"unknown persona {name!r}; choose from {', '.join(PERSONAS)}") from None
