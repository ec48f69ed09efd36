"""Every public function of the analytics is documented with an example that runs."""

from __future__ import annotations

import doctest
import importlib
import inspect
from pathlib import Path

import pytest

import dealroom.server.debrief as debrief

FOLDER = Path(debrief.__file__).parent
MODULES = sorted(f"dealroom.server.debrief.{p.stem}" for p in FOLDER.glob("*.py"))


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags)
    assert result.failed == 0
    if not name.endswith("__init__"):
        assert result.attempted > 0, f"{name} has no example"


def _public_functions() -> list[tuple[str, object]]:
    found = []
    for name in debrief.__all__:
        value = getattr(debrief, name)
        if inspect.isfunction(value):
            found.append((name, value))
        elif inspect.isclass(value):
            for attr, member in vars(value).items():
                if inspect.isfunction(member) and not attr.startswith("_"):
                    found.append((f"{name}.{attr}", member))
    return found


@pytest.mark.parametrize(("name", "function"), _public_functions(), ids=lambda v: str(v))
def test_every_public_function_has_an_example(name: str, function: object) -> None:
    doc = inspect.getdoc(function) or ""
    assert ">>>" in doc or "see :func:" in doc, f"{name} has no example"
