"""The seat-token secret and the facilitator token: never short, never half-written.

Whatever fails during a start (a full disk included), no later start may run
with a key that lets anyone forge a seat link or open the console.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from dealroom.server import keyfiles
from dealroom.server.auth import Tokens
from dealroom.server.errors import UserError
from dealroom.server.keyfiles import load_keys, memory_keys, write_private_file

from .servecmd import Served, free_port, refused


def _no_space(*_: Any) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("call", ["write", "fsync"])
def test_a_full_disk_leaves_no_secret_behind_and_the_next_start_makes_a_whole_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str
) -> None:
    data = tmp_path / "data"
    with monkeypatch.context() as patched:
        patched.setattr(keyfiles.os, call, _no_space)
        with pytest.raises(UserError) as raised:
            load_keys(data, None)
    assert str(data / "secret") in str(raised.value) and "No space left" in str(raised.value)
    assert os.listdir(data) == []  # no secret, and no temporary file either

    # The next start (disk freed) on the same dir: a real server, a whole secret.
    served = Served(tmp_path, "--data", str(data), "--quiet")
    served.stop()
    secret = (data / "secret").read_bytes()
    assert len(secret) == 64
    assert stat.S_IMODE((data / "secret").stat().st_mode) == 0o600
    assert stat.S_IMODE((data / "facilitator_token").stat().st_mode) == 0o600


def test_a_failed_token_write_leaves_no_token_and_the_secret_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    calls = []

    def second_write_fails(fd: int, data: Any) -> int:
        calls.append(fd)
        if len(calls) == 2:  # the secret was written; the token is not
            _no_space()
        return real_write(fd, data)

    monkeypatch.setattr(keyfiles.os, "write", second_write_fails)
    with pytest.raises(UserError, match="facilitator_token"):
        load_keys(tmp_path, None)
    assert sorted(os.listdir(tmp_path)) == ["secret"]
    assert len((tmp_path / "secret").read_bytes()) == 64
    monkeypatch.undo()
    keys = load_keys(tmp_path, None)
    assert keys.token_created and len(keys.facilitator_token) >= 32


@pytest.mark.parametrize("size", [0, 1, 31])
def test_a_short_secret_is_refused_naming_the_file(tmp_path: Path, size: int) -> None:
    (tmp_path / "secret").write_bytes(b"k" * size)
    line = refused("--port", str(free_port()), "--data", str(tmp_path))
    assert str(tmp_path / "secret") in line and f"holds {size} byte(s)" in line
    assert "delete it" in line and "stop working" in line
    assert (tmp_path / "secret").read_bytes() == b"k" * size  # refused, not replaced


def test_a_secret_of_32_bytes_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "secret").write_bytes(b"k" * 32)
    assert load_keys(tmp_path, "token").secret == b"k" * 32


def test_an_empty_facilitator_token_file_is_refused(tmp_path: Path) -> None:
    # An empty kept token would match an empty "Authorization: Bearer " header.
    load_keys(tmp_path, None)
    (tmp_path / "facilitator_token").write_bytes(b"\n")
    line = refused("--port", str(free_port()), "--data", str(tmp_path))
    assert str(tmp_path / "facilitator_token") in line and "0 character(s)" in line


def test_tokens_refuse_a_key_anyone_could_compute() -> None:
    with pytest.raises(ValueError):
        Tokens(b"", "facilitator-token")
    with pytest.raises(ValueError):
        Tokens(b"k" * 31, "facilitator-token")
    with pytest.raises(ValueError):
        Tokens(b"k" * 32, "")


def test_a_file_that_appeared_meanwhile_is_kept_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "secret").write_bytes(b"theirs")
    assert not write_private_file(tmp_path / "secret", b"ours")
    assert (tmp_path / "secret").read_bytes() == b"theirs"
    assert os.listdir(tmp_path) == ["secret"]


def test_store_memory_writes_no_key(tmp_path: Path) -> None:
    keys = memory_keys(tmp_path / "data", None)
    assert keys.in_memory and keys.token_created and len(keys.secret) == 64
    assert not (tmp_path / "data").exists()


def _post(base: str, path: str, token: str, body: object) -> Any:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def test_a_new_secret_for_a_data_dir_with_rooms_is_announced(tmp_path: Path) -> None:
    data = tmp_path / "data"
    args = ("--data", str(data), "--facilitator-token", "a-facilitator-token")
    first = Served(tmp_path, *args)
    try:
        _post(first.base, "/api/rooms", "a-facilitator-token", {"scenario": "equipment-purchase"})
    finally:
        first.stop()
    assert "WARNING" not in first.output
    (data / "secret").unlink()
    second = Served(tmp_path, *args)
    second.stop()
    announced = "for a data dir that holds rooms: every seat link handed out before no longer works"
    assert f"WARNING: a new secret was created in {data / 'secret'} {announced}" in second.output
    assert "WARNING dealroom.server: a new secret" in second.output  # the log says it too
