"""The analytics are pure: their imports reach no I/O module (the referee's walk, reused)."""

from __future__ import annotations

from pathlib import Path

import dealroom.server.debrief
from tests.referee.test_purity import closure, violations

PACKAGE = "dealroom.server.debrief"


def test_the_debrief_imports_no_io() -> None:
    folder = Path(dealroom.server.debrief.__file__).parent
    modules = [
        PACKAGE,
        *(f"{PACKAGE}.{p.stem}" for p in folder.glob("*.py") if p.stem != "__init__"),
    ]
    graph = closure(modules)
    assert f"{PACKAGE}.frontier" in graph
    assert violations(graph) == []
