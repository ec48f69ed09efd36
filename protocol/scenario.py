"""The scenario as it travels on the wire: issues, rules, briefs and scoring.

A scenario is a multi-issue deal (DESIGN.md, "Domain"): each issue has a
domain (money with a step, an integer range, or ordered options), and each role
has a private brief, a preferred direction per issue, a scoring (points per
issue) and a reservation value (what its walk-away alternative is worth).

Every domain is *ordered*: numbers by value, options by their listed order.
That one idea lets the referee classify concessions on any issue: a role that
``prefers = "up"`` on an issue concedes when it moves the value down.

Participants receive :class:`PublicScenario` plus their own :class:`Brief`;
only the facilitator receives the whole :class:`Scenario`.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

__all__ = [
    "EVERY_LANGUAGE",
    "ROLES",
    "Brief",
    "Direction",
    "Issue",
    "IssueKind",
    "IssueScoring",
    "IssueText",
    "Language",
    "PublicRole",
    "PublicScenario",
    "Role",
    "RoleSide",
    "RoleText",
    "Rules",
    "Scenario",
    "ScenarioText",
    "TermValue",
    "Terms",
    "beyond_authority",
    "issue_points",
]

Role = Literal["buyer", "seller"]
ROLES: tuple[Role, Role] = ("buyer", "seller")
Direction = Literal["up", "down"]
IssueKind = Literal["money", "integer", "options"]
TermValue = int | str
Terms = dict[str, TermValue]

Id = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,47}$")]
Language = Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2,3}$")]
"""A language, as its ISO 639 code: ``nl``, ``id``, ``ms``, ``es``."""
EVERY_LANGUAGE = "*"
"""A ``hello.lang`` asking for every translation the scenario has (what a bot says: it
learns the language to write in only when its counterpart joins)."""


class Issue(msgspec.Struct, frozen=True, kw_only=True):
    """One negotiable issue and its domain of values."""

    id: Id
    label: str
    kind: IssueKind
    unit: str = ""
    description: str = ""
    min: int | None = None
    max: int | None = None
    step: int = 1
    options: tuple[str, ...] = ()

    def size(self) -> int:
        """Number of distinct values in the domain."""
        if self.kind == "options":
            return len(self.options)
        assert self.min is not None and self.max is not None
        return (self.max - self.min) // self.step + 1

    def check(self, value: object) -> str | None:
        """Return why ``value`` is outside this issue's domain, or None if it fits."""
        if self.kind == "options":
            if not isinstance(value, str) or value not in self.options:
                choices = ", ".join(repr(o) for o in self.options)
                return f"{self.id} must be one of {choices}, not {value!r}"
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{self.id} must be a whole number, not {value!r}"
        assert self.min is not None and self.max is not None
        if not self.min <= value <= self.max:
            return f"{self.id} must be between {self.min} and {self.max}, not {value}"
        if (value - self.min) % self.step:
            return f"{self.id} must move in steps of {self.step} from {self.min}, not {value}"
        return None

    def rank(self, value: TermValue) -> int:
        """Position of a valid ``value`` in the domain's order (0 = lowest / first)."""
        if self.kind == "options":
            return self.options.index(str(value))
        assert self.min is not None and isinstance(value, int)
        return (value - self.min) // self.step

    def value_at(self, rank: int) -> TermValue:
        """The domain value at position ``rank`` (inverse of :meth:`rank`)."""
        if self.kind == "options":
            return self.options[rank]
        assert self.min is not None
        return self.min + rank * self.step


def issue_points(
    issue: Issue, scoring: IssueScoring | None, prefers: Direction, value: TermValue
) -> float:
    """Points one role's ``scoring`` gives ``value`` on ``issue`` (0 without a scoring)."""
    if scoring is None:
        return 0.0
    if scoring.points is not None:
        return scoring.points.get(str(value), 0.0)
    span = issue.size() - 1
    if span <= 0:
        return scoring.weight
    position = issue.rank(value) / span
    if prefers == "down":
        position = 1.0 - position
    return scoring.weight * position


