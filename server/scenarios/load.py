"""Read a scenario TOML file into a :class:`~dealroom.protocol.Scenario`.

A trainer's mistakes come back as :class:`Problem` values with the line they
are on: syntax errors (from ``tomllib``), type errors (from msgspec, whose
``$.issues[1].min`` paths are mapped to lines), unknown keys (typos, with a
suggestion), and the scenario's own consistency rules (see :func:`_check`).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import msgspec

from dealroom.protocol import ROLES, Direction, Issue, IssueScoring, RoleSide, Rules, Scenario

from .locate import Locator, split_path

__all__ = ["Problem", "ScenarioError", "load_file", "parse", "validate_file"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or suspicious) in a scenario file."""

    severity: Literal["error", "warning"]
    message: str
    line: int | None = None

    def format(self, source: str) -> str:
        """``FILE:LINE: error: message``, the shape editors and CI logs understand."""
        where = f"{source}:{self.line}" if self.line is not None else source
        return f"{where}: {self.severity}: {self.message}"


class ScenarioError(Exception):
    """A scenario file has errors; ``problems`` lists them all."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(p.format(source) for p in problems))


def parse(text: str) -> tuple[Scenario | None, list[Problem]]:
    """Parse scenario TOML; the scenario is None when there is any error."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+)", str(exc))
        return None, [Problem("error", f"not valid TOML: {exc}", int(match[1]) if match else None)]
    locator = Locator(text)

    def at(path: tuple[str | int, ...]) -> int | None:
        return locator.line(path)

    problems = [Problem("error", msg, at(path)) for path, msg in _unknown_keys(data)]
    type_errors = list(_type_errors(data))
    problems += [Problem("error", f"{_show(path)}: {msg}", at(path)) for path, msg in type_errors]
    if type_errors:
        return None, problems
    scenario = msgspec.convert(data, Scenario)
    problems += [Problem(sev, msg, at(path)) for sev, path, msg in _check(scenario)]
    if any(p.severity == "error" for p in problems):
        return None, problems
    return scenario, problems


def load_file(path: str | Path) -> Scenario:
    """Load a scenario file, raising :class:`ScenarioError` if it has errors."""
    scenario, problems = parse(Path(path).read_text(encoding="utf-8"))
    if scenario is None:
        raise ScenarioError(str(path), problems)
    return scenario


def validate_file(path: str | Path) -> list[Problem]:
    """Every problem in a scenario file (an unreadable file is one problem)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem("error", f"cannot read the file: {exc}")]
    return parse(text)[1]


def _show(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "file"


def _type_errors(data: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every type error, each with its full path.

    msgspec stops at the first error and writes dict keys as ``[...]``; a trainer
    wants all of them and the exact key, so the parts keyed by name are converted
    one entry at a time first.
    """

    def convert(value: object, tp: Any, path: tuple[str | int, ...]) -> bool:
        try:
            msgspec.convert(value, tp)
        except msgspec.ValidationError as exc:
            message, _, where = str(exc).partition(" - at `$")
            rest = tuple(p for p in split_path(where.rstrip("`").lstrip(".")) if p != "...")
            errors.append(((*path, *rest), message))
            return False
        return True

    errors: list[tuple[tuple[str | int, ...], str]] = []
    roles = data.get("roles")
    if isinstance(roles, dict):
        for role, side in roles.items():
            if role not in ROLES or not isinstance(side, dict):
                continue
            base = ("roles", role)
            for key in ("prefers", "scoring"):
                entries = side.get(key)
                if not isinstance(entries, dict):
                    continue
                entry_type = Direction if key == "prefers" else IssueScoring
                for issue_id, entry in entries.items():
                    convert(entry, entry_type, (*base, key, issue_id))
            if not errors:
                convert(side, RoleSide, base)
    if not errors:
        convert(data, Scenario, ())
    yield from errors


def _fields(struct: type[msgspec.Struct]) -> set[str]:
    return {f.encode_name for f in msgspec.structs.fields(struct)}


