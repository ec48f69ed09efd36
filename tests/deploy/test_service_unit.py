"""``deploy/dealroom.service``: its ExecStart line, expanded as systemd would, runs a node.

No systemd here: the test reads the unit, takes the variables from the shipped
``deploy/dealroom.env`` with the test's own host, port and Redis URL put over
them, expands ``${VAR}``, ``$VAR`` and the ``%S`` specifier by the rules of
systemd.service(5) ("Command lines"), and starts exactly that command line.
Only the program's directory differs: the unit's ``/opt/dealroom/bin`` is
this virtualenv's ``bin``.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.redisproc import RedisServer
from tests.serverproc import _free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNIT = DEPLOY / "dealroom.service"
ENV_FILE = DEPLOY / "dealroom.env"


def unit_settings(text: str) -> dict[str, dict[str, list[str]]]:
    """A unit file's settings: section -> key -> every value given, in order."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    logical = re.sub(r"\\\n", " ", text)  # a trailing backslash continues the line
    for line in logical.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def environment_file(text: str) -> dict[str, str]:
    """``KEY=VALUE`` lines of an EnvironmentFile (comments and blank lines skipped)."""
    env: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, _, value = line.partition("=")
        words = shlex.split(value) if value.strip() else [""]
        env[key.strip()] = " ".join(words)
    return env


def command_line(exec_start: str, env: dict[str, str], state_root: Path) -> list[str]:
    """The argv systemd runs for ``exec_start``: ``%S``, ``%%``, ``${VAR}`` and ``$VAR`` expanded.

    ``${VAR}`` becomes exactly one word's text; ``$VAR`` as a word of its own
    becomes the value split at whitespace (zero or more words).
    """
    specified = re.sub(r"%([S%])", lambda m: str(state_root) if m[1] == "S" else "%", exec_start)
    argv: list[str] = []
    for word in shlex.split(specified):
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:
            argv += shlex.split(env.get(whole[1], ""))
            continue
        argv.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: env.get(m[1], ""), word))
    return argv


def _variables(exec_start: str) -> set[str]:
    return set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", exec_start))


def test_the_unit_runs_a_hardened_restartable_node_with_its_settings_from_the_env_file() -> None:
    service = unit_settings(UNIT.read_text())["Service"]
    (exec_start,) = service["ExecStart"]
    assert exec_start.split()[0] == "/opt/dealroom/bin/dealroom"
    assert exec_start.split()[1] == "serve"
    assert service["EnvironmentFile"] == ["/etc/dealroom/dealroom.env"]
    assert service["Restart"] == ["on-failure"]
    assert service["DynamicUser"] == ["yes"] and service["User"] == ["dealroom"]
    assert int(service["LimitNOFILE"][0]) >= 65536
    for hardening in ("NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices"):
        assert service[hardening] == ["yes"], hardening
    assert service["ProtectSystem"] == ["strict"]
    assert service["StateDirectory"] == ["dealroom"]  # %S/dealroom: the one writable place
    # Every variable the command line uses is in the shipped environment file.
    assert _variables(exec_start) <= set(environment_file(ENV_FILE.read_text())), exec_start


def test_the_service_units_command_line_starts_a_node_on_redis(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    try:
        _run_the_unit(tmp_path, redis)
    finally:
        redis.kill()


def _run_the_unit(tmp_path: Path, redis: RedisServer) -> None:
    (exec_start,) = unit_settings(UNIT.read_text())["Service"]["ExecStart"]
    env = environment_file(ENV_FILE.read_text())
    port = _free_port()
    env |= {  # what this machine needs; the rest is the shipped file's
        "DEALROOM_HOST": "127.0.0.1",
        "DEALROOM_PORT": str(port),
        "DEALROOM_REDIS_URL": redis.url,
    }
    state_root = tmp_path / "state"
    (state_root / "dealroom").mkdir(parents=True, mode=0o700)  # systemd's StateDirectory=
    argv = command_line(exec_start, env, state_root)
    assert argv[0] == "/opt/dealroom/bin/dealroom"
    argv[0] = str(Path(sys.executable).parent / "dealroom")
    assert argv[1:] == [
        "serve",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--data", str(state_root / "dealroom"),
    ]  # fmt: skip
    # The Redis URL (a password, maybe) reaches the node through its environment only.
    assert not any("redis" in arg for arg in argv), argv

    log = tmp_path / "node.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, env={**os.environ, **env}, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    try:
        health = _healthz(f"http://127.0.0.1:{port}", proc, log)
        assert health["status"] == "ok", health
        assert "store: redis" in log.read_text()  # on Redis, from DEALROOM_REDIS_URL
        # The facilitator token came from the environment file, not from a flag.
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/scenarios",
            headers={"Authorization": f"Bearer {env['DEALROOM_FACILITATOR_TOKEN']}"},
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.status == 200
        # systemctl stop: SIGTERM, a clean exit, which Restart=on-failure leaves stopped.
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def _healthz(base: str, proc: subprocess.Popen[bytes], log: Path) -> dict[str, object]:
    import json

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the unit's command exited {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:
                return json.loads(answer.read())  # type: ignore[no-any-return]
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"the unit's command did not answer /healthz:\n{log.read_text()}")


def test_command_line_expands_as_the_systemd_manual_s_example() -> None:
    """systemd.service(5): ``echo $ONE $TWO ${TWO}`` with ONE=one, TWO="two two"."""
    env = {"ONE": "one", "TWO": "two two", "EMPTY": ""}
    assert command_line("/bin/echo $ONE $TWO ${TWO}", env, Path("/var/lib")) == [
        "/bin/echo", "one", "two", "two", "two two",
    ]  # fmt: skip
    assert command_line("/bin/x --data %S/x $EMPTY ${EMPTY} 100%%", env, Path("/s")) == [
        "/bin/x", "--data", "/s/x", "", "100%",
    ]  # fmt: skip
