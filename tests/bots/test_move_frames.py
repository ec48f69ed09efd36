"""Offer frames encoded ahead: byte for byte what encoding each move gives."""

from __future__ import annotations

import pytest

from dealroom.bots.move_frames import ID_WIDTH, MoveFrames
from dealroom.protocol import JSON, MSGPACK, Accept, Codec, Offer

PACKAGES = [
    {"price": 900000, "warranty": 2, "delivery": "8 weeks"},
    {"price": 1250000, "warranty": 13, "delivery": "2 weeks"},
]


@pytest.mark.parametrize("codec", [JSON, MSGPACK], ids=["json", "msgpack"])
def test_patched_frames_equal_encoded_moves(codec: Codec) -> None:
    frames = MoveFrames(codec, "b", PACKAGES)
    seen = set()
    for n in range(1, 5):
        move_id, data = frames.next_offer()
        assert len(move_id) == ID_WIDTH and move_id not in seen
        seen.add(move_id)
        assert data == codec.encode(Offer(id=move_id, terms=PACKAGES[n % 2]))
        # The id is the frame's last field: a relayed frame's id is found by place.
        assert frames.id_from_end is not None
        end = len(data) - frames.id_from_end
        assert data[end - ID_WIDTH : end].decode() == move_id
    move_id, data = frames.accept(7)
    assert data == codec.encode(Accept(id=move_id, offer=7)) and move_id not in seen


def test_a_seat_needs_a_one_letter_tag_and_terms() -> None:
    with pytest.raises(ValueError):
        MoveFrames(JSON, "buyer", PACKAGES)
    with pytest.raises(ValueError):
        MoveFrames(JSON, "b", [])
