"""The vendored JavaScript (the client's chart library, the tests' axe-core) is exactly
the pinned upstream files, checked offline."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parents[1]
SCRIPT = ROOT / "scripts" / "vendor_js.py"


def _pins() -> tuple[Any, ...]:
    """The script's ``PACKAGES`` (scripts/ is no package; its dataclasses need the
    module registered while they are made)."""
    spec = importlib.util.spec_from_file_location("vendor_js", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return tuple(module.PACKAGES)


PACKAGES = _pins()


def _check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_vendored_files_match_their_pins() -> None:
    """``scripts/vendor_js.py --check`` hashes the committed files; no network is used."""
    result = _check(ROOT)
    assert result.returncode == 0, result.stderr


def test_each_package_has_its_place() -> None:
    """The chart library and the pages' rendering library (Preact, htm) are served with the
    client; axe-core stays with the tests, so it never reaches a participant's browser
    outside a test."""
    dest = {package.name: package.dest.as_posix() for package in PACKAGES}
    assert dest == {
        "chart.js": "client_web/vendor",
        "preact": "client_web/vendor",
        "htm": "client_web/vendor",
        "axe-core": "tests/browser/vendor",
    }
    assert not list((ROOT / "client_web").rglob("axe*"))


@pytest.mark.parametrize(
    ("package", "member"),
    [(p, member) for p in PACKAGES for member in p.files],
    ids=lambda value: getattr(value, "name", value),
)
def test_a_changed_vendored_file_fails_the_check(package: Any, member: str, tmp_path: Path) -> None:
    for each in PACKAGES:
        shutil.copytree(ROOT / each.dest, tmp_path / each.dest, dirs_exist_ok=True)
    assert _check(tmp_path).returncode == 0
    name = package.files[member][0]
    (tmp_path / package.dest / name).write_bytes(b"/* tampered */")
    result = _check(tmp_path)
    assert result.returncode == 1
    assert f"{name} has sha256" in result.stderr


def test_a_missing_vendored_file_fails_the_check(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "client_web" / "vendor", tmp_path / "client_web" / "vendor")
    result = _check(tmp_path)  # axe-core's folder is absent from this tree
    assert result.returncode == 1
    assert "axe.min.js is missing" in result.stderr
