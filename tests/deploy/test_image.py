"""``deploy/Dockerfile`` and ``deploy/compose.yaml``, checked without Docker.

There is no Docker engine here, so what can be checked is checked directly:
every file the image COPYs exists and those files alone build the package
(a wheel holding the server, the web client and the scenarios); the image
runs unprivileged; its CMD and the compose nodes' command lines parse with
``dealroom``'s own argument parser; its HEALTHCHECK command passes against a
running server and fails against a stopped one; compose gives HAProxy every
variable ``deploy/haproxy.cfg`` requires.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from dealroom.server.cli import build_parser
from tests.server.servecmd import Served

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
COMPOSE = ROOT / "deploy" / "compose.yaml"
HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"


def instructions(text: str) -> list[tuple[str, str]]:
    """A Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    logical = re.sub(r"\\\n", " ", "\n".join(lines))
    found = []
    for line in logical.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def final_stage(steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def copied_from_context(steps: list[tuple[str, str]]) -> list[str]:
    """The build-context paths COPY takes (not those copied from another stage)."""
    sources = []
    for keyword, args in steps:
        if keyword == "COPY" and "--from=" not in args:
            words = [w for w in args.split() if not w.startswith("--")]
            sources += words[:-1]
    return sources


STEPS = instructions(DOCKERFILE.read_text())


def test_every_file_the_image_copies_exists_and_they_alone_build_the_package(
    tmp_path: Path,
) -> None:
    sources = copied_from_context(STEPS)
    missing = [s for s in sources if not (ROOT / s).exists()]
    assert not missing, missing
    copied = {s.rstrip("/") for s in sources}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    needed = {"pyproject.toml", "constraints.txt", project["project"]["readme"]}
    needed |= {d.split("/")[0] for d in project["tool"]["setuptools"]["package-dir"].values()}
    assert needed <= copied, needed - copied

    context = tmp_path / "context"  # what the build stage sees: only what it COPYs
    for source in copied:
        target = context / source
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / source).is_dir():
            shutil.copytree(
                ROOT / source, target, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / source, target)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), "."],
        cwd=context,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("dealroom-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for part in (
        "dealroom/server/cli.py",
        "dealroom/client_web/index.html",
        "dealroom/protocol/schema.json",
        "dealroom/bots/client.py",
    ):
        assert part in names, part
    assert any(n.startswith("dealroom/server/scenarios/builtin/") for n in names)


def test_the_image_runs_unprivileged_and_its_cmd_parses_as_a_public_serve() -> None:
    final = final_stage(STEPS)
    users = [args for keyword, args in final if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), users
    (cmd,) = [json.loads(args) for keyword, args in final if keyword == "CMD"]
    assert cmd[0] == "dealroom"
    args = build_parser().parse_args(cmd[1:])
    assert args.command == "serve" and args.host == "0.0.0.0"
    exposed = [int(args) for keyword, args in final if keyword == "EXPOSE"]
    assert exposed == [args.port]
    assert _healthcheck_command()[-1].count(f":{args.port}/healthz") == 1


def _healthcheck_command() -> list[str]:
    (check,) = [args for keyword, args in final_stage(STEPS) if keyword == "HEALTHCHECK"]
    command: list[str] = json.loads(check[check.index("CMD") + len("CMD") :])
    return command


def test_the_images_healthcheck_passes_while_serving_and_fails_once_stopped(
    tmp_path: Path,
) -> None:
    command = _healthcheck_command()
    assert command[0] == "python"  # the virtualenv's, first on the image's PATH
    served = Served(tmp_path, "--store", "memory", "--quiet")
    try:
        here = [sys.executable, *(c.replace(":8080/", f":{served.port}/") for c in command[1:])]
        assert subprocess.run(here, capture_output=True, timeout=30).returncode == 0
    finally:
        served.stop()
    assert subprocess.run(here, capture_output=True, timeout=30).returncode != 0


def test_compose_runs_three_nodes_on_redis_behind_the_shipped_haproxy_config() -> None:
    text = COMPOSE.read_text()
    # The nodes' command is a one-line flow sequence (JSON is valid YAML there).
    commands = [json.loads(m) for m in re.findall(r"^\s*command: (\[.*\])\s*$", text, re.M)]
    nodes = [c for c in commands if c[0] == "dealroom"]
    assert len(nodes) == 1  # one anchor, used by node1, node2 and node3
    args = build_parser().parse_args(nodes[0][1:])
    assert args.command == "serve" and args.host == "0.0.0.0"
    assert args.redis == "redis://redis:6379/0"
    assert re.findall(r"^  (node\d): \*node$", text, re.M) == ["node1", "node2", "node3"]
    assert "DEALROOM_FACILITATOR_TOKEN: ${DEALROOM_FACILITATOR_TOKEN:?" in text

    (redis,) = [c for c in commands if c[0] == "redis-server"]
    flags = dict(zip(redis[1::2], redis[2::2], strict=True))
    assert flags["--appendonly"] == "yes" and flags["--appendfsync"] in ("always", "everysec")
    assert flags["--maxmemory-policy"] == "noeviction"  # the log must never be evicted

    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in text
    required = set(re.findall(r"!defined\((DEALROOM_\w+)\)", HAPROXY_CFG.read_text()))
    assert required == {"DEALROOM_NODE1", "DEALROOM_NODE2", "DEALROOM_NODE3"}
    for variable in required:
        (value,) = re.findall(rf"^\s*{variable}: (\S+)$", text, re.M)
        host, port = value.rsplit(":", 1)
        assert host in ("node1", "node2", "node3") and int(port) == args.port, value
