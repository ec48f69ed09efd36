"""Coaching signals, and that the web client has a sentence for every one in each language."""

from __future__ import annotations

import re
from pathlib import Path

from dealroom.server.debrief import analyse_room, coaching
from dealroom.server.debrief.coaching import Signal

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
    keys = set(re.findall(r'Signal\("(coach_[a-z_]+)"', source))
    assert len(keys) >= 7
    text = I18N.read_text()
    for language in ("en", "nl"):
        block = text.split(f"{language}: {{", 1)[1].split("\n    },", 1)[0]
        for key in keys:
            assert f"{key}:" in block, (language, key)
