"""Frame headers for pre-encoded frames, checked against the websockets library's parser."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from dealroom.server.web.wire import OPCODE_BINARY, OPCODE_TEXT, frame_header


@pytest.mark.parametrize("length", [0, 1, 125, 126, 65535, 65536, 70000])
@pytest.mark.parametrize("opcode", [OPCODE_TEXT, OPCODE_BINARY])
def test_header_parses_as_one_final_unmasked_frame(length: int, opcode: int) -> None:
    payload = (b"x" if opcode == OPCODE_BINARY else b"y") * length
    reader = StreamReader()
    reader.feed_data(frame_header(length, opcode) + payload)
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        frame = done.value
    else:  # pragma: no cover - the parser wanted more bytes than the frame has
        pytest.fail("incomplete frame")
    assert frame.fin and frame.data == payload
    assert frame.opcode is (Opcode.TEXT if opcode == OPCODE_TEXT else Opcode.BINARY)
