"""Codecs: bytes to typed frames and back, built once at import.

A frame carries two discriminators (``type``, and ``kind`` for moves and
events), and msgspec's tagged unions take one. So decoding peeks at ``type``
with a tiny struct, then hands the bytes to the typed decoder of that frame
family, whose union is tagged on ``kind``. Decoding never raises for bad input:
it returns an :class:`~.frames.Error` value with a stable code, which the server
sends back as is.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import msgspec

from .codes import ErrorCode
from .events import Event
from .frames import Ack, ClientFrame, Error, Hello, Move, Ping, Pong, Welcome
from .version import SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK

__all__ = ["CODECS", "JSON", "MSGPACK", "Codec", "ServerFrame", "codec_for"]

ServerFrame = Welcome | Ack | Error | Pong | Event
T = TypeVar("T")


# msgspec raises these, not DecodeError, for invalid UTF-8 inside a string and for
# nesting deeper than its recursion limit: both are undecodable frames.
_UNREADABLE = (UnicodeError, RecursionError)


def _unreadable(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "The frame is nested too deeply."
    return f"The frame holds text that is not valid UTF-8 ({exc.__class__.__name__})."


class _Peek(msgspec.Struct):
    """Reads only what routing and error replies need; skips every other field."""

    type: Any = None
    id: Any = None


class _Family(Generic[T]):
    """A typed decoder per frame ``type`` value, for one wire format."""

    def __init__(self, make: Any, types: dict[str, Any]) -> None:
        self.peek = make(_Peek)
        self.by_type: dict[str, Any] = {name: make(tp) for name, tp in types.items()}


class Codec:
    """One wire format: how frames are encoded and decoded on a connection.

    Attributes:
        subprotocol: the WebSocket subprotocol that selects this codec.
        binary: True when frames travel as binary WebSocket messages.
    """

    def __init__(self, subprotocol: str, binary: bool, module: Any) -> None:
        self.subprotocol = subprotocol
        self.binary = binary
        self._module = module
        self._encoder = module.Encoder()
        self._client: _Family[ClientFrame] = _Family(
            module.Decoder, {"hello": Hello, "move": Move, "ping": Ping}
        )
        self._server: _Family[ServerFrame] = _Family(
            module.Decoder,
            {"welcome": Welcome, "ack": Ack, "error": Error, "pong": Pong, "event": Event},
        )

    def encode(self, frame: msgspec.Struct) -> bytes:
        """Encode any frame or event."""
        return self._encoder.encode(frame)  # type: ignore[no-any-return]

    def decode_client(self, data: bytes | str) -> ClientFrame | Error:
        """Decode a client frame, or return the ``error`` frame that refuses it."""
        return self._decode(self._client, data, "client")  # type: ignore[no-any-return]

    def decode_server(self, data: bytes | str) -> ServerFrame | Error:
        """Decode a server frame (for clients and bots); bad input gives an ``Error``."""
        return self._decode(self._server, data, "server")  # type: ignore[no-any-return]

    def _decode(self, family: _Family[Any], data: bytes | str, side: str) -> Any:
        if self.binary and isinstance(data, str):
            data = data.encode()
        try:
            peek = family.peek.decode(data)
        except msgspec.ValidationError:
            return Error(id=None, code=ErrorCode.INVALID_FRAME, message="A frame must be a map.")
        except msgspec.DecodeError as exc:
            return Error(id=None, code=ErrorCode.BAD_FRAME, message=str(exc))
        except _UNREADABLE as exc:
            return Error(id=None, code=ErrorCode.BAD_FRAME, message=_unreadable(exc))
        move_id = peek.id if isinstance(peek.id, str) else None
        if peek.type is None:
            return Error(
                id=move_id, code=ErrorCode.INVALID_FRAME, message="A frame needs a `type`."
            )
        decoder = family.by_type.get(peek.type) if isinstance(peek.type, str) else None
        if decoder is None:
            allowed = ", ".join(family.by_type)
            return Error(
                id=move_id,
                code=ErrorCode.UNKNOWN_TYPE,
                message=f"Unknown {side} frame type {peek.type!r}; expected one of {allowed}.",
            )
        try:
            return decoder.decode(data)
        except msgspec.DecodeError as exc:  # ValidationError is a DecodeError
            return Error(id=move_id, code=ErrorCode.INVALID_FRAME, message=str(exc))
        except _UNREADABLE as exc:
            return Error(id=move_id, code=ErrorCode.BAD_FRAME, message=_unreadable(exc))


JSON = Codec(SUBPROTOCOL_JSON, binary=False, module=msgspec.json)
MSGPACK = Codec(SUBPROTOCOL_MSGPACK, binary=True, module=msgspec.msgpack)
CODECS: dict[str, Codec] = {c.subprotocol: c for c in (JSON, MSGPACK)}


def codec_for(subprotocol: str | None) -> Codec:
    """The codec a negotiated subprotocol selects; JSON when none was negotiated."""
    return CODECS.get(subprotocol or "", JSON)
