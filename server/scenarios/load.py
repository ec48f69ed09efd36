"""Read a scenario TOML file into a :class:`~dealroom.protocol.Scenario`.

A trainer's mistakes come back as :class:`Problem` values with the line they
are on, all of them in one run (a trainer should not fix one mistake only to
meet the next):

1. TOML syntax (``tomllib`` stops at the first, so this is the one case that
   reports a single problem, with its line and column);
2. the shape: every wrong type, bad choice, missing or unknown key (see
   :mod:`.shape`);
3. the scenario's own consistency rules (:func:`_check`), run on every part
   that is valid on its own, so one broken issue does not hide the others.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import msgspec

from dealroom.protocol import (
    ROLES,
    Direction,
    Issue,
    IssueScoring,
    IssueText,
    Role,
    RoleSide,
    Scenario,
)
from dealroom.protocol.scenario import TermValue

from .locate import Locator, split_path
from .shape import PATTERN_WORDS, mistakes, show_path

__all__ = ["Problem", "ScenarioError", "load_file", "parse", "validate_file"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or suspicious) in a scenario file."""

    severity: Literal["error", "warning"]
    message: str
    line: int | None = None
    column: int | None = None

    def format(self, source: str) -> str:
        """``FILE:LINE[:COLUMN]: error: message``, the shape editors and CI logs understand."""
        where = source
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        return f"{where}: {self.severity}: {self.message}"


class ScenarioError(Exception):
    """A scenario file has errors; ``problems`` lists them all."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(p.format(source) for p in problems))


def parse(text: str) -> tuple[Scenario | None, list[Problem]]:
    """Parse scenario TOML; the scenario is None when there is any error.

    The problems come in the order of their lines.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [_syntax_problem(exc, text)]
    locator = Locator(text)
    found: list[Check] = [("error", path, message) for path, message in mistakes(data, Scenario)]
    found += list(_check(_Parts.of(data)))
    problems = [Problem(sev, message, *locator.position(path)) for sev, path, message in found]
    problems.sort(key=lambda p: (p.line is None, p.line or 0, p.column or 0))
    if any(p.severity == "error" for p in problems):
        return None, problems
    try:
        return msgspec.convert(data, Scenario), problems
    except msgspec.ValidationError as exc:  # the shape check missed a rule: still say where
        message, _, where = str(exc).partition(" - at `$")
        path = split_path(where.rstrip("`").lstrip("."))
        problems.append(Problem("error", f"{show_path(path)}: {message}", *locator.position(path)))
        return None, problems


def _syntax_problem(exc: tomllib.TOMLDecodeError, source: str) -> Problem:
    text = str(exc)
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)", text)
    if match is not None:
        message = text[: match.start()] + text[match.end() :]
        return Problem("error", f"not valid TOML: {message}", int(match[1]), int(match[2]))
    if text.endswith(" (at end of document)"):  # an unclosed string or table runs to the end
        last = len(source.splitlines()) or 1
        return Problem("error", f"not valid TOML: {text[: -len(' (at end of document)')]}", last)
    return Problem("error", f"not valid TOML: {text}")


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


def _convert(value: object, tp: Any) -> Any:
    """``value`` as ``tp``, or None when it is not one (the shape check already said why)."""
    try:
        return msgspec.convert(value, tp)
    except msgspec.ValidationError:
        return None


