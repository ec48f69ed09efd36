"""The analytics are pure: everything they import, all the way down, is on an allow-list.

An allow-list, not a deny-list: a new import must be argued for here. The walk is
the referee's (tests/referee/test_purity.py): it follows every import into the
project's own modules and collects the rest as leaves.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dealroom.server.debrief
from tests.referee.test_purity import closure, source_of

PACKAGE = "dealroom.server.debrief"

ALLOWED = frozenset(
    {
        "__future__",
        "array",  # typed columns of scores: no I/O
        "bisect",
        "collections",
        "csv",  # writes to an io.StringIO, never a file
        "dataclasses",
        "enum",
        "functools",
        "io",  # StringIO only: a call to open() anywhere is refused below
        "itertools",
        "math",
        "msgspec",
        "re",
        "typing",
    }
)
CALLS = frozenset({"open", "exec", "eval", "compile", "__import__", "input", "print"})


def _modules() -> list[str]:
    folder = Path(dealroom.server.debrief.__file__).parent
    return [PACKAGE, *(f"{PACKAGE}.{p.stem}" for p in folder.glob("*.py") if p.stem != "__init__")]


def outside_the_allow_list(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} imports {name}"
        for module, names in graph.items()
        for name in names
        if not name.startswith("dealroom") and name.split(".")[0] not in ALLOWED
    )


def calls_in(source: str) -> list[str]:
    """The forbidden built-ins ``source`` calls by name."""
    return [
        node.func.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CALLS
    ]


def forbidden_calls(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module in graph:
        source = source_of(module)
        assert source is not None
        found += [f"{module} calls {name}()" for name in calls_in(source[0])]
    return found


GRAPH = closure(_modules())


def test_the_walk_reaches_the_analytics_the_referee_and_the_protocol() -> None:
    assert {f"{PACKAGE}.frontier", f"{PACKAGE}.replay", "dealroom.server.referee.fold"} <= set(
        GRAPH
    )
    assert "dealroom.protocol.scenario" in GRAPH


def test_the_debrief_imports_only_pure_modules() -> None:
    assert outside_the_allow_list(GRAPH) == []
    assert forbidden_calls(GRAPH) == []


@pytest.mark.parametrize(
    "source",
    [
        "import socket",
        "import subprocess",
        "from pathlib import Path",
        "import urllib.request",
        "import http.client",
        "import shutil",
        "import tempfile",
        "def f():\n    import os\n",
        "import importlib",
    ],
)
def test_the_check_catches_an_impure_import(source: str) -> None:
    graph = {f"{PACKAGE}.bad": set()}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            graph[f"{PACKAGE}.bad"].update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            graph[f"{PACKAGE}.bad"].add(node.module or "")
    assert outside_the_allow_list(graph) != []


def test_the_check_catches_open() -> None:
    assert calls_in("def f(path):\n    return open(path).read()\n") == ["open"]
    assert calls_in("text.strip().split()") == []
