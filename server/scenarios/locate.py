"""Map a path inside a TOML document (``issues[1].min``) to its line and column.

``tomllib`` keeps no positions, and a trainer needs "line 42", not
``$.issues[1].min``. This reads the source once, tracking table headers,
arrays of tables and keys (dotted keys and inline tables included), and records
the line and column where each path's key (or table header) is written. Lookups
fall back to the longest defined prefix, so a missing key points at the table
that lacks it.
"""

from __future__ import annotations

import re

__all__ = ["Locator", "split_path"]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=(.*)$"""
)
_INLINE_TOKEN = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[{}\[\],=]|[A-Za-z0-9_.+:-]+|\S)""")
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")

Path = tuple[str | int, ...]


def _keys(dotted: str) -> list[str]:
    parts = re.findall(r""""[^"]*"|'[^']*'|[A-Za-z0-9_-]+""", dotted)
    return [p[1:-1] if p[0] in "\"'" else p for p in parts]


def _inline_keys(value: str) -> list[tuple[tuple[str, ...], int]]:
    """The keys of an inline table (nested ones by their full path), each with its offset.

    ``{ price = { weight = 70 }, warranty = { points = { "1 year" = 0 } } }``
    gives ``price``, ``price.weight``, ``warranty``, ``warranty.points`` and
    ``warranty.points."1 year"``. Keys inside arrays are not tracked.
    """
    found: list[tuple[tuple[str, ...], int]] = []
    tokens = [(m.group(1), m.start(1)) for m in _INLINE_TOKEN.finditer(value)]
    stack: list[str | None] = []  # per open { a key (None: the value's own table), per [ None
    arrays = 0
    pending: str | None = None
    for index, (token, offset) in enumerate(tokens):
        following = tokens[index + 1][0] if index + 1 < len(tokens) else ""
        if token == "{":
            stack.append(pending)
        elif token == "[":
            arrays += 1
        elif token == "]":
            arrays -= 1
        elif token == "}":
            if stack:
                stack.pop()
        elif following == "=" and stack and not arrays:
            pending = token[1:-1] if token[0] in "\"'" else token
            outer = tuple(k for k in stack if k is not None)
            found.append(((*outer, pending), offset))
    return found


def split_path(path: str) -> Path:
    """``"issues[1].min"`` -> ``("issues", 1, "min")``."""
    return tuple(int(index) if index else name for name, index in _PATH_PART.findall(path))


class Locator:
    """Where (1-based line and column) each path of one TOML source is defined."""

    def __init__(self, text: str) -> None:
        self.lines: dict[Path, int] = {}
        self.columns: dict[Path, int] = {}
        counts: dict[Path, int] = {}
        table: Path = ()
        in_string: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            header = _HEADER.match(line)
            if header and not line.lstrip().startswith("#"):
                keys = tuple(_keys(header.group(2)))
                if header.group(1) == "[[":
                    index = counts.get(keys, 0)
                    counts[keys] = index + 1
                    table = (*keys, index)
                else:
                    table = self._resolve(keys, counts)
                self._define(table, number, header.start(1) + 1)
                continue
            key = _KEY.match(line)
            if key is None:
                continue
            path = (*table, *_keys(key.group(1)))
            self._define(path, number, key.start(1) + 1)
            value = key.group(2)
            for quote in ('"""', "'''"):
                if value.count(quote) % 2 == 1:
                    in_string = quote
            if value.strip().startswith("{"):
                for inner, offset in _inline_keys(value):
                    self._define((*path, *inner), number, key.start(2) + offset + 1)

    def _define(self, path: Path, number: int, column: int) -> None:
        # [roles.buyer.prefers] (or a dotted key) also defines [roles.buyer] when
        # no header of its own does: a key missing from it then still has a line.
        for end in range(len(path), 0, -1):
            if path[:end] not in self.lines:
                self.lines[path[:end]] = number
                self.columns[path[:end]] = column

    @staticmethod
    def _resolve(keys: tuple[str, ...], counts: dict[Path, int]) -> Path:
        # [issues.extra] inside the latest [[issues]] element refers to that element.
        resolved: list[str | int] = []
        for key in keys:
            resolved.append(key)
            prefix = tuple(k for k in resolved if isinstance(k, str))
            if prefix in counts:
                resolved.append(counts[prefix] - 1)
        return tuple(resolved)

    def line(self, path: Path) -> int | None:
        """The line defining ``path`` or its longest defined prefix; None if nothing matches."""
        return self.position(path)[0]

    def position(self, path: Path) -> tuple[int | None, int | None]:
        """(line, column) of ``path`` or of its longest defined prefix; (None, None) if none."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found, self.columns[path[:end]]
        return None, None
