"""Fan-out: each event is encoded once per codec, whoever and however many receive it.

Visibility decides who may receive an event (DESIGN.md principle 6); the
encoded bytes are shared by every subscriber on the same codec (principle 7:
one encoding per event and per visibility, never per recipient).
"""

from __future__ import annotations

from collections.abc import Iterable

from dealroom.protocol import MSGPACK, Codec, Event

from ..referee import audience, can_see
from .room import Subscriber

__all__ = ["publish"]


def publish(
    subscribers: Iterable[Subscriber], events: Iterable[Event], msgpack_frames: Iterable[bytes]
) -> None:
    """Deliver ``events`` to every subscriber allowed to see them.

    ``msgpack_frames`` are the events' MessagePack encodings, already made for
    the log: the same bytes are the MessagePack wire frames.
    """
    listeners = list(subscribers)
    if not listeners:
        return
    for event, packed in zip(events, msgpack_frames, strict=True):
        seen_by = audience(event)
        frames: dict[Codec, bytes] = {MSGPACK: packed}
        for subscriber in listeners:
            if not can_see(subscriber.viewer, seen_by):
                continue
            codec = subscriber.codec
            frame = frames.get(codec)
            if frame is None:
                frame = frames[codec] = codec.encode(event)
            subscriber.deliver(frame)
