"""dealroom.protocol.codes: every stable code has a one-line meaning."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import msgspec
import pytest

from dealroom.protocol import (
    CLOSE_MEANINGS,
    ERROR_MEANINGS,
    ClientFrame,
    CloseCode,
    ErrorCode,
    ServerFrame,
)

SPEC = Path(__file__).resolve().parents[2] / "protocol" / "README.md"


@pytest.mark.parametrize("code", list(ErrorCode), ids=str)
def test_every_error_code_has_a_meaning(code: ErrorCode) -> None:
    meaning = ERROR_MEANINGS[code]
    assert meaning.strip()
    assert "\n" not in meaning


@pytest.mark.parametrize("code", list(CloseCode), ids=lambda c: c.name)
def test_every_close_code_has_a_meaning(code: CloseCode) -> None:
    meaning = CLOSE_MEANINGS[code]
    assert meaning.strip()
    assert "\n" not in meaning


def test_meanings_name_only_real_codes() -> None:
    assert set(ERROR_MEANINGS) == set(ErrorCode)
    assert set(CLOSE_MEANINGS) == set(CloseCode)


def test_error_codes_are_stable_snake_case_strings() -> None:
    for code in ErrorCode:
        assert code.value == code.name.lower()
        assert str(code) == code.value  # StrEnum: encodes as the bare string


def test_frame_level_codes_exist() -> None:
    """The codec's refusals (see test_codec.py) use these three exact strings."""
    assert ErrorCode("bad_frame") is ErrorCode.BAD_FRAME
    assert ErrorCode("invalid_frame") is ErrorCode.INVALID_FRAME
    assert ErrorCode("unknown_type") is ErrorCode.UNKNOWN_TYPE
    assert ErrorCode("not_a_concession") is ErrorCode.NOT_A_CONCESSION  # named in DESIGN.md


def test_close_codes_are_valid_websocket_codes() -> None:
    """RFC 6455 section 7.4: 1000-2999 are registered codes, 4000-4999 private use."""
    for code in CloseCode:
        assert 1000 <= code <= 2999 or 4000 <= code <= 4999
    assert int(CloseCode.GOING_AWAY) == 1001  # STYLE.md: on_shutdown closes sockets with 1001


def test_spec_lists_every_code() -> None:
    """protocol/README.md, the human-readable spec, has a row for every stable code."""
    spec = SPEC.read_text(encoding="utf-8")
    for error in ErrorCode:
        assert f"| `{error.value}` |" in spec, error
    for close in CloseCode:
        assert f"| {int(close)} | `{close.name}` |" in spec, close


def _frame_types(union: object) -> set[str]:
    """The ``type`` values of a frame union (moves and events share "move" and "event")."""
    types = set()
    for cls in typing.get_args(union):
        config = cls.__struct_config__
        if config.tag_field == "type":
            types.add(config.tag)
        else:
            types.update(f.default for f in msgspec.structs.fields(cls) if f.name == "type")
    return types


@pytest.mark.parametrize(
    ("direction", "union", "family"),
    [("client → server", ClientFrame, "Moves"), ("server → client", ServerFrame, "Events")],
    ids=["client", "server"],
)
def test_spec_describes_every_frame_type(direction: str, union: object, family: str) -> None:
    """protocol/README.md lists every frame ``type`` in section 1's table, and has a
    section for each (the moves and the events share one each)."""
    spec = SPEC.read_text(encoding="utf-8")
    rows = [line for line in spec.splitlines() if line.startswith(f"| {direction} |")]
    listed = {name for row in rows for name in re.findall(r"`(\w+)`", row.split("|")[2])}
    types = _frame_types(union)
    assert types == listed, rows
    for name in types - {"move", "event"}:
        assert f"\n### `{name}`\n" in spec, name
    assert f"\n### {family}\n" in spec