def beyond_authority(
    issues: tuple[Issue, ...],
    authority: dict[str, TermValue],
    prefers: dict[str, Direction],
    terms: Terms,
) -> tuple[str, ...]:
    """The issues on which ``terms`` go past a role's authority limits, in issue order.

    A limit is the furthest value the role may agree to on its own: past it
    means further towards the counterpart than the limit (a buyer who prefers a
    lower price, with a limit of 920000, needs sign-off for 930000).
    """
    beyond = []
    for issue in issues:
        limit = authority.get(issue.id)
        if limit is None or issue.id not in terms:
            continue
        value, edge = issue.rank(terms[issue.id]), issue.rank(limit)
        if (value > edge) if prefers[issue.id] == "down" else (value < edge):
            beyond.append(issue.id)
    return tuple(beyond)


class IssueText(msgspec.Struct, frozen=True, kw_only=True):
    """An issue's words in another language; what is left empty stays as the issue has it."""

    label: str = ""
    description: str = ""
    unit: str = ""
    options: tuple[str, ...] = ()
    """The options as shown in this language, in the issue's order. Only what a person
    reads changes: offers still carry the issue's own option values."""


class RoleText(msgspec.Struct, frozen=True, kw_only=True):
    """A role's words in another language (a brief carries only its own role's)."""

    title: str = ""
    public: str = ""
    brief: str = ""


class ScenarioText(msgspec.Struct, frozen=True, kw_only=True):
    """A scenario's words in another language; anything left out stays in the scenario's
    own language (English for the built-in ones)."""

    title: str = ""
    summary: str = ""
    issues: dict[str, IssueText] = {}
    roles: dict[Role, RoleText] = {}


class Rules(msgspec.Struct, frozen=True, kw_only=True):
    """How a room of this scenario runs."""

    deadline_seconds: Annotated[int, msgspec.Meta(ge=0)] = 1200
    """Time from start to expiry; 0 means no deadline."""
    turns: Literal["free", "alternating"] = "free"
    """``alternating``: offers alternate between the roles."""
    first_mover: Literal["buyer", "seller", "either"] = "either"
    """Who may make the first offer when turns alternate."""
    deadlock_after: Annotated[int, msgspec.Meta(ge=1)] = 4
    """A deadlock is recorded after this many offers in a row without a concession."""


class IssueScoring(msgspec.Struct, frozen=True, kw_only=True):
    """A role's points for one issue.

    ``weight`` scores the role's best value at ``weight`` points, its worst at 0,
    linearly in between (best = the end the role prefers). ``points``, when
    given, names the points of every option instead (options issues only).
    """

    weight: float = 0.0
    points: dict[str, float] | None = None


class PublicRole(msgspec.Struct, frozen=True, kw_only=True):
    """What everyone may know about a role: who they are playing against."""

    title: str
    public: str = ""


class RoleSide(msgspec.Struct, frozen=True, kw_only=True):
    """Everything about one role, private parts included."""

    title: str
    brief: str
    prefers: dict[str, Direction]
    scoring: dict[str, IssueScoring]
    reservation_value: float
    public: str = ""
    authority: dict[str, TermValue] = {}
    """Authority limits: per issue, the furthest value this role may agree to
    without sign-off. Offering or accepting past one asks the facilitator (the
    manager) for approval first."""


class Brief(msgspec.Struct, frozen=True, kw_only=True):
    """A participant's private brief, sent only to that role (and the facilitator)."""

    role: Role
    title: str
    text: str
    prefers: dict[str, Direction]
    scoring: dict[str, IssueScoring]
    reservation_value: float
    max_score: float
    authority: dict[str, TermValue] = {}
    """Per issue, the furthest value this role may agree to without sign-off."""
    translations: dict[str, RoleText] = {}
    """The brief in the language the client asked for (``title`` and ``brief``), if the
    scenario has it."""

    def score(self, issues: tuple[Issue, ...], terms: Terms) -> float:
        """This role's points for a complete package (what a bot or a client shows)."""
        return sum(
            issue_points(i, self.scoring.get(i.id), self.prefers[i.id], terms[i.id]) for i in issues
        )

    def beyond_authority(self, issues: tuple[Issue, ...], terms: Terms) -> tuple[str, ...]:
        """The issues on which ``terms`` need sign-off past this role's authority."""
        return beyond_authority(issues, self.authority, self.prefers, terms)


