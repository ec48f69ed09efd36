"""The vendored chart library is exactly the pinned upstream file, offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
SCRIPT = str(ROOT / "scripts" / "vendor_js.py")


def test_vendored_files_match_their_pins() -> None:
    """``scripts/vendor_js.py --check`` hashes the committed files; no network is used."""
    result = subprocess.run(
        [sys.executable, SCRIPT, "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_a_changed_vendored_file_fails_the_check(tmp_path: Path) -> None:
    vendor = ROOT / "client_web" / "vendor"
    for name in ("chart.umd.min.js", "chart.js-LICENSE.md"):
        (tmp_path / name).write_bytes((vendor / name).read_bytes())
    (tmp_path / "chart.umd.min.js").write_bytes(b"/* tampered */")
    result = subprocess.run(
        [sys.executable, SCRIPT, "--check", "--dest", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "chart.umd.min.js has sha256" in result.stderr