@dataclass
class _Parts:
    """The parts of a scenario file that are valid on their own.

    The consistency rules run on these, so a mistake in one issue or role
    still lets every other be checked; ``whole`` says whether anything was
    left out (rules about the scenario as a whole then stay quiet rather than
    report a consequence of a mistake already reported).
    """

    issues: list[tuple[int, Issue]] = field(default_factory=list)
    """Each valid issue with its index in the file (problems point at that index's line)."""
    written_ids: list[tuple[int, str]] = field(default_factory=list)
    """Every issue id written, valid issue or not: a broken issue is not an "unknown" one."""
    issues_written: bool = False
    roles_written: set[str] = field(default_factory=set)
    roles: dict[Role, RoleSide] = field(default_factory=dict)
    role_keys: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    """Per role, the keys written in its prefers and scoring tables (valid entries or not)."""
    whole_roles: set[str] = field(default_factory=set)
    """Roles whose every part converted (their reservation value can be checked)."""
    translations: dict[str, dict[str, IssueText]] = field(default_factory=dict)
    """Per language written, the issues' words that converted (the shape check reports the
    rest)."""
    whole: bool = True

    @classmethod
    def of(cls, data: dict[str, Any]) -> _Parts:
        parts = cls()
        raw_issues = data.get("issues")
        if isinstance(raw_issues, list):
            parts.issues_written = True
            for index, raw in enumerate(raw_issues):
                if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                    parts.written_ids.append((index, raw["id"]))
                issue = _convert(raw, Issue)
                if issue is None:
                    parts.whole = False
                else:
                    parts.issues.append((index, issue))
        raw_translations = data.get("translations")
        if isinstance(raw_translations, dict):
            for language, text in raw_translations.items():
                issues = text.get("issues") if isinstance(text, dict) else None
                converted = {}
                if isinstance(issues, dict):
                    converted = {k: _convert(v, IssueText) for k, v in issues.items()}
                parts.translations[language] = {k: v for k, v in converted.items() if v is not None}
        raw_roles = data.get("roles")
        if isinstance(raw_roles, dict):
            parts.roles_written = set(raw_roles)
            for role in ROLES:
                side = raw_roles.get(role)
                if isinstance(side, dict):
                    parts._add_role(role, side)
        return parts

    def _add_role(self, role: Role, raw: dict[str, Any]) -> None:
        whole = True

        def entries(key: str, tp: Any) -> dict[str, Any]:
            nonlocal whole
            table = raw.get(key, {})
            if not isinstance(table, dict):
                whole = False
                return {}
            self.role_keys.setdefault(role, {})[key] = set(table)
            converted = {k: _convert(v, tp) for k, v in table.items()}
            whole &= None not in converted.values()
            return {k: v for k, v in converted.items() if v is not None}

        prefers: dict[str, Direction] = entries("prefers", Direction)
        scoring: dict[str, IssueScoring] = entries("scoring", IssueScoring)
        authority: dict[str, TermValue] = entries("authority", TermValue)
        reservation = _convert(raw.get("reservation_value"), float)
        whole &= reservation is not None
        # Built without validation: only the parts the rules read need to be right.
        self.roles[role] = RoleSide(
            title="",
            brief="",
            prefers=prefers,
            scoring=scoring,
            reservation_value=reservation or 0.0,
            authority=authority,
        )
        if whole:
            self.whole_roles.add(role)
        else:
            self.whole = False

    def scenario(self) -> Scenario:
        """The valid parts as a scenario, for the rules that need one (scores, issue lookup)."""
        return Scenario(id="-", title="", issues=tuple(i for _, i in self.issues), roles=self.roles)


Check = tuple[Literal["error", "warning"], tuple[str | int, ...], str]


def _check(parts: _Parts) -> Iterator[Check]:
    """The scenario's consistency rules, beyond what the types already say."""
    seen: set[str] = set()
    for index, issue_id in parts.written_ids:
        if issue_id in seen:
            yield "error", ("issues", index, "id"), f"issue id '{issue_id}' is used twice"
        seen.add(issue_id)
    sound: set[str] = set()  # issues whose domain is right: values can be checked against it
    for index, issue in parts.issues:
        domain = list(_check_domain(issue, ("issues", index)))
        yield from domain
        if not any(severity == "error" for severity, _, _ in domain):
            sound.add(issue.id)
    if parts.issues_written and not parts.written_ids and parts.whole:
        yield "error", (), "a scenario needs at least one [[issues]] block"
    if parts.roles_written:  # no [roles] at all is a missing key, reported with the shape
        for role in ROLES:
            if role not in parts.roles_written:
                yield "error", ("roles",), f"[roles.{role}] is missing"
    scenario = parts.scenario()
    written = {issue_id for _, issue_id in parts.written_ids}
    for role, side in parts.roles.items():
        keys = parts.role_keys.get(role, {})
        whole = role in parts.whole_roles
        yield from _check_side(scenario, written, sound, keys, role, side, whole=whole)
    if parts.whole and all(r in parts.roles for r in ROLES):
        yield from _check_integrative(scenario)
    yield from _check_translations(parts, written)


