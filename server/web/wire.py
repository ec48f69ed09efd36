"""WebSocket frame headers for frames the server has already encoded.

Fan-out writes each pre-encoded event straight to the socket's transport: one
``transport.write`` per recipient, no task, no coroutine, and the bytes shared
by every recipient on the same codec. aiohttp's writer would need an awaited
coroutine per frame for the same bytes. Server frames are never masked and the
server sends no fragments, so the header is the whole of RFC 6455 section 5.2
that applies here.
"""

from __future__ import annotations

import struct

__all__ = ["OPCODE_BINARY", "OPCODE_PING", "OPCODE_PONG", "OPCODE_TEXT", "frame_header"]

OPCODE_TEXT = 0x1
OPCODE_BINARY = 0x2
OPCODE_PING = 0x9
OPCODE_PONG = 0xA
_FIN = 0x80
_SHORT = struct.Struct("!BB")
_MEDIUM = struct.Struct("!BBH")
_LONG = struct.Struct("!BBQ")


def frame_header(length: int, opcode: int) -> bytes:
    """The header of one unmasked, final frame of ``length`` payload bytes (RFC 6455 5.2)."""
    first = _FIN | opcode
    if length < 126:
        return _SHORT.pack(first, length)
    if length < 65536:  # "If 126, the following 2 bytes ... are the payload length"
        return _MEDIUM.pack(first, 126, length)
    return _LONG.pack(first, 127, length)  # "If 127, the following 8 bytes ..."
