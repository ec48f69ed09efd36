"""Seat a bot: a persona (and optionally another strategy) in a room's seat."""

from __future__ import annotations

from .bot import Bot
from .personas import make_persona
from .strategies import make_strategy

__all__ = ["persona_bot"]

_FAST_ROUNDS = 40


def persona_bot(
    url: str,
    seat_token: str,
    *,
    persona: str = "amiable",
    strategy: str | None = None,
    pace: float = 1.0,
    codec: str = "json",
    seed: int | str | None = None,
) -> Bot:
    """A bot playing ``persona`` (with its own strategy unless ``strategy`` is given).

    Raises:
        KeyError: an unknown persona or strategy (the message lists the choices).
    """
    style = make_persona(persona)
    return Bot(
        url,
        seat_token,
        make_strategy(strategy or style.strategy),
        think=style.thinker(pace),
        talk=style.message,
        codec=codec,
        name=f"{style.name} bot",
        seed=seed,
        # With no thinking time the room's clock barely moves: count decisions instead.
        rounds=_FAST_ROUNDS if pace == 0 else None,
    )
