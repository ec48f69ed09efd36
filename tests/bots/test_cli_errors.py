"""Client commands end a user's mistake with one line on stderr, never a traceback.

Each case runs the real ``dealroom`` command in a subprocess, as a user would:
against a port where nothing listens, against a real server with a wrong
token or scenario, and with Ctrl-C (SIGINT) while it plays.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dealroom.bots.reach import TOKEN_ENV, facilitator_token
from dealroom.server.errors import UserError
from tests.serverproc import TOKEN, Process, _free_port


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop(TOKEN_ENV, None)
    return env


def _default_sigint() -> None:
    # A test runner started in the background may pass SIGINT on ignored; the
    # command under test must see Ctrl-C as a terminal would deliver it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def dealroom(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``dealroom ARGS`` to its end."""
    return subprocess.run(
        [sys.executable, "-m", "dealroom.server.cli", *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed with exactly one non-empty stderr line and no traceback."""
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dealroom: error: "), lines[0]
    return lines[0]


# -- (a) nothing listens at --url -----------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["bots", "play"],
        ["bots", "practice"],
        ["bots", "seat", "r1.buyer.x"],
        ["loadtest"],
        ["loadtest", "--target", "relay"],
        ["export", "w1"],
    ],
    ids=lambda c: " ".join(c[:3]),
)
def test_no_server_running_is_one_line(command: list[str], tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    token = [] if command[1:2] == ["seat"] else ["--token", "t"]
    line = one_line_error(dealroom(*command, "--url", url, *token, cwd=tmp_path))
    assert f"cannot reach the server at {url} (connection refused)" in line
    assert "dealroom serve" in line and "--url" in line


def test_no_facilitator_token_names_all_three_ways(tmp_path: Path) -> None:
    line = one_line_error(dealroom("loadtest", "--url", "http://127.0.0.1:9", cwd=tmp_path))
    assert "--token" in line and f"${TOKEN_ENV}" in line and "--data" in line
    assert str(tmp_path / "dealroom-data" / "facilitator_token") in line


def test_the_token_comes_from_flag_then_environment_then_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "facilitator_token").write_text("kept\n")
    monkeypatch.setenv(TOKEN_ENV, "from-env")
    assert facilitator_token("given", tmp_path).value == "given"
    assert facilitator_token(None, tmp_path).value == "from-env"
    monkeypatch.delenv(TOKEN_ENV)
    kept = facilitator_token(None, tmp_path)
    assert (kept.value, kept.source) == ("kept", str(tmp_path / "facilitator_token"))
    with pytest.raises(UserError, match="no facilitator token"):
        facilitator_token(None, tmp_path / "elsewhere")


# -- (b) a real server, a wrong token or scenario ---------------------------------


def test_client_commands_read_the_token_from_the_default_data_dir(tmp_path: Path) -> None:
    server = Process(tmp_path / "dealroom-data")  # the default --data, seen from tmp_path
    server.data.mkdir(parents=True)
    (server.data / "facilitator_token").write_text(TOKEN)
    asyncio.run(server.start())
    try:
        result = dealroom("bots", "practice", "--url", server.base, cwd=tmp_path)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    assert "Practice room" in result.stdout


def test_a_wrong_facilitator_token_is_one_line(process: Process, tmp_path: Path) -> None:
    asyncio.run(process.start())
    result = dealroom("loadtest", "--url", process.base, "--token", "wrong", cwd=tmp_path)
    line = one_line_error(result)
    assert "refused the facilitator token from --token" in line


def test_bots_seat_with_a_bad_token_is_one_line(process: Process, tmp_path: Path) -> None:
    asyncio.run(process.start())
    for token in ("not-a-token", "r1.buyer.forged"):
        line = one_line_error(dealroom("bots", "seat", "--url", process.base, token, cwd=tmp_path))
        assert "refused the seat token (invalid_token" in line
    room = asyncio.run(process.api("POST", "/api/rooms", {"scenario": "fleet-lease"}))
    observer = room["seats"]["observer"]["token"]
    line = one_line_error(dealroom("bots", "seat", "--url", process.base, observer, cwd=tmp_path))
    assert "not a buyer's or seller's seat" in line


def test_loadtest_with_an_unknown_scenario_lists_the_known_ones(
    process: Process, tmp_path: Path
) -> None:
    asyncio.run(process.start())
    result = dealroom(
        "loadtest", "--url", process.base, "--token", TOKEN, "--scenario", "nope", cwd=tmp_path
    )
    line = one_line_error(result)
    assert "no scenario 'nope'" in line
    assert "equipment-purchase" in line and "fleet-lease" in line and "--scenario" in line


def test_export_to_a_missing_folder_is_one_line(process: Process, tmp_path: Path) -> None:
    asyncio.run(process.start())
    workshop = asyncio.run(process.api("POST", "/api/workshops", {"scenario": "fleet-lease"}))
    out = tmp_path / "missing" / "rooms.csv"
    args = ["export", workshop["id"], "--url", process.base, "--token", TOKEN, "--out", str(out)]
    line = one_line_error(dealroom(*args, cwd=tmp_path))
    assert f"cannot write {out}" in line and "--out" in line


# -- (c) Ctrl-C while playing ------------------------------------------------------


class Running:
    """A ``dealroom`` command running in the background, its stderr read line by line."""

    def __init__(self, *args: str, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dealroom.server.cli", *args],
            cwd=cwd,
            env=_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=_default_sigint,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        assert self.proc.stderr is not None
        stream = self.proc.stderr
        self.reader = threading.Thread(
            target=lambda: [self.lines.put(x) for x in stream], daemon=True
        )
        self.reader.start()

    def wait_for_line(self, text: str, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.proc.poll() is None, "".join(self.stderr)
                continue
            self.stderr.append(line)
            if text in line:
                return
        raise AssertionError(f"no {text!r} on stderr: {''.join(self.stderr)}")

    def interrupt(self) -> tuple[int, str, str]:
        """SIGINT, then (exit code, stdout, all of stderr)."""
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(60)
        self.reader.join(10)  # stderr read to its end
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()
        while not self.lines.empty():
            self.stderr.append(self.lines.get())
        return self.proc.returncode, out, "".join(self.stderr)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


async def _some_room_has_an_offer(process: Process, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        rooms = await process.api("GET", "/api/rooms")
        if any((r["last_event"] or {}).get("kind") == "offer" for r in rooms):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the load test made no offer")


def test_ctrl_c_on_loadtest_prints_the_partial_report(process: Process, tmp_path: Path) -> None:
    asyncio.run(process.start())
    report = tmp_path / "report.json"
    running = Running(
        "loadtest",
        "--url",
        process.base,
        "--token",
        TOKEN,
        "--rooms",
        "4",
        "--moves",
        "100000",
        "--think",
        "0.05",
        "--json",
        str(report),
        cwd=tmp_path,
    )
    try:
        running.wait_for_line("creating 4 rooms")
        asyncio.run(_some_room_has_an_offer(process))
        code, _, stderr = running.interrupt()
    finally:
        running.kill()
    assert code == 130, stderr
    assert "Traceback" not in stderr, stderr
    assert "interrupted" in stderr and "0/4 completed" in stderr, stderr
    data = json.loads(report.read_text())
    assert data["interrupted"] is True
    assert data["rooms"] == 4 and data["rooms_completed"] == 0
    assert data["moves_acked"] > 0 and data["ack_ms"]["count"] == data["moves_acked"]


def test_bots_play_shows_progress_and_stops_cleanly_on_ctrl_c(
    process: Process, tmp_path: Path
) -> None:
    asyncio.run(process.start())
    running = Running(
        "bots",
        "play",
        "--url",
        process.base,
        "--token",
        TOKEN,
        "--rooms",
        "2",
        "--pace",
        "1",
        "--every",
        "0.2",
        cwd=tmp_path,
    )
    try:
        # Not a terminal: a plain progress line every --every seconds.
        running.wait_for_line("bots play: 2/2 rooms started")
        code, _, stderr = running.interrupt()
    finally:
        running.kill()
    assert code == 130, stderr
    assert "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines()[-1] == "dealroom: interrupted"


def test_a_file_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    # Found by hand: `protocol schema --out` into a missing folder was a traceback.
    line = one_line_error(dealroom("protocol", "schema", "--out", "no/such/dir.json", cwd=tmp_path))
    assert "cannot write no/such/dir.json" in line and "--out" in line
