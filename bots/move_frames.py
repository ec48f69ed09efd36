"""A seat's offer frames, encoded once and patched with each move's id.

Encoding a move per send is the load tool's largest cost after the socket
itself. The frames differ only in their id, so each seat encodes a few offers
once with a placeholder id of fixed width and splices the real id into the
bytes. Both codecs keep a fixed-width string's bytes contiguous and its length
prefix (MessagePack) unchanged, so the result is exactly what encoding the move
would give.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from dealroom.protocol import Accept, Codec, Offer, Terms

__all__ = ["ID_WIDTH", "MoveFrames", "Seen"]


class Seen(msgspec.Struct):
    """The few fields of a server frame the load tool needs; the rest is skipped unread."""

    type: str = ""
    kind: str = ""
    by: str = ""
    move: str | None = None
    outcome: str | None = None
    id: str | None = None
    seq: int = 0
    code: str = ""
    message: str = ""


ID_WIDTH = 10
"""A move id: a one-letter seat tag and nine digits, unique within a room."""
_PLACEHOLDER = "~" * ID_WIDTH


class MoveFrames:
    """One seat's offers: ``next_offer()`` gives a fresh id and its frame's bytes."""

    __slots__ = ("_codec", "_count", "_parts", "_tag", "id_from_end")

    def __init__(self, codec: Codec, tag: str, packages: Sequence[Terms]) -> None:
        if len(tag) != 1 or not packages:
            raise ValueError("a one-letter seat tag and at least one package of terms")
        self._codec, self._tag, self._count = codec, tag, 0
        self._parts: list[tuple[bytes, bytes]] = []
        marker = _PLACEHOLDER.encode()
        for terms in packages:
            data = codec.encode(Offer(id=_PLACEHOLDER, terms=terms))
            at = data.index(marker)
            self._parts.append((data[:at], data[at + ID_WIDTH :]))
        tails = {len(tail) for _, tail in self._parts}
        self.id_from_end: int | None = tails.pop() if len(tails) == 1 else None
        """Bytes after the id in every frame (the id is the last field), else None.

        A peer that gets these frames back byte for byte (the bare relay) can
        then read a move's id at a fixed place instead of decoding the frame.
        """

    def next_offer(self) -> tuple[str, bytes]:
        """The next move id of this seat and the offer frame that carries it."""
        self._count += 1
        move_id = f"{self._tag}{self._count:09d}"
        head, tail = self._parts[self._count % len(self._parts)]
        return move_id, head + move_id.encode() + tail

    def accept(self, offer_seq: int) -> tuple[str, bytes]:
        """An accept of the standing offer at ``offer_seq`` (once per room: encoded here)."""
        self._count += 1
        move_id = f"{self._tag}{self._count:09d}"
        return move_id, self._codec.encode(Accept(id=move_id, offer=offer_seq))
