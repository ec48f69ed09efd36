"""A role's messages are bounded per room: the log cannot be grown without limit by chat."""

from __future__ import annotations

from dealroom.protocol import ErrorCode, SendMessage
from dealroom.server.referee import MESSAGE_CHARS_PER_ROLE, MoveCommand, replay

from .helpers import NOW, events_of, message, offer, run_refused, started

TEXT = "x" * 2000


def test_messages_past_the_limit_are_refused_and_the_rest_of_the_table_still_works() -> None:
    table = started()
    full = MESSAGE_CHARS_PER_ROLE // len(TEXT)
    for _ in range(full):
        events_of(message(table, "buyer", TEXT))
    assert table.state.message_chars["buyer"] == full * len(TEXT)
    over = MoveCommand(role="buyer", move=SendMessage(id="over", text=TEXT), now=NOW)
    refusal = run_refused(table, over, ErrorCode.MESSAGE_LIMIT)
    assert f"{MESSAGE_CHARS_PER_ROLE:,}" in refusal.message
    # what still fits goes through; the counterpart's own allowance is untouched
    room_left = MESSAGE_CHARS_PER_ROLE - table.state.message_chars["buyer"]
    if room_left:
        events_of(message(table, "buyer", "y" * room_left))
    events_of(message(table, "seller", TEXT))
    events_of(offer(table, "buyer"))


def test_the_count_is_a_fold_over_the_log() -> None:
    table = started()
    events_of(message(table, "buyer", "What matters most to you?"))
    events_of(message(table, "seller", "Delivery."))
    state = replay(table.log)
    assert state.message_chars == {"buyer": 25, "seller": 9}