def _unknown_keys(data: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Keys the format does not know: almost always a typo that would be silently ignored."""

    def check(
        table: object, allowed: set[str], path: tuple[str | int, ...]
    ) -> Iterator[tuple[tuple[str | int, ...], str]]:
        if not isinstance(table, dict):
            return
        for key in table:
            if key not in allowed:
                near = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f"; did you mean '{near[0]}'?" if near else ""
                where = ".".join(str(p) for p in path) or "the top level"
                yield (*path, key), f"unknown key '{key}' in {where}{hint}"

    yield from check(data, _fields(Scenario), ())
    yield from check(data.get("rules"), _fields(Rules), ("rules",))
    issues = data.get("issues")
    for index, issue in enumerate(issues if isinstance(issues, list) else []):
        yield from check(issue, _fields(Issue), ("issues", index))
    roles = data.get("roles")
    if isinstance(roles, dict):
        yield from check(roles, set(ROLES), ("roles",))
        for role, side in roles.items():
            yield from check(side, _fields(RoleSide), ("roles", role))
            scoring = side.get("scoring") if isinstance(side, dict) else None
            for issue_id, entry in (scoring or {}).items():
                path = ("roles", role, "scoring", issue_id)
                yield from check(entry, _fields(IssueScoring), path)


Check = tuple[Literal["error", "warning"], tuple[str | int, ...], str]


def _check(scenario: Scenario) -> Iterator[Check]:
    """The scenario's consistency rules, beyond what the types already say."""
    seen: set[str] = set()
    for index, issue in enumerate(scenario.issues):
        path: tuple[str | int, ...] = ("issues", index)
        if issue.id in seen:
            yield "error", (*path, "id"), f"issue id '{issue.id}' is used twice"
        seen.add(issue.id)
        yield from _check_domain(issue, path)
    if not scenario.issues:
        yield "error", (), "a scenario needs at least one [[issues]] block"
    for role in ROLES:
        if role not in scenario.roles:
            yield "error", ("roles",), f"[roles.{role}] is missing"
    for role, side in scenario.roles.items():
        yield from _check_side(scenario, role, side)
    if all(r in scenario.roles for r in ROLES):
        yield from _check_integrative(scenario)


def _check_domain(issue: Issue, path: tuple[str | int, ...]) -> Iterator[Check]:
    if issue.kind == "options":
        if len(issue.options) < 2:
            yield "error", (*path, "options"), f"issue '{issue.id}' needs at least two options"
        if len(set(issue.options)) != len(issue.options):
            yield "error", (*path, "options"), f"issue '{issue.id}' lists an option twice"
        if issue.min is not None or issue.max is not None:
            yield "error", path, f"issue '{issue.id}' has options, so it takes no min or max"
        return
    if issue.options:
        yield "error", (*path, "options"), f"a {issue.kind} issue takes min/max/step, not options"
    if issue.min is None or issue.max is None:
        yield "error", path, f"{issue.kind} issue '{issue.id}' needs both min and max"
        return
    if issue.step < 1:
        yield "error", (*path, "step"), f"issue '{issue.id}': step must be at least 1"
        return
    if issue.min >= issue.max:
        yield "error", (*path, "max"), f"issue '{issue.id}': max must be greater than min"
    elif (issue.max - issue.min) % issue.step:
        yield (
            "error",
            (*path, "step"),
            f"issue '{issue.id}': max - min ({issue.max - issue.min}) is not a whole number "
            f"of steps of {issue.step}",
        )
    elif issue.size() > 100_000:
        yield (
            "warning",
            (*path, "step"),
            f"issue '{issue.id}' has {issue.size()} values; a coarser step keeps offers readable",
        )


def _check_side(scenario: Scenario, role: str, side: RoleSide) -> Iterator[Check]:
    base: tuple[str | int, ...] = ("roles", role)
    ids = [i.id for i in scenario.issues]
    for issue_id in ids:
        if issue_id not in side.prefers:
            yield "error", (*base, "prefers"), f"{role} has no direction for issue '{issue_id}'"
        if issue_id not in side.scoring:
            yield "warning", (*base, "scoring"), f"{role} scores nothing for issue '{issue_id}'"
    for issue_id in side.prefers:
        if issue_id not in ids:
            yield "error", (*base, "prefers", issue_id), f"prefers names unknown issue '{issue_id}'"
    for issue_id, scoring in side.scoring.items():
        path = (*base, "scoring", issue_id)
        if issue_id not in ids:
            yield "error", path, f"scoring names unknown issue '{issue_id}'"
            continue
        issue = scenario.issue(issue_id)
        if scoring.points is None:
            if scoring.weight < 0:
                yield "error", path, f"{role}'s weight for '{issue_id}' is negative"
            continue
        if issue.kind != "options":
            yield "error", path, f"'{issue_id}' is a {issue.kind} issue: score it with a weight"
            continue
        for option in scoring.points:
            if option not in issue.options:
                yield "error", path, f"points name '{option}', not an option of '{issue_id}'"
        for option in issue.options:
            if option not in scoring.points:
                yield "error", path, f"points give nothing for option '{option}' of '{issue_id}'"
        direction = side.prefers.get(issue_id)
        ordered = [scoring.points.get(o, 0.0) for o in issue.options]
        if direction == "down":
            ordered.reverse()
        if direction and ordered[-1] < ordered[0]:
            yield (
                "warning",
                path,
                f"{role} prefers '{issue_id}' {direction} but its points favour the other end",
            )
    for issue_id, limit in side.authority.items():
        path = (*base, "authority", issue_id)
        if issue_id not in ids:
            yield "error", path, f"authority names unknown issue '{issue_id}'"
            continue
        problem = scenario.issue(issue_id).check(limit)
        if problem is not None:
            yield "error", path, f"{role}'s authority limit: {problem}"
    if any(issue_id not in ids for issue_id in side.scoring):
        return
    best = scenario.max_score(role)  # type: ignore[arg-type]
    if not 0 <= side.reservation_value <= best:
        yield (
            "error",
            (*base, "reservation_value"),
            f"{role}'s reservation value {side.reservation_value:g} is outside 0..{best:g} "
            "(its best possible score)",
        )


def _check_integrative(scenario: Scenario) -> Iterator[Check]:
    """Warn when no trade can create value: both roles rank the issues identically."""
    weights = {
        role: [_issue_stake(scenario.roles[role].scoring.get(i.id)) for i in scenario.issues]
        for role in ROLES
    }
    buyer, seller = weights["buyer"], weights["seller"]
    if len(scenario.issues) > 1:
        order_b = sorted(range(len(buyer)), key=buyer.__getitem__)
        order_s = sorted(range(len(seller)), key=seller.__getitem__)
        if order_b == order_s:
            yield (
                "warning",
                ("roles",),
                "buyer and seller rank every issue in the same order: no trade between "
                "issues creates value (see docs/scenarios.md)",
            )


def _issue_stake(scoring: IssueScoring | None) -> float:
    if scoring is None:
        return 0.0
    if scoring.points is not None:
        values = scoring.points.values()
        return max(values, default=0.0) - min(values, default=0.0)
    return scoring.weight
