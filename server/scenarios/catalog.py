"""The scenarios a server offers: the built-in ones plus any a trainer adds.

A trainer's folder (``--scenarios DIR``) is checked as a whole when the
catalog is built. Each problem becomes one line naming the file (and line) and
what to do; a strict catalog (what ``dealroom serve`` builds) refuses them all
at once with a :class:`CatalogError`, so a server never starts without a
scenario the trainer meant to offer. A file whose id matches a built-in
replaces it (trainers may override), with a warning naming both files; two of
the trainer's files with the same id are an error, since either choice would
silently drop one.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from dealroom.protocol import Scenario

from ..errors import UserError
from .load import ScenarioError, parse
from .locate import Locator

__all__ = ["Catalog", "CatalogError", "builtin_scenarios"]

log = logging.getLogger(__name__)


def _builtins() -> dict[str, tuple[Scenario, str]]:
    """The shipped scenarios by id, each with the name of its file."""
    found: dict[str, tuple[Scenario, str]] = {}
    folder = resources.files("dealroom.server.scenarios").joinpath("builtin")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            scenario, problems = parse(entry.read_text(encoding="utf-8"))
            if scenario is None:  # a broken built-in is a bug: tests load every one
                raise ScenarioError(entry.name, problems)
            found[scenario.id] = (scenario, f"built-in {entry.name}")
    return found


def builtin_scenarios() -> dict[str, Scenario]:
    """The scenarios shipped in ``server/scenarios/builtin/``, by id."""
    return {scenario_id: scenario for scenario_id, (scenario, _) in _builtins().items()}


class CatalogError(UserError):
    """Scenario folders or files a server cannot offer; ``problems`` has one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        if len(problems) == 1:
            message = problems[0]
        else:
            listed = "\n".join(f"  {p}" for p in problems)
            message = f"{len(problems)} problems with the scenario folders:\n{listed}"
        super().__init__(message)


class Catalog:
    """Scenarios by id: built-ins first, then files from extra folders (which may override)."""

    def __init__(self, extra_dirs: list[Path] | None = None, *, strict: bool = True) -> None:
        """Load the built-ins and every ``*.toml`` of ``extra_dirs``.

        ``strict`` raises :class:`CatalogError` listing every problem found;
        otherwise the good scenarios are offered and :attr:`problems` lists
        the rest (what ``dealroom scenarios list`` shows).
        """
        builtins = _builtins()
        self._scenarios = {k: scenario for k, (scenario, _) in builtins.items()}
        self._origins = {k: origin for k, (_, origin) in builtins.items()}
        self.problems: list[str] = []
        """One line per problem: a folder that is not one, a file with errors, a duplicate id."""
        for path in self._files(extra_dirs or []):
            self._load(path)
        if strict and self.problems:
            raise CatalogError(self.problems)

    def _files(self, folders: list[Path]) -> list[Path]:
        # By real path, so a folder given twice loads once; shown as the trainer wrote it.
        files: dict[Path, Path] = {}
        for folder in folders:
            if not folder.exists():
                self.problems.append(
                    f"scenario folder {folder} does not exist; check the --scenarios path"
                )
            elif not folder.is_dir():
                self.problems.append(
                    f"scenario folder {folder} is a file; give --scenarios the folder that "
                    "holds the .toml files (check one file with `dealroom scenarios validate`)"
                )
            else:
                try:
                    found = sorted(p for p in folder.glob("*.toml") if p.is_file())
                except OSError as exc:
                    self.problems.append(f"cannot read scenario folder {folder}: {exc.strerror}")
                    continue
                if not found:
                    log.warning("scenario folder %s has no .toml files", folder)
                for path in found:
                    files.setdefault(path.resolve(), path)
        return list(files.values())

    def _load(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(f"{path}: cannot read the file: {exc}")
            return
        scenario, problems = parse(text)
        if scenario is None:
            errors = [p for p in problems if p.severity == "error"]
            first = errors[0].format(str(path)).replace(": error: ", ": ", 1)
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            self.problems.append(f"{first}{more}; run `dealroom scenarios validate {path}`")
            return
        origin = self._origins.get(scenario.id)
        if origin is not None and not origin.startswith("built-in "):
            line, column = Locator(text).position(("id",))
            self.problems.append(
                f"{path}:{line}:{column}: scenario id '{scenario.id}' is already used by {origin}; "
                "give one of them another id"
            )
            return
        if origin is not None:
            log.warning("%s: scenario '%s' replaces the %s", path, scenario.id, origin)
        self._scenarios[scenario.id] = scenario
        self._origins[scenario.id] = str(path)

    def get(self, scenario_id: str) -> Scenario | None:
        """The scenario with that id, or None."""
        return self._scenarios.get(scenario_id)

    def all(self) -> list[Scenario]:
        """Every scenario, sorted by id."""
        return [self._scenarios[k] for k in sorted(self._scenarios)]

    def add(self, scenario: Scenario) -> None:
        """Offer ``scenario`` (replacing one with the same id)."""
        self._scenarios[scenario.id] = scenario
