"""``dealroom serve`` start-up: one server per data dir, and one line for each mistake.

Every case runs the real command: a refusal exits non-zero within seconds with
one line on stderr naming the port or path, and no traceback.
"""

from __future__ import annotations

import ctypes
import os
import resource
import socket
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from dealroom.server.log import SqliteLog

from .servecmd import Served, free_port, refused

PR_CAPBSET_DROP = 24  # <linux/prctl.h>
CAP_DAC_OVERRIDE = 1  # <linux/capability.h>


def _port() -> str:
    return str(free_port())


def test_a_port_in_use_is_reported_before_the_data_dir_is_touched(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        line = refused("--port", port, "--data", str(tmp_path / "data"))
    assert f"port {port}" in line and "--port" in line
    assert not (tmp_path / "data").exists()  # not created, so not left locked either


def test_a_data_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data"
    path.write_text("not a dir")
    line = refused("--port", _port(), "--data", str(path))
    assert str(path) in line and "not a directory" in line


def _without_dac_override() -> Callable[[], None] | None:
    # root writes into a read-only dir anyway; root without CAP_DAC_OVERRIDE (dropped
    # from the bounding set, so the exec'd server never has it) does not, like a user.
    if os.geteuid() != 0:
        return None

    def drop() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return drop


def test_a_read_only_data_dir_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o555)
    line = refused("--port", _port(), "--data", str(data), preexec_fn=_without_dac_override())
    assert str(data) in line and "not writable" in line
    assert os.listdir(data) == []


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / "events.db").write_bytes(b"these are my notes, not a database\n" * 100)
    line = refused("--port", _port(), "--data", str(tmp_path))
    assert str(tmp_path / "events.db") in line and "not an SQLite database" in line
    assert (tmp_path / "events.db").read_bytes().startswith(b"these are my notes")


