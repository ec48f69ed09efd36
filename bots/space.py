"""One role's view of a scenario's outcome space: every package and its own score.

A strategy may know only its own scoring (DESIGN.md, principle 6), so this
space holds one score per package: the role's own. It is built once per role
and scenario content and cached, because a bot consults it on every decision.

Representation (the built-ins hold 20k-71k packages, and pure Python must
build one in well under half a second and answer in well under 5 ms):

* a package is a tuple of *rank indices*, one per issue (``Issue.rank``);
* packages are kept sorted by own score: ``scores`` is the ascending list and
  ``columns[k]`` a ``bytes`` string holding issue ``k``'s rank of each package
  in the same order, so a score band is one ``bisect`` and a slice per issue.

Distances between packages are sums over issues of ``|rank difference| /
(size - 1)``, optionally weighted: every issue counts the same whatever its
number of values, so a notch of price and a notch of warranty compare fairly.
"""

from __future__ import annotations

import bisect
import math
import operator
from collections.abc import Sequence

import msgspec

from dealroom.protocol import Brief, Issue, Terms, issue_points

__all__ = [
    "MAX_PACKAGES",
    "PackageSpace",
    "Ranks",
    "counterpart_ends",
    "is_concession",
    "space_for",
]

Ranks = tuple[int, ...]
"""A package as the rank of its value on each issue, in the scenario's issue order."""

_CACHE_SIZE = 32
MAX_PACKAGES = 2_000_000
"""Largest space enumerated (about 1 s and 100 MB in pure Python); the built-ins hold ≤ 71k."""


class PackageSpace:
    """Every package of a scenario with one role's own score, sorted by that score."""

    def __init__(self, brief: Brief, issues: tuple[Issue, ...]) -> None:
        """Enumerate and sort the space (use :func:`space_for`, which caches it)."""
        self.issues = issues
        self.role = brief.role
        self.sizes: tuple[int, ...] = tuple(issue.size() for issue in issues)
        if any(size > 256 for size in self.sizes):  # ranks are stored one byte each
            raise ValueError("an issue with more than 256 values is too large to enumerate")
        if math.prod(self.sizes) > MAX_PACKAGES:
            raise ValueError(f"more than {MAX_PACKAGES:,} packages: too large to enumerate")
        self.points: tuple[tuple[float, ...], ...] = tuple(
            tuple(
                issue_points(issue, brief.scoring.get(issue.id), brief.prefers[issue.id], value)
                for value in map(issue.value_at, range(issue.size()))
            )
            for issue in issues
        )
        self.preferred: Ranks = tuple(
            size - 1 if brief.prefers[issue.id] == "up" else 0
            for issue, size in zip(issues, self.sizes, strict=True)
        )
        """My preferred end of each issue (what a concession moves away from)."""
        self.limits: tuple[int | None, ...] = tuple(
            None if issue.id not in brief.authority else issue.rank(brief.authority[issue.id])
            for issue in issues
        )
        """Rank of my authority limit on each issue (None: no limit)."""
        # Scores in product order (first issue most significant), one issue's
        # points table at a time: a list comprehension per issue, not per package.
        scores = [0.0]
        for table in self.points:
            scores = [s + p for s in scores for p in table]
        order = sorted(range(len(scores)), key=scores.__getitem__)
        self.scores: list[float] = [scores[i] for i in order]
        self.columns: tuple[bytes, ...] = tuple(
            bytes(map(column.__getitem__, order)) for column in _product_columns(self.sizes)
        )

    def __len__(self) -> int:
        """Number of packages."""
        return len(self.scores)

    @property
    def max_score(self) -> float:
        """My best achievable score."""
        return self.scores[-1]

    @property
    def min_score(self) -> float:
        """My worst possible score."""
        return self.scores[0]

    def ranks_at(self, position: int) -> Ranks:
        """The package at ``position`` in ascending own-score order."""
        return tuple(column[position] for column in self.columns)

    def best(self) -> Ranks:
        """A package with my maximal score (each issue at its best value)."""
        return self.ranks_at(len(self.scores) - 1)

    def score(self, ranks: Ranks) -> float:
        """My score for a package (``Brief.score`` of its terms, to rounding)."""
        total = 0.0
        for table, rank in zip(self.points, ranks, strict=True):
            total += table[rank]
        return total

    def span(self, lo: float, hi: float) -> range:
        """Positions of the packages whose score lies in ``[lo, hi]``."""
        return range(bisect.bisect_left(self.scores, lo), bisect.bisect_right(self.scores, hi))

    def between(self, lo: float, hi: float) -> list[Ranks]:
        """Packages whose own score lies in ``[lo, hi]``, lowest score first."""
        found = self.span(lo, hi)
        cols = [column[found.start : found.stop] for column in self.columns]
        return list(zip(*cols, strict=True)) if cols else []

    def lowest_at_least(self, lo: float) -> float | None:
        """The smallest package score ≥ ``lo`` (None when no package reaches ``lo``)."""
        position = bisect.bisect_left(self.scores, lo)
        return self.scores[position] if position < len(self.scores) else None

    def closest(
        self,
        target: Ranks,
        lo: float,
        hi: float,
        weights: Sequence[float] | None = None,
    ) -> Ranks | None:
        """The package scoring in ``[lo, hi]`` nearest ``target`` (None if the band is empty).

        Distance is the sum over issues of ``weight * |rank - target rank| /
        (size - 1)``. Ties go to the lowest own score in the band: the one that
        gives the counterpart most while still meeting ``lo``.
        """
        found = self.span(lo, hi)
        if not found:
            return None
        start, stop = found.start, found.stop
        distances: list[float] | None = None
        # One small table per issue (distance by rank), then C-level map/add over
        # the band's columns: about 0.1 µs per package and issue.
        for k, (column, size) in enumerate(zip(self.columns, self.sizes, strict=True)):
            scale = (1.0 if weights is None else weights[k]) / max(size - 1, 1)
            table = [abs(rank - target[k]) * scale for rank in range(size)]
            part = map(table.__getitem__, column[start:stop])
            distances = list(part if distances is None else map(operator.add, distances, part))
        assert distances is not None
        nearest = min(range(len(distances)), key=distances.__getitem__)
        return self.ranks_at(start + nearest)

    def within_authority(self, ranks: Ranks) -> Ranks:
        """``ranks`` pulled back inside my authority limits (never worse for me).

        A limit is the furthest value I may agree to without sign-off; pulling an
        issue back towards my preferred end only raises my own score.
        """
        return tuple(
            rank if limit is None else (min(rank, limit) if preferred == 0 else max(rank, limit))
            for rank, limit, preferred in zip(ranks, self.limits, self.preferred, strict=True)
        )

    def beyond_authority(self, ranks: Ranks) -> bool:
        """Whether agreeing to ``ranks`` would need sign-off."""
        return self.within_authority(ranks) != ranks

    def terms(self, ranks: Ranks) -> Terms:
        """The package as terms (issue id to value)."""
        return {
            issue.id: issue.value_at(rank) for issue, rank in zip(self.issues, ranks, strict=True)
        }

    def ranks(self, terms: Terms) -> Ranks:
        """The package ``terms`` as rank indices (terms must be valid for every issue)."""
        return tuple(issue.rank(terms[issue.id]) for issue in self.issues)


