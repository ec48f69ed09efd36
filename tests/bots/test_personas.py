"""Personas: valid settings, valid and fitting lines, and the same lines for the same seed."""

from __future__ import annotations

import collections
import dataclasses
import random
import string

import pytest

from dealroom.bots.negotiation import Action, Leave, Propose, Situation
from dealroom.bots.personas import MAX_TEXT, PERSONAS, Persona, make_persona, persona_message
from dealroom.bots.space import space_for
from dealroom.bots.strategies import STRATEGIES
from dealroom.protocol import Intent, Role, Scenario, Terms
from dealroom.server.scenarios import builtin_scenarios

from .test_strategies import situation as view

SCENARIOS = builtin_scenarios()
EQUIPMENT = SCENARIOS["equipment-purchase"]
FIELDS = {"issue", "mine", "cheap", "their_value", "my_value"}


def best_of(scenario: Scenario, role: Role) -> Terms:
    space = space_for(scenario.brief(role), scenario.issues)
    return space.terms(space.best())


def talkative(name: str) -> Persona:
    return dataclasses.replace(make_persona(name), chattiness=1.0)


def intents(
    persona: Persona, situation: Situation, move: Action | None = None
) -> collections.Counter[Intent]:
    said: collections.Counter[Intent] = collections.Counter()
    for seed in range(200):
        message = persona_message(persona, situation, random.Random(seed), move)
        assert message is not None
        said[message[1]] += 1
    return said


def test_every_persona_is_complete() -> None:
    assert set(PERSONAS) == {"analytical", "amiable", "expressive", "driver"}
    for name, persona in PERSONAS.items():
        assert persona.name == name and make_persona(name) is persona
        assert persona.strategy in STRATEGIES
        low, high = persona.think
        assert 0 <= low <= high
        assert 0 < persona.chattiness <= 1
        assert set(persona.lines) == set(Intent)
        for intent, lines in persona.lines.items():
            assert lines and persona.leaning[intent] > 0
            for line in lines:
                names = {n for _, n, _, _ in string.Formatter().parse(line) if n}
                assert names <= FIELDS, line
    with pytest.raises(KeyError, match="analytical"):
        make_persona("grumpy")


def test_the_styles_differ_as_the_material_says() -> None:
    analytical, driver = PERSONAS["analytical"], PERSONAS["driver"]
    assert analytical.think[0] > driver.think[1]  # analytical is slow, the driver fast
    assert PERSONAS["expressive"].chattiness == max(p.chattiness for p in PERSONAS.values())
    assert driver.strategy in ("boulware", "hardliner")
    assert PERSONAS["amiable"].strategy == "conceder"
    assert max(driver.leaning, key=driver.leaning.__getitem__) is Intent.OBJECTION


def test_think_time_scales_with_pace() -> None:
    for persona in PERSONAS.values():
        low, high = persona.think
        rng = random.Random(1)
        assert persona.think_time(0.0, rng) == 0.0
        assert all(low <= persona.think_time(1.0, rng) <= high for _ in range(50))
        assert all(2 * low <= persona.think_time(2.0, rng) <= 2 * high for _ in range(50))
        assert persona.thinker(0.5)(random.Random(4)) == persona.think_time(0.5, random.Random(4))


def _moments(scenario: Scenario, role: Role) -> list[Situation]:
    other: Role = "seller" if role == "buyer" else "buyer"
    mine, theirs = best_of(scenario, role), best_of(scenario, other)
    space = space_for(scenario.brief(role), scenario.issues)
    middle = space.terms(space.ranks_at(len(space) // 2))
    return [
        view(scenario, role, time=0.0),
        view(scenario, role, time=0.1, mine=(mine,), theirs=(theirs,)),
        view(scenario, role, time=0.5, mine=(mine, middle), theirs=(theirs, middle)),
        view(scenario, role, time=0.9, mine=(middle,), theirs=(middle, theirs)),
    ]


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_messages_are_valid_and_filled_in(name: str) -> None:
    persona = PERSONAS[name]
    rng = random.Random(name)
    spoken = 0
    for scenario in SCENARIOS.values():
        for role in ("buyer", "seller"):
            for situation in _moments(scenario, role):
                for move in (None, Propose({}, concede=True), Leave("no")):
                    message = persona_message(persona, situation, rng, move)
                    if message is None:
                        continue
                    spoken += 1
                    text, intent = message
                    assert isinstance(intent, Intent)
                    assert 0 < len(text) <= MAX_TEXT
                    assert "{" not in text and "}" not in text
                    assert persona.message(situation, random.Random(3)) == persona_message(
                        persona, situation, random.Random(3)
                    )
    assert spoken > 0


def test_a_seeded_random_gives_the_same_messages() -> None:
    situation = _moments(EQUIPMENT, "buyer")[2]
    for persona in PERSONAS.values():
        first = [persona_message(persona, situation, rng) for rng in [random.Random(42)] * 30]
        again = [persona_message(persona, situation, rng) for rng in [random.Random(42)] * 30]
        assert first == again
        assert any(m is None for m in first) or persona.chattiness > 0.85
    quiet = dataclasses.replace(PERSONAS["driver"], chattiness=0.0)
    assert persona_message(quiet, situation, random.Random(1)) is None


def test_early_it_asks_and_shows_interest_and_never_objects_to_nothing() -> None:
    for name in PERSONAS:
        said = intents(talkative(name), view(EQUIPMENT, time=0.0))
        assert said[Intent.OBJECTION] == 0
        assert said[Intent.QUESTION] + said[Intent.INTEREST] > 100


def test_a_poor_or_hardened_offer_draws_objections() -> None:
    mine, theirs = best_of(EQUIPMENT, "buyer"), best_of(EQUIPMENT, "seller")
    poor = view(EQUIPMENT, time=0.6, mine=(mine,), theirs=(theirs,))
    assert poor.score(theirs) < poor.brief.reservation_value
    for name in ("driver", "expressive"):
        said = intents(talkative(name), poor)
        assert max(said, key=said.__getitem__) is Intent.OBJECTION
    hardened = view(EQUIPMENT, time=0.6, mine=(mine,), theirs=(mine, theirs))
    said = intents(talkative("amiable"), hardened)
    calm = intents(talkative("amiable"), view(EQUIPMENT, time=0.6, mine=(mine,), theirs=(mine,)))
    assert said[Intent.OBJECTION] > 2 * calm[Intent.OBJECTION]


def test_conceding_comes_with_information_and_analytical_quotes_figures() -> None:
    mine, theirs = best_of(EQUIPMENT, "buyer"), best_of(EQUIPMENT, "seller")
    situation = view(EQUIPMENT, time=0.5, mine=(mine,), theirs=(mine,))
    conceding = intents(talkative("analytical"), situation, Propose(mine, concede=True))
    assert max(conceding, key=conceding.__getitem__) is Intent.INFO
    texts = [
        persona_message(
            talkative("analytical"),
            view(EQUIPMENT, mine=(mine,), theirs=(theirs,)),
            random.Random(s),
        )
        for s in range(60)
    ]
    assert any(t is not None and any(c.isdigit() for c in t[0]) for t in texts)
