"""The referee imports nothing that does I/O (DESIGN.md principle 1, STYLE.md habit 1).

The test reads source, not ``sys.modules``: the interpreter itself loads ``os``
and ``time`` at start-up, so only the import statements tell what the referee
pulls in. It walks every module of ``dealroom.server.referee``, follows each
import into the package, its parent packages and ``dealroom.protocol``, and
fails on any I/O module anywhere in that closure.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

import dealroom.server.referee

FORBIDDEN = frozenset(
    {
        "asyncio",
        "time",
        "sqlite3",
        "redis",
        "aiohttp",
        "socket",
        "websockets",
        "threading",
        "os",
        "datetime",
        "random",
    }
)
# Imports that would hide a module from this walk.
DYNAMIC = frozenset({"importlib", "__import__"})
PROJECT = "dealroom"
"""Imports of the project's own modules are walked in turn; others are leaves."""
PACKAGE = "dealroom.server.referee"


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    package = module if is_package else module.rpartition(".")[0]
    if not node.level:
        return node.module or ""
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def imported_modules(source: str, module: str, is_package: bool) -> set[str]:
    """The absolute names of the modules ``source`` (of ``module``) imports, anywhere in it."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(_resolve(node, module, is_package))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            names.add("__import__")
    return names


def submodule_candidates(source: str, module: str, is_package: bool) -> set[str]:
    """``from pkg import name``: ``pkg.name`` if that turns out to be a module."""
    return {
        f"{_resolve(node, module, is_package)}.{alias.name}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def source_of(name: str) -> tuple[str, bool] | None:
    """The source of module ``name`` and whether it is a package, or None if none exists."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    is_package = spec.submodule_search_locations is not None
    return Path(spec.origin).read_text(encoding="utf-8"), is_package


def closure(roots: list[str]) -> dict[str, set[str]]:
    """Every project module reached from ``roots``: name -> the modules it imports."""
    seen: dict[str, set[str]] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen or not (name == PROJECT or name.startswith(PROJECT + ".")):
            continue
        found = source_of(name)
        if found is None:  # a class or function imported by name, not a module
            continue
        source, is_package = found
        seen[name] = imported_modules(source, name, is_package)
        # Importing a module runs its parent packages first.
        parents = [name.rsplit(".", i)[0] for i in range(1, name.count(".") + 1)]
        todo += [*seen[name], *submodule_candidates(source, name, is_package), *parents]
    return seen


def referee_modules() -> list[str]:
    folder = Path(dealroom.server.referee.__file__).parent
    stems = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
    return [PACKAGE, *(f"{PACKAGE}.{stem}" for stem in stems)]


def violations(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} imports {name}"
        for module, names in graph.items()
        for name in names
        if name.split(".")[0] in FORBIDDEN | DYNAMIC
    )


GRAPH = closure(referee_modules())


def test_the_walk_reaches_every_referee_module_and_the_protocol() -> None:
    expected = {
        f"{PACKAGE}.{m}"
        for m in (
            "commands",
            "decisions",
            "state",
            "table",
            "classify",
            "rules",
            "fold",
            "visibility",
            "view",
        )
    }
    assert expected <= set(GRAPH)
    assert {
        "dealroom.protocol",
        "dealroom.protocol.codec",
        "dealroom.protocol.events",
        "dealroom.protocol.frames",
        "dealroom.protocol.scenario",
        "dealroom.protocol.codes",
    } <= set(GRAPH)


def test_the_referee_imports_no_io() -> None:
    assert violations(GRAPH) == []


@pytest.mark.parametrize(
    ("source", "culprit"),
    [
        ("import asyncio", "asyncio"),
        ("import os.path", "os.path"),
        ("from time import monotonic", "time"),
        ("import sqlite3 as db", "sqlite3"),
        ("def f():\n    import redis.asyncio\n", "redis.asyncio"),
        ("from datetime import datetime", "datetime"),
        ("import random, json", "random"),
        ("import importlib\nimportlib.import_module('socket')", "importlib"),
        ("__import__('threading')", "__import__"),
    ],
)
def test_the_walk_catches_io_imports(source: str, culprit: str) -> None:
    graph = {"x": imported_modules(source, "pkg.x", is_package=False)}
    assert violations(graph) == [f"x imports {culprit}"]


def test_relative_imports_resolve_inside_the_package() -> None:
    source = "from .rules import decide\nfrom . import fold\nfrom ..log import x"
    module = f"{PACKAGE}.view"
    assert imported_modules(source, module, is_package=False) == {
        f"{PACKAGE}.rules",
        PACKAGE,
        "dealroom.server.log",
    }
    assert f"{PACKAGE}.fold" in submodule_candidates(source, module, is_package=False)
    assert imported_modules("from .state import Phase", PACKAGE, is_package=True) == {
        f"{PACKAGE}.state"
    }


def test_the_walk_would_follow_an_import_of_a_project_module_that_does_io() -> None:
    # The event log is the project's I/O: a referee module importing it (say
    # `from ..log import SqliteLog`) would be caught through the log's own imports.
    graph = closure(["dealroom.server.log"])
    assert "dealroom.server.log.sqlite" in graph
    found = violations(graph)
    assert any(v.endswith(("imports sqlite3", "imports asyncio")) for v in found), found
