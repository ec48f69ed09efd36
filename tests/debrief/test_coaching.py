"""Coaching signals, and that the web client has a sentence for every one in each language."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from dealroom.protocol import Accept, Offer, WalkAway
from dealroom.server.debrief import analyse_room, coaching
from dealroom.server.debrief.coaching import SIGNAL_KEYS, Signal
from dealroom.server.referee import End, Join, MoveCommand, Tick
from tests.support import T0, Table, terms

from .test_analysis import _example_room

I18N = Path(__file__).parents[2] / "client_web" / "i18n.js"


def test_the_example_buyer_is_told_about_growing_concessions_and_praised_for_questions() -> None:
    analysis = analyse_room(_example_room().log)
    buyer = coaching(analysis, "buyer")
    assert buyer[0] == Signal("coach_beat_batna", {"score": 52.5, "rv": 30.0})
    keys = [s.key for s in buyer]
    assert "coach_growing_concessions" in keys or "coach_value_left" in keys
    assert len(buyer) <= 3
    seller = [s.key for s in coaching(analysis, "seller")]
    assert seller[0] == "coach_beat_batna"


def test_every_coaching_key_has_a_sentence_in_every_language() -> None:
    source = (Path(__file__).parents[2] / "server" / "debrief" / "coaching.py").read_text()
    written = set(re.findall(r'"(coach_[a-z_]+)"', source.split("SIGNAL_KEYS = (", 1)[1]))
    assert written <= set(SIGNAL_KEYS) and len(SIGNAL_KEYS) >= 12
    text = I18N.read_text()
    for language in ("en", "nl"):
        block = text.split(f"{language}: {{", 1)[1].split("\n    },", 1)[0]
        for key in SIGNAL_KEYS:
            assert f"{key}:" in block, (language, key)


def _ended_without_a_deal(how: str) -> Table:
    table = Table()
    table.run(Join("buyer", now=T0))
    table.run(Join("seller", now=T0))
    if how == "walked":
        table.run(MoveCommand("buyer", Offer(id="b", terms=terms(120)), now=T0 + 1))
        table.run(MoveCommand("seller", WalkAway(id="w"), now=T0 + 2))
    elif how == "expired":
        table.run(Tick(now=T0 + 600_000))
    else:
        table.run(End(now=T0 + 5))
    return table


def test_after_a_walk_away_each_side_is_told_its_own_part() -> None:
    analysis = analyse_room(_ended_without_a_deal("walked").log)
    assert analysis.walked_away_by == "seller"
    assert coaching(analysis, "seller")[0].key == "coach_walked_away"
    assert coaching(analysis, "buyer")[0].key == "coach_they_walked"


@pytest.mark.parametrize("how", ["walked", "expired", "closed"])
def test_a_room_without_a_deal_still_gets_two_or_three_signals(how: str) -> None:
    analysis = analyse_room(_ended_without_a_deal(how).log)
    for role in ("buyer", "seller"):
        signals = coaching(analysis, role)  # type: ignore[arg-type]
        assert 2 <= len(signals) <= 3, (how, role, signals)
        assert all(s.key in SIGNAL_KEYS for s in signals)


def test_figures_are_rounded_as_the_screen_shows_them() -> None:
    table = Table()
    table.run(Join("buyer", now=T0))
    table.run(Join("seller", now=T0))
    table.run(MoveCommand("seller", Offer(id="s", terms=terms(130, "2 years", 5)), now=T0 + 1))
    offer = table.state.standing["seller"].seq
    table.run(MoveCommand("buyer", Accept(id="a", offer=offer), now=T0 + 2))
    analysis = analyse_room(table.log)
    # A score with many decimals (the built-in scenarios' weights give them).
    analysis = dataclasses.replace(
        analysis, buyer=dataclasses.replace(analysis.buyer, score=52.3456, reservation_value=30.04)
    )
    first = coaching(analysis, "buyer")[0]
    assert (first.key, first.values) == ("coach_beat_batna", {"score": 52.3, "rv": 30.0})
