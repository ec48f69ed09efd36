"""Check a parsed scenario file against the shape of :class:`~dealroom.protocol.Scenario`.

msgspec stops at the first mistake, so a trainer with three mistakes would see
one, fix it, and meet the next. This walks the parsed TOML tree against the
type information msgspec derives from the protocol classes (so the shape is
declared once, in ``protocol/scenario.py``) and collects every mistake: wrong
types, values outside their choices or bounds, missing and unknown keys.

Messages speak a trainer's language: "a whole number", "one of: free,
alternating", what an id may contain in words. A constraint is never shown as
a regular expression: a pattern without words in :data:`PATTERN_WORDS` is
reported as "is not in the expected format" (and a test fails so the words get
written).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterator
from typing import Any

import msgspec
import msgspec.inspect as mi

__all__ = ["PATTERN_WORDS", "Mistake", "Path", "describe", "mistakes", "show_path"]

Path = tuple[str | int, ...]
Mistake = tuple[Path, str]

PATTERN_WORDS: dict[str, str] = {
    r"^[a-z0-9][a-z0-9_-]{0,47}$": (
        "an id may contain only lower-case letters, digits, '-' and '_', start with a "
        "letter or digit, and be at most 48 characters long"
    ),
    r"^[a-z]{2,3}$": (
        "a language is its two- or three-letter ISO 639 code in lower case, such as "
        "'nl', 'id', 'ms' or 'es'"
    ),
}
"""Each pattern the scenario types use, said in words."""


def show_path(path: Path) -> str:
    """``("issues", 1, "min")`` -> ``issues[1].min``; the empty path is the file's top level."""
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return text or "the top level"


def describe(info: mi.Type) -> str:
    """What a value of this type looks like, in words."""
    match info:
        case mi.IntType():
            return "a whole number"
        case mi.FloatType():
            return "a number"
        case mi.StrType():
            return "text in quotes"
        case mi.BoolType():
            return "true or false"
        case mi.StructType() | mi.DictType():
            return "a table"
        case mi.ListType() | mi.VarTupleType() | mi.TupleType() | mi.SetType():
            return "a list"
        case mi.LiteralType():
            return "one of: " + ", ".join(str(v) for v in info.values)
        case mi.UnionType():
            return " or ".join(describe(t) for t in info.types if not isinstance(t, mi.NoneType))
    return "something else"  # a type the scenario format does not use


def _shown(value: object) -> str:
    """How a trainer wrote ``value``, briefly."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else f'"{value[:37]}..."'
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"  # dates and times


def _fits(info: mi.Type, value: object) -> bool:
    """Whether ``value`` is of the right kind for ``info``, ignoring its contents and bounds."""
    match info:
        case mi.IntType():
            return isinstance(value, int) and not isinstance(value, bool)
        case mi.FloatType():
            return isinstance(value, int | float) and not isinstance(value, bool)
        case mi.StrType() | mi.LiteralType():
            return isinstance(value, str)
        case mi.BoolType():
            return isinstance(value, bool)
        case mi.StructType() | mi.DictType():
            return isinstance(value, dict)
        case mi.ListType() | mi.VarTupleType() | mi.TupleType() | mi.SetType():
            return isinstance(value, list)
        case mi.NoneType():
            return value is None
    return False


def mistakes(value: object, struct: type[msgspec.Struct]) -> list[Mistake]:
    """Every way ``value`` (parsed TOML) departs from ``struct``'s shape, in document order."""
    return list(_walk(value, _type_info(struct), ()))


@functools.cache
def _type_info(struct: type[msgspec.Struct]) -> mi.Type:
    return mi.type_info(struct)  # walks every nested type: worth doing once