_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def _check_translations(parts: _Parts, written: set[str]) -> Iterator[Check]:
    """Each translation speaks of the file's issues, and shows each option once."""
    issues = {issue.id: issue for _, issue in parts.issues}
    for language, texts in parts.translations.items():
        if not _LANGUAGE.fullmatch(language):  # a table's key: the shape check cannot see it
            words = PATTERN_WORDS[_LANGUAGE.pattern]
            yield "error", ("translations", language), f"[translations.{language}]: {words}"
        for issue_id, text in texts.items():
            path: tuple[str | int, ...] = ("translations", language, "issues", issue_id)
            if issue_id not in written:
                yield "error", path, f"[translations.{language}] names no issue '{issue_id}'"
                continue
            issue = issues.get(issue_id)
            if issue is None or not text.options:
                continue
            if issue.kind != "options":
                yield (
                    "error",
                    (*path, "options"),
                    f"issue '{issue_id}' is a {issue.kind} issue: its translation has no options",
                )
            elif len(text.options) != len(issue.options):
                yield (
                    "error",
                    (*path, "options"),
                    f"[translations.{language}] shows {len(text.options)} options for issue "
                    f"'{issue_id}', which has {len(issue.options)}: one per option, in order",
                )


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
    # The step and the range are checked apart, so that both are reported in one run.
    if issue.step < 1:
        yield "error", (*path, "step"), f"issue '{issue.id}': step must be at least 1"
    if issue.min >= issue.max:
        yield "error", (*path, "max"), f"issue '{issue.id}': max must be greater than min"
    if issue.step < 1 or issue.min >= issue.max:
        return
    if (issue.max - issue.min) % issue.step:
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


def _check_side(
    scenario: Scenario,
    written: set[str],
    sound: set[str],
    keys: dict[str, set[str]],
    role: Role,
    side: RoleSide,
    *,
    whole: bool,
) -> Iterator[Check]:
    """One role's rules.

    ``written`` holds every issue id in the file and ``keys`` the role's
    prefers/scoring keys, valid entries or not: an entry with a mistake is
    not also "missing". ``sound`` holds the issues whose domain is right, the
    only ones a limit can be checked against.
    """
    base: tuple[str | int, ...] = ("roles", role)
    ids = [i.id for i in scenario.issues]
    for issue_id in ids:
        if issue_id not in keys.get("prefers", side.prefers):
            yield "error", (*base, "prefers"), f"{role} has no direction for issue '{issue_id}'"
        if issue_id not in keys.get("scoring", side.scoring):
            yield "warning", (*base, "scoring"), f"{role} scores nothing for issue '{issue_id}'"
    for issue_id in side.prefers:
        if issue_id not in written:
            yield "error", (*base, "prefers", issue_id), f"prefers names unknown issue '{issue_id}'"
    for issue_id, scoring in side.scoring.items():
        path = (*base, "scoring", issue_id)
        if issue_id not in ids:
            if issue_id not in written:
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
        if direction and ordered and ordered[-1] < ordered[0]:  # no options: reported above
            yield (
                "warning",
                path,
                f"{role} prefers '{issue_id}' {direction} but its points favour the other end",
            )
    for issue_id, limit in side.authority.items():
        path = (*base, "authority", issue_id)
        if issue_id not in ids:
            if issue_id not in written:
                yield "error", path, f"authority names unknown issue '{issue_id}'"
            continue
        if issue_id not in sound:
            continue  # its domain's mistake is reported; the limit cannot be judged yet
        problem = scenario.issue(issue_id).check(limit)
        if problem is not None:
            yield "error", path, f"{role}'s authority limit: {problem}"
    yield from _check_reservation(role, side, whole=whole)


def _check_reservation(role: Role, side: RoleSide, *, whole: bool) -> Iterator[Check]:
    """The reservation value lies between 0 and the role's best possible score.

    Judged beside the role's other mistakes, not after them (a trainer would
    meet this one only once those were fixed). Below 0 is wrong whatever the
    rest says. Above the best is judged once every scoring entry converted
    (one that did not could raise the best); an entry naming an issue the
    file lacks still counts, since dropping it only lowers the best.
    """
    value, path = side.reservation_value, ("roles", role, "reservation_value")
    if whole:
        best = _best_score(side)
        if not 0 <= value <= best:
            yield (
                "error",
                path,
                f"{role}'s reservation value {value:g} is outside 0..{best:g} "
                "(its best possible score)",
            )
    elif value < 0:  # a value that did not convert stands here as 0
        yield "error", path, f"{role}'s reservation value {value:g} is below 0, the lowest score"


def _best_score(side: RoleSide) -> float:
    """The role's best possible total, as :meth:`Scenario.max_score` counts it.

    Each issue's best is its weight or its highest points, whatever the issue's
    domain, so this needs only the scoring: an issue with a mistake elsewhere
    does not stop the reservation value from being checked.
    """
    best = 0.0
    for scoring in side.scoring.values():
        if scoring.points is not None:
            best += max(scoring.points.values(), default=0.0)
        else:
            best += max(scoring.weight, 0.0)
    return best


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
