"""Protocol version and the WebSocket subprotocol names that select a codec."""

from __future__ import annotations

__all__ = ["PROTOCOL_VERSION", "SUBPROTOCOLS", "SUBPROTOCOL_JSON", "SUBPROTOCOL_MSGPACK"]

PROTOCOL_VERSION = 1
SUBPROTOCOL_JSON = "dealroom.v1.json"
SUBPROTOCOL_MSGPACK = "dealroom.v1.msgpack"
# When a client offers both, the first one in the client's list wins.
SUBPROTOCOLS = (SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK)