def _product_columns(sizes: Sequence[int]) -> list[bytes]:
    # Each issue's ranks in product order (first issue most significant): rank r
    # repeats `stride` times and that block repeats over the more significant
    # issues, so bytes arithmetic builds a column without a Python loop per package.
    total = 1
    for size in sizes:
        total *= size
    columns = []
    stride = total
    for size in sizes:
        stride //= size
        block = b"".join(bytes([rank]) * stride for rank in range(size))
        columns.append(block * (total // (stride * size)))
    return columns


def is_concession(space: PackageSpace, previous: Ranks, ranks: Ranks) -> bool:
    """The referee's concession: something moved away from my preferred end, nothing towards it.

    Mirrors ``server/referee/classify.py`` (a move towards my end makes the
    offer a trade or a hardening, which the referee refuses as ``concede``).
    """
    gave = False
    for before, after, best in zip(previous, ranks, space.preferred, strict=True):
        if before == after:
            continue
        if abs(after - best) < abs(before - best):
            return False
        gave = True
    return gave


_SPACES: dict[tuple[str, bytes], PackageSpace] = {}


def space_for(brief: Brief, issues: tuple[Issue, ...]) -> PackageSpace:
    """The cached space of this role's brief over ``issues``.

    Keyed by the role and the *content* that shapes the space (issues,
    preferences, scoring, authority limits), not by a scenario id: a Situation carries no id,
    and a trainer may edit a scenario file without renaming it.
    """
    key = (
        brief.role,
        msgspec.msgpack.encode((issues, brief.prefers, brief.scoring, brief.authority)),
    )
    space = _SPACES.get(key)
    if space is None:
        if len(_SPACES) >= _CACHE_SIZE:  # bots play a handful of scenarios: a crude bound will do
            _SPACES.clear()
        space = _SPACES[key] = PackageSpace(brief, issues)
    return space


def counterpart_ends(space: PackageSpace, their_offers: Sequence[Ranks]) -> Ranks:
    """The end of each issue the counterpart seems to prefer (a rank: 0 or size - 1).

    Read from their opening offer, which anchors near their own best: the end
    it lies nearer to. Before they have offered, or where their opening sits
    mid-range, assume the opposite of my own preference (a sale's usual tension).
    """
    ends = []
    for k, size in enumerate(space.sizes):
        top, mine = size - 1, space.preferred[k]
        opposite = top - mine
        if not their_offers:
            ends.append(opposite)
            continue
        opening = their_offers[0][k]
        ends.append(top if 2 * opening > top else 0 if 2 * opening < top else opposite)
    return tuple(ends)
