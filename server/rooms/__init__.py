"""dealroom.server.rooms: rooms on a node, fed by the referee and the event log."""

from __future__ import annotations

from .room import Room, RoomLock, Subscriber, stream_of
from .service import RoomService, now_ms

__all__ = ["Room", "RoomLock", "RoomService", "Subscriber", "now_ms", "stream_of"]