async def test_a_truncated_database_is_refused(tmp_path: Path) -> None:
    store = SqliteLog(tmp_path / "events.db")
    for n in range(200):
        await store.append(f"room:r{n}", 1, [b"x" * 1000])
    await store.close()  # checkpoints: the whole store is in events.db now
    size = (tmp_path / "events.db").stat().st_size
    with (tmp_path / "events.db").open("r+b") as handle:
        handle.truncate(size // 2)
    line = refused("--port", _port(), "--data", str(tmp_path))
    assert str(tmp_path / "events.db") in line and "truncated" in line


async def test_a_store_damaged_past_its_header_is_refused_when_its_rooms_are_read(
    tmp_path: Path,
) -> None:
    # The start-up check reads the header and the schema only. A store from before the room
    # directory is indexed once, reading every room: that finds the rest (as SQLite's own
    # "malformed", or as a room stream whose entries are not events).
    store = SqliteLog(tmp_path / "events.db")
    for n in range(200):
        await store.append(f"room:r{n:03}", 1, [b"x" * 1000])
    await store.close()
    pages = (tmp_path / "events.db").stat().st_size // 4096
    with (tmp_path / "events.db").open("r+b") as handle:
        handle.seek(4096 * (pages // 2))
        handle.write(b"\xff" * 4096)
    line = refused("--port", _port(), "--data", str(tmp_path))
    assert str(tmp_path / "events.db") in line
    assert "malformed" in line or "room:r000 holds an entry that is not an event" in line


async def test_a_store_whose_entries_do_not_decode_is_refused_in_one_line(
    tmp_path: Path,
) -> None:
    """Bytes damaged inside an entry (the page itself is sound): the rooms' decoding finds it."""
    store = SqliteLog(tmp_path / "events.db")
    await store.append("room:r001", 1, [b"\xa5\xff\xfe\xfd\xfc\xfb"])  # a str of bad UTF-8
    await store.close()
    line = refused("--port", _port(), "--data", str(tmp_path))
    assert str(tmp_path / "events.db") in line
    assert "does not decode" in line or "is not an event" in line


def test_a_store_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "events.db").mkdir()
    line = refused("--port", _port(), "--data", str(tmp_path))
    assert str(tmp_path / "events.db") in line and "directory" in line


def test_an_emptied_store_in_a_used_data_dir_is_refused(tmp_path: Path) -> None:
    """The issue's case: 30 rooms, then events.db truncated to 0 bytes; 0 rooms would be a lie."""
    served = Served(tmp_path, "--data", str(tmp_path / "data"), "--quiet")
    served.stop()
    (tmp_path / "data" / "events.db").write_bytes(b"")
    line = refused("--port", _port(), "--data", str(tmp_path / "data"))
    assert str(tmp_path / "data" / "events.db") in line and "empty" in line
    assert "delete it to start with no rooms" in line


def test_a_0_byte_store_in_a_new_data_dir_starts_empty(tmp_path: Path) -> None:
    """SQLite itself leaves a 0-byte file before its first write: that is a new store."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "events.db").write_bytes(b"")
    served = Served(tmp_path, "--data", str(tmp_path / "data"))
    try:
        assert "restored 0 rooms" in served.output
    finally:
        assert served.stop() == 0


def test_an_empty_store_beside_a_full_wal_is_refused(tmp_path: Path) -> None:
    # Opening it would let SQLite delete the WAL, the only copy of its rooms.
    (tmp_path / "events.db").write_bytes(b"")
    (tmp_path / "events.db-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\0" * 4092)
    line = refused("--port", _port(), "--data", str(tmp_path))
    assert str(tmp_path / "events.db") in line and "-wal" in line
    assert (tmp_path / "events.db-wal").stat().st_size == 4096


def test_a_second_server_on_the_same_data_dir_exits_naming_the_first(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = Served(tmp_path, "--data", str(data), "--quiet")
    try:
        line = refused("--port", _port(), "--data", str(data))
        assert str(data) in line and f"pid {first.proc.pid}" in line
    finally:
        assert first.stop() == 0
    # Stopping released the dir; so does SIGKILL, where no clean-up runs at all.
    second = Served(tmp_path, "--data", str(data), "--quiet")
    second.kill()
    assert (data / "serve.lock").read_text().strip() == str(second.proc.pid)  # stale now
    third = Served(tmp_path, "--data", str(data), "--quiet")
    assert third.stop() == 0


def test_store_memory_creates_no_data_dir(tmp_path: Path) -> None:
    served = Served(tmp_path, "--data", str(tmp_path / "data"), "--store", "memory")
    try:
        banner = served.output
    finally:
        assert served.stop() == 0
    assert not (tmp_path / "data").exists()
    assert "die with this process" in banner
    assert "facilitator token (shown once, this run only)" in banner


@pytest.mark.parametrize("source", ["flag", "env"])
def test_the_banner_says_which_facilitator_token_is_in_force(tmp_path: Path, source: str) -> None:
    data = tmp_path / "data"
    Served(tmp_path, "--data", str(data), "--quiet").stop()  # keeps a generated token
    if source == "flag":
        served = Served(tmp_path, "--data", str(data), "--facilitator-token", "another-one-123")
        expected = "the one from --facilitator-token is in force"
    else:
        env = {"DEALROOM_FACILITATOR_TOKEN": "another-one-123"}
        served = Served(tmp_path, "--data", str(data), env=env)
        expected = "the one from $DEALROOM_FACILITATOR_TOKEN is in force"
    served.stop()
    assert f"{expected}, not the one kept in {data / 'facilitator_token'}" in served.output


def test_serve_raises_the_open_file_limit_to_the_hard_limit(tmp_path: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # The child gets a finite hard limit (lowering one is always allowed) and a soft one
    # below it, whatever this machine's limits are: the test runs everywhere.
    ceiling = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
    floor = max(ceiling // 2, 64) if ceiling > 128 else ceiling

    def lower() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (floor, ceiling))

    served = Served(tmp_path, "--data", str(tmp_path / "data"), preexec_fn=lower)
    served.stop()
    assert f"open-file limit: {ceiling}" in served.output
    assert soft == resource.getrlimit(resource.RLIMIT_NOFILE)[0]  # the test's own is untouched


def test_a_data_dir_left_by_a_killed_server_with_a_stale_pid_starts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "serve.lock").write_text("999999\n")
    served = Served(tmp_path, "--data", str(data), "--quiet")
    try:
        assert (data / "serve.lock").read_text().strip() == str(served.proc.pid)
        assert stat.S_IMODE((data / "secret").stat().st_mode) == 0o600
    finally:
        assert served.stop() == 0


def test_a_first_start_without_space_for_the_store_leaves_a_dir_the_next_start_takes(
    tmp_path: Path,
) -> None:
    """The store is created before the keys: a failed first start leaves no keys that would
    make its empty store look like one that lost its rooms."""
    data = tmp_path / "data"

    def no_room_to_write() -> None:  # files may not grow past 70 bytes (EFBIG, like ENOSPC)
        resource.setrlimit(resource.RLIMIT_FSIZE, (70, 70))

    line = refused("--port", _port(), "--data", str(data), preexec_fn=no_room_to_write)
    assert str(data / "events.db") in line
    assert not (data / "secret").exists() and not (data / "facilitator_token").exists()
    served = Served(tmp_path, "--data", str(data), "--quiet")
    try:
        assert (data / "secret").stat().st_size >= 32
    finally:
        assert served.stop() == 0


def test_a_trusted_proxy_that_is_not_an_address_is_refused(tmp_path: Path) -> None:
    line = refused("--port", _port(), "--data", str(tmp_path / "d"), "--trusted-proxy", "lb1")
    assert "'lb1' is not an IP address or network" in line
    assert not (tmp_path / "d").exists()
