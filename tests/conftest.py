"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serverproc import Process


@pytest.fixture
def process(tmp_path: Path) -> Iterator[Process]:
    proc = Process(tmp_path / "data")
    yield proc
    if proc.proc is not None and proc.proc.poll() is None:
        proc.proc.kill()
        proc.proc.wait()
