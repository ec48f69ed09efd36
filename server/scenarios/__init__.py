"""dealroom.server.scenarios: scenario files, their validation, and the catalog."""

from __future__ import annotations

from .catalog import Catalog, CatalogError, builtin_scenarios
from .load import Problem, ScenarioError, load_file, parse, validate_file

__all__ = [
    "Catalog",
    "CatalogError",
    "Problem",
    "ScenarioError",
    "builtin_scenarios",
    "load_file",
    "parse",
    "validate_file",
]
