"""``dealroom serve --redis URL``: the rooms' log lives in Redis, the keys stay in --data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.redisproc import RedisServer
from tests.serverproc import Process, _free_port

from .servecmd import Served, refused


async def test_a_room_lives_in_redis_across_a_sigkilled_server(tmp_path: Path) -> None:
    redis_server = RedisServer(tmp_path / "redis")
    redis_server.start()
    process = Process(tmp_path / "data", "--redis", redis_server.url)
    try:
        await process.start()
        room = await process.api("POST", "/api/rooms", {"scenario": "fleet-lease"})
        with redis_server.client() as client:
            key = b"dealroom:log{room:" + room["id"].encode() + b"}"
            assert client.llen(key) >= 1  # its created event, in Redis
        assert not (tmp_path / "data" / "events.db").exists()

        process.kill()
        await process.start()
        detail = await process.api("GET", f"/api/rooms/{room['id']}")
        assert detail["state"]["phase"] in ("waiting", "lobby", "running"), detail["state"]
        assert detail["events"][0]["kind"] == "created"
        assert process.stop() == 0
    finally:
        if process.proc is not None and process.proc.poll() is None:
            process.kill()
        redis_server.kill()


def _serve(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    serve = [sys.executable, "-m", "dealroom.server.cli", "serve", "--port", "0"]
    return subprocess.run(
        [*serve, "--data", str(tmp_path / "d"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_a_redis_that_is_not_there_refuses_the_start(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{_free_port()}/0"
    result = _serve(tmp_path, "--redis", url)
    assert result.returncode == 2, result
    assert f"cannot use the event log in Redis at {url}" in result.stderr
    assert "Traceback" not in result.stderr


def test_redis_and_store_do_not_mix(tmp_path: Path) -> None:
    result = _serve(tmp_path, "--redis", "redis://127.0.0.1:1/0", "--store", "memory")
    assert result.returncode == 2
    assert "--redis keeps the log in Redis: drop --store memory" in result.stderr
    result = _serve(tmp_path, "--redis", "mysql://127.0.0.1:1/0")
    assert result.returncode == 2
    assert "redis+cluster://" in result.stderr


def test_the_redis_url_may_come_from_the_environment(tmp_path: Path) -> None:
    # A password in the URL then stays out of `ps`; --store still wins over it.
    url = "redis://:s3cret@127.0.0.1:1/0"
    line = refused("--port", "0", "--data", str(tmp_path / "d"), env={"DEALROOM_REDIS_URL": url})
    assert "cannot use the event log in Redis" in line and "s3cret" not in line
    bad = refused("--port", "0", env={"DEALROOM_REDIS_URL": "mysql://x:1/0"})
    assert bad.startswith("dealroom: error: $DEALROOM_REDIS_URL: expected redis://"), bad
    assert "mysql" not in bad  # the URL (and any password in it) is not echoed
    served = Served(tmp_path, "--store", "memory", env={"DEALROOM_REDIS_URL": url})
    try:
        assert "store: memory" in served.output
    finally:
        served.stop()