class PublicScenario(msgspec.Struct, frozen=True, kw_only=True):
    """The part of a scenario every seat of a room sees."""

    id: str
    title: str
    summary: str
    currency: str
    rules: Rules
    issues: tuple[Issue, ...]
    roles: dict[Role, PublicRole]
    translations: dict[str, ScenarioText] = {}
    """The scenario's public words in the language the client asked for, if it has them
    (role texts without the briefs)."""


class Scenario(msgspec.Struct, frozen=True, kw_only=True):
    """A complete scenario; only the facilitator ever receives it whole."""

    id: Id
    title: str
    summary: str = ""
    currency: str = "EUR"
    rules: Rules = Rules()
    issues: tuple[Issue, ...]
    roles: dict[Role, RoleSide]
    translations: dict[Language, ScenarioText] = {}
    """Per language, the scenario's words in it (the file's ``[translations.LANG]``)."""

    def issue(self, issue_id: str) -> Issue:
        """The issue named ``issue_id`` (KeyError if there is none)."""
        for issue in self.issues:
            if issue.id == issue_id:
                return issue
        raise KeyError(issue_id)

    def public(self, language: str | None = None) -> PublicScenario:
        """The view every seat may see, with its words in ``language`` if there are any
        (in every language it has for :data:`EVERY_LANGUAGE`)."""
        translations = {
            lang: msgspec.structs.replace(
                text,
                roles={r: RoleText(title=t.title, public=t.public) for r, t in text.roles.items()},
            )
            for lang, text in self._texts(language).items()
        }
        return PublicScenario(
            id=self.id,
            title=self.title,
            summary=self.summary,
            currency=self.currency,
            rules=self.rules,
            issues=self.issues,
            roles={r: PublicRole(title=s.title, public=s.public) for r, s in self.roles.items()},
            translations=translations,
        )

    def brief(self, role: Role, language: str | None = None) -> Brief:
        """``role``'s private brief with its scoring, and its words in ``language`` if any."""
        side = self.roles[role]
        translations = {
            lang: RoleText(title=own.title, brief=own.brief)
            for lang, text in self._texts(language).items()
            if (own := text.roles.get(role)) is not None
        }
        return Brief(
            role=role,
            title=side.title,
            text=side.brief,
            prefers=side.prefers,
            scoring=side.scoring,
            reservation_value=side.reservation_value,
            max_score=self.max_score(role),
            authority=side.authority,
            translations=translations,
        )

    def _texts(self, language: str | None) -> dict[str, ScenarioText]:
        """The translations a client asking for ``language`` gets: that one if there is
        one, every one for :data:`EVERY_LANGUAGE` (a bot learns its counterpart's later)."""
        if not language:
            return {}
        if language == EVERY_LANGUAGE:
            return dict(self.translations)
        text = self.translations.get(language)
        return {} if text is None else {language: text}

    def beyond_authority(self, role: Role, terms: Terms) -> tuple[str, ...]:
        """The issues on which ``terms`` go past ``role``'s authority limits."""
        side = self.roles[role]
        return beyond_authority(self.issues, side.authority, side.prefers, terms)

    def issue_score(self, role: Role, issue: Issue, value: TermValue) -> float:
        """Points ``role`` gets from ``value`` on ``issue``."""
        side = self.roles[role]
        return issue_points(issue, side.scoring.get(issue.id), side.prefers[issue.id], value)

    def score(self, role: Role, terms: Terms) -> float:
        """Total points ``role`` gets from a complete package of ``terms``."""
        return sum(self.issue_score(role, i, terms[i.id]) for i in self.issues)

    def max_score(self, role: Role) -> float:
        """The best total ``role`` could get (each issue at its best value)."""
        best = 0.0
        for issue in self.issues:
            scoring = self.roles[role].scoring.get(issue.id)
            if scoring is None:
                continue
            if scoring.points is not None:
                best += max(scoring.points.values(), default=0.0)
            else:  # linear: the preferred end of the range is worth the whole weight
                best += max(scoring.weight, 0.0)
        return best
