"""The scenarios a server offers: the built-in ones plus any a trainer adds."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from dealroom.protocol import Scenario

from .load import ScenarioError, load_file, parse

__all__ = ["Catalog", "builtin_scenarios"]


def builtin_scenarios() -> dict[str, Scenario]:
    """The scenarios shipped in ``server/scenarios/builtin/``, by id."""
    found: dict[str, Scenario] = {}
    folder = resources.files("dealroom.server.scenarios").joinpath("builtin")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            scenario, problems = parse(entry.read_text(encoding="utf-8"))
            if scenario is None:  # a broken built-in is a bug: tests load every one
                raise ScenarioError(entry.name, problems)
            found[scenario.id] = scenario
    return found


class Catalog:
    """Scenarios by id: built-ins first, then files from extra folders (which may override)."""

    def __init__(self, extra_dirs: list[Path] | None = None) -> None:
        self._scenarios = builtin_scenarios()
        for folder in extra_dirs or []:
            for path in sorted(folder.glob("*.toml")):
                scenario = load_file(path)
                self._scenarios[scenario.id] = scenario

    def get(self, scenario_id: str) -> Scenario | None:
        """The scenario with that id, or None."""
        return self._scenarios.get(scenario_id)

    def all(self) -> list[Scenario]:
        """Every scenario, sorted by id."""
        return [self._scenarios[k] for k in sorted(self._scenarios)]

    def add(self, scenario: Scenario) -> None:
        """Offer ``scenario`` (replacing one with the same id)."""
        self._scenarios[scenario.id] = scenario
