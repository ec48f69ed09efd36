"""The validator never crashes on a mangled scenario, and every mistake it reports has a line."""

from __future__ import annotations

import random
from importlib import resources

import pytest

from dealroom.server.scenarios import parse

from .test_load import GOOD

VALUES = [
    '"x"', "5", "-3", "1.5", "true", "[]", '[1, "a"]', "{}", '{ weight = "a" }',
    "{ points = { a = 1 } }", "1979-05-27", '"Up"', '"down"', "0", "{ foo = 1 }",
]  # fmt: skip


def _builtins() -> list[str]:
    folder = resources.files("dealroom.server.scenarios").joinpath("builtin")
    return [e.read_text(encoding="utf-8") for e in folder.iterdir() if e.name.endswith(".toml")]


def _mangle(rng: random.Random, text: str) -> str:
    lines = text.splitlines()
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        op = rng.random()
        if op < 0.5 and "=" in lines[i] and not lines[i].lstrip().startswith("#"):
            lines[i] = lines[i].split("=")[0] + "= " + rng.choice(VALUES)  # a wrong value
        elif op < 0.7:
            del lines[i]  # a missing key or header
        elif op < 0.85 and "=" in lines[i]:
            lines[i] = "zz" + lines[i].lstrip()  # an unknown key
        else:
            lines.insert(i, lines[rng.randrange(len(lines))])  # a duplicate
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(4))
def test_mangled_builtins_give_problems_with_lines_never_a_crash(seed: int) -> None:
    rng = random.Random(seed)
    texts = _builtins()
    for _ in range(150):
        text = _mangle(rng, rng.choice(texts))
        scenario, problems = parse(text)
        assert (scenario is None) == any(p.severity == "error" for p in problems)
        for problem in problems:
            assert problem.line is not None or "the file needs" in problem.message, (problem, text)
            assert "Expected `" not in problem.message and "regex" not in problem.message


def test_an_options_issue_without_options_is_reported_not_a_crash() -> None:
    text = GOOD.replace('options = ["1 year", "2 years"]', "options = []")
    messages = [p.message for p in parse(text)[1]]
    assert "issue 'warranty' needs at least two options" in messages


def test_a_limit_on_an_issue_without_max_is_not_judged_until_the_issue_is_right() -> None:
    text = GOOD.replace("max = 200\n", "").replace(
        "[roles.seller]", "[roles.buyer.authority]\nprice = 150\n\n[roles.seller]"
    )
    assert [(p.line, p.message) for p in parse(text)[1]] == [
        (7, "money issue 'price' needs both min and max")
    ]


def test_a_role_defined_only_by_its_sub_tables_still_has_a_line() -> None:
    start, end = GOOD.index("[roles.seller]\n"), GOOD.index("[roles.seller.prefers]")
    text = GOOD[:start] + GOOD[end:]
    line = text.splitlines().index("[roles.seller.prefers]") + 1
    found = [(p.line, p.message) for p in parse(text)[1]]
    assert found == [
        (line, "[roles.seller] needs 'title' (text in quotes)"),
        (line, "[roles.seller] needs 'brief' (text in quotes)"),
        (line, "[roles.seller] needs 'reservation_value' (a number)"),
    ]
