"""Data frames handed over as aiohttp parses them, instead of through its queue and a task.

aiohttp delivers each received WebSocket message through a queue: the parser
(C) puts it there, a future wakes the handler task, ``receive()`` takes it
out. For a move that is a task wake-up and a few layers of Python before
any dealroom code runs. :class:`FramesResponse` lets a joined connection take
its data frames straight from the parser's callback (the queue's
``feed_data``); control frames (ping, pong, close) and everything before the
sink is set still go through the queue to the handler task, as in aiohttp.

This reaches into aiohttp's internals (``WebSocketDataQueue``, the protocol's
parser), so it checks for them: where they are missing (another aiohttp
version) :meth:`FramesResponse.take_frames` answers False and the handler task
reads every frame itself, as before. tests/server/test_frames.py fails if the
installed aiohttp no longer takes the fast way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

__all__ = ["FramesResponse", "Sink"]

log = logging.getLogger(__name__)

Sink = Callable[[bytes], None]

_DATA = (WSMsgType.BINARY, WSMsgType.TEXT)

_reader: Any
try:
    from aiohttp._websocket import reader as _reader
except ImportError:  # pragma: no cover - another aiohttp layout: the handler task reads
    _reader = None


def _frames_class() -> Any:
    """aiohttp's message queue, whose data frames go to ``sink`` once one is set."""

    class Frames(_reader.WebSocketDataQueue):  # type: ignore[misc]
        sink: Sink | None = None

        def feed_data(self, data: Any, size: int) -> None:
            sink = self.sink
            if sink is not None and data[0] in _DATA:
                sink(data[1])
                return
            super().feed_data(data, size)

    return Frames


_Frames: Any = _frames_class() if _reader is not None else None


class FramesResponse(web.WebSocketResponse):
    """A WebSocket response whose data frames can be taken as they are parsed."""

    _frames: Any = None

    def _post_start(self, request: Any, protocol: Any, writer: Any) -> None:
        super()._post_start(request, protocol, writer)
        try:
            self._frames = _swap_queue(self, request)
        except Exception:  # an aiohttp whose internals differ: the queue stays
            log.warning("aiohttp internals differ: frames go through its queue", exc_info=True)
            self._frames = None

    def take_frames(self, sink: Sink | None) -> bool:
        """Send data frames to ``sink`` from now on (None: back to the queue).

        Only while the queue holds nothing, so no frame overtakes one still
        queued; answers whether frames now go to ``sink``.
        """
        frames = self._frames
        if frames is None:
            return False
        if sink is not None and (frames.sink is sink or frames._buffer):
            return frames.sink is sink
        frames.sink = sink
        return sink is not None

    def pause_reading(self) -> bool:
        """Stop reading the socket (a long backlog); whether it was paused."""
        frames = self._frames
        if frames is None:
            return False
        frames._protocol.pause_reading()
        return True

    def resume_reading(self) -> None:
        """Read the socket again after :meth:`pause_reading`."""
        if self._frames is not None:
            self._frames._protocol.resume_reading()


def _swap_queue(response: web.WebSocketResponse, request: Any) -> Any:
    """Put a :class:`_Frames` queue and a parser feeding it in place of aiohttp's."""
    if _Frames is None:
        return None
    old: Any = response._reader
    protocol = request.protocol
    if old is None or protocol._payload_parser is not response._parser:
        raise RuntimeError("not the parser and queue this code knows")
    frames = _Frames(old._protocol, old._limit // 2, loop=response._loop)
    parser = _reader.WebSocketReader(
        frames, response._max_msg_size, compress=bool(response._compress), decode_text=False
    )
    protocol._payload_parser = parser
    while old._buffer:  # parsed before the swap (sent with the upgrade request)
        message, size = old._buffer.popleft()
        frames.feed_data(message, size)
    response._reader = frames
    response._parser = parser
    return frames
