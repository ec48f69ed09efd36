"""Exports of a workshop: CSV (one row per room) and JSON Lines (every event of every room).

Pure: figures and events in, text out, and back. Re-reading the JSON Lines
export gives each room's log again, so the same analysis can be rerun
anywhere (``read_jsonl`` then :func:`~.analysis.analyse_room`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

import msgspec

from dealroom.protocol import Event

from .analysis import RoomAnalysis

__all__ = ["CSV_COLUMNS", "events_jsonl", "read_jsonl", "rooms_csv"]

CSV_COLUMNS = (
    "room",
    "outcome",
    "buyer_score",
    "seller_score",
    "joint",
    "best_joint",
    "distance_to_frontier",
    "buyer_beat_reservation",
    "seller_beat_reservation",
    "first_offer_by",
    "anchor_first",
    "anchor_final",
    "anchor_moved",
    "buyer_offers",
    "seller_offers",
    "buyer_concessions",
    "seller_concessions",
    "buyer_growing_concessions",
    "seller_growing_concessions",
    "buyer_questions",
    "seller_questions",
    "buyer_objections",
    "seller_objections",
    "buyer_authority_requests",
    "seller_authority_requests",
    "authority_approved",
    "authority_declined",
    "authority_lapsed",
    "deadlocks",
    "deadlocks_broken",
    "time_to_agreement_s",
    "terms",
)


class _Record(msgspec.Struct):
    room: str
    event: Event


_record_decoder = msgspec.json.Decoder(_Record)
_line = msgspec.json.Encoder()


def _row(a: RoomAnalysis) -> list[object]:
    anchor = a.anchor or {}
    seconds = None if a.time_to_agreement_ms is None else a.time_to_agreement_ms / 1000
    return [
        a.room,
        a.outcome or "",
        a.buyer.score,
        a.seller.score,
        a.joint,
        a.best_joint,
        a.distance_to_frontier,
        a.buyer.beat_reservation,
        a.seller.beat_reservation,
        a.first_offer_by or "",
        anchor.get("first"),
        anchor.get("final"),
        anchor.get("moved"),
        sum(a.buyer.offers.values()),
        sum(a.seller.offers.values()),
        a.buyer.offers["concession"],
        a.seller.offers["concession"],
        a.buyer.growing_concessions,
        a.seller.growing_concessions,
        a.buyer.intents["question"],
        a.seller.intents["question"],
        a.buyer.intents["objection"],
        a.seller.intents["objection"],
        a.buyer.authority["requests"],
        a.seller.authority["requests"],
        a.buyer.authority["approved"] + a.seller.authority["approved"],
        a.buyer.authority["declined"] + a.seller.authority["declined"],
        a.buyer.authority["lapsed"] + a.seller.authority["lapsed"],
        a.deadlocks,
        a.deadlocks_broken,
        seconds,
        "" if a.terms is None else msgspec.json.encode(a.terms).decode(),
    ]


def rooms_csv(analyses: Iterable[RoomAnalysis]) -> str:
    """One CSV row per room (a header first); empty cells where a figure does not apply.

    >>> from dealroom.server.debrief import analyse_room
    >>> from dealroom.server.debrief.example import example_log
    >>> header, row = rooms_csv([analyse_room(example_log())]).splitlines()
    >>> header.split(",")[:5]
    ['room', 'outcome', 'buyer_score', 'seller_score', 'joint']
    >>> row.split(",")[:5]
    ['example', 'agreed', '52.5', '50.0', '102.5']
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for analysis in analyses:
        writer.writerow(["" if v is None else v for v in _row(analysis)])
    return out.getvalue()


def events_jsonl(rooms: Mapping[str, Sequence[Event]]) -> str:
    """Every event of every room, one ``{"room", "event"}`` object per line, in order.

    >>> from dealroom.server.debrief.example import example_log
    >>> lines = events_jsonl({"example": example_log()}).splitlines()
    >>> len(lines)
    16
    >>> lines[3]
    '{"room":"example","event":{"kind":"started","deadline":1800001201000,"type":"event",...}}'

    """
    lines = []
    for room, events in rooms.items():
        for event in events:
            # {"room": R, "event": {...}}: the event exactly as its frame, beside its room.
            lines.append(
                f'{{"room":{_line.encode(room).decode()},"event":{_line.encode(event).decode()}}}'
            )
    return "\n".join(lines) + ("\n" if lines else "")


def read_jsonl(text: str) -> dict[str, list[Event]]:
    """The rooms' logs back from :func:`events_jsonl`.

    >>> from dealroom.server.debrief import analyse_room
    >>> from dealroom.server.debrief.example import example_log
    >>> again = read_jsonl(events_jsonl({"example": example_log()}))
    >>> analyse_room(again["example"]) == analyse_room(example_log())
    True

    Raises:
        msgspec.DecodeError: a line that is not an exported event.
    """
    rooms: dict[str, list[Event]] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        record = _record_decoder.decode(line)
        rooms.setdefault(record.room, []).append(record.event)
    return rooms