def _walk(value: object, info: mi.Type, path: Path) -> Iterator[Mistake]:
    if isinstance(info, mi.UnionType):
        # TOML has no null, so `int | None` means "a whole number, or leave it out".
        members = [t for t in info.types if not isinstance(t, mi.NoneType)]
        fitting = [t for t in members if _fits(t, value)]
        if not fitting:
            yield path, f"{show_path(path)} must be {describe(info)}, not {_shown(value)}"
        elif len(fitting) == 1:
            yield from _walk(value, fitting[0], path)
        return
    if not _fits(info, value):
        yield path, f"{show_path(path)} must be {describe(info)}, not {_shown(value)}"
        return
    match info:
        case mi.StructType():
            assert isinstance(value, dict)
            yield from _walk_table(value, info, path)
        case mi.DictType():
            assert isinstance(value, dict)
            for key, item in value.items():
                if isinstance(info.key_type, mi.LiteralType) and key not in info.key_type.values:
                    yield (*path, key), _unknown(key, [str(v) for v in info.key_type.values], path)
                    continue
                yield from _walk(item, info.value_type, (*path, key))
        case mi.ListType() | mi.VarTupleType():
            assert isinstance(value, list)
            for index, item in enumerate(value):
                yield from _walk(item, info.item_type, (*path, index))
        case mi.LiteralType():
            if value not in info.values:
                choices = [str(v) for v in info.values]
                near = difflib.get_close_matches(str(value), choices, n=1)
                hint = f"; did you mean '{near[0]}'?" if near else ""
                yield (
                    path,
                    f"{show_path(path)} must be {describe(info)} (not {_shown(value)}){hint}",
                )
        case mi.StrType():
            yield from _text_bounds(value, info, path)
        case mi.IntType() | mi.FloatType():
            yield from _number_bounds(value, info, path)


def _walk_table(value: dict[str, Any], info: mi.StructType, path: Path) -> Iterator[Mistake]:
    fields = {f.encode_name: f for f in info.fields}
    for key, item in value.items():
        field = fields.get(key)
        if field is None:
            yield (*path, key), _unknown(key, sorted(fields), path)
        else:
            yield from _walk(item, field.type, (*path, key))
    for name, field in fields.items():
        if field.required and name not in value:
            where = f"[{show_path(path)}]" if path else "the file"
            yield path, f"{where} needs {_wanted(name, field.type, path)}"


def _wanted(name: str, info: mi.Type, path: Path) -> str:
    """A missing key as a trainer writes it (``[[issues]]`` blocks, ``[roles.buyer]``)."""
    dotted = ".".join(str(p) for p in (*path, name) if isinstance(p, str))
    if isinstance(info, mi.VarTupleType | mi.ListType) and isinstance(
        info.item_type, mi.StructType
    ):
        return f"at least one [[{dotted}]] block"
    if (
        isinstance(info, mi.DictType)
        and isinstance(info.key_type, mi.LiteralType)
        and isinstance(info.value_type, mi.StructType)
    ):
        return " and ".join(f"[{dotted}.{key}]" for key in info.key_type.values)
    return f"'{name}' ({describe(info)})"


def _unknown(key: str, allowed: list[str], path: Path) -> str:
    """An unknown key is almost always a typo that would otherwise be silently ignored."""
    near = difflib.get_close_matches(key, allowed, n=1)
    hint = f"; did you mean '{near[0]}'?" if near else ""
    return f"unknown key '{key}' in {show_path(path)}{hint}"


def _text_bounds(value: Any, info: mi.StrType, path: Path) -> Iterator[Mistake]:
    name = show_path(path)
    # re.search is the rule msgspec applies to a pattern too.
    if info.pattern is not None and not re.search(info.pattern, value):
        words = PATTERN_WORDS.get(info.pattern, "is not in the expected format")
        yield path, f"{name} {_shown(value)} is not allowed: {words}"
    if info.min_length is not None and len(value) < info.min_length:
        yield path, f"{name} must be at least {info.min_length} characters long"
    if info.max_length is not None and len(value) > info.max_length:
        yield path, f"{name} must be at most {info.max_length} characters long"


def _number_bounds(value: Any, info: mi.IntType | mi.FloatType, path: Path) -> Iterator[Mistake]:
    name = show_path(path)
    if info.ge is not None and value < info.ge:
        yield path, f"{name} must be at least {info.ge}, not {_shown(value)}"
    if info.gt is not None and value <= info.gt:
        yield path, f"{name} must be more than {info.gt}, not {_shown(value)}"
    if info.le is not None and value > info.le:
        yield path, f"{name} must be at most {info.le}, not {_shown(value)}"
    if info.lt is not None and value >= info.lt:
        yield path, f"{name} must be less than {info.lt}, not {_shown(value)}"
