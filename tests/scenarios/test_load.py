"""Scenario files: the built-ins load, and a trainer's mistakes are reported by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealroom.server.cli import main
from dealroom.server.scenarios import Catalog, builtin_scenarios, load_file, parse, validate_file
from dealroom.server.scenarios.load import ScenarioError

GOOD = """\
id = "tiny"
title = "Tiny"

[rules]
deadline_seconds = 300

[[issues]]
id = "price"
label = "Price"
kind = "money"
min = 100
max = 200
step = 10

[[issues]]
id = "warranty"
label = "Warranty"
kind = "options"
options = ["1 year", "2 years"]

[roles.buyer]
title = "Buyer"
brief = "You buy."
reservation_value = 20
prefers = { price = "down", warranty = "up" }
scoring = { price = { weight = 70 }, warranty = { points = { "1 year" = 0, "2 years" = 30 } } }

[roles.seller]
title = "Seller"
brief = \"\"\"
You sell.
\"\"\"
reservation_value = 20

[roles.seller.prefers]
price = "up"
warranty = "down"

[roles.seller.scoring]
price = { weight = 20 }
warranty = { weight = 80 }
"""


def test_builtins_are_valid_and_integrative() -> None:
    scenarios = builtin_scenarios()
    assert {"equipment-purchase", "software-subscription", "fleet-lease"} <= set(scenarios)
    for scenario in scenarios.values():
        assert len(scenario.issues) >= 4
        assert scenario.max_score("buyer") > scenario.roles["buyer"].reservation_value


def test_a_good_file_parses() -> None:
    scenario, problems = parse(GOOD)
    assert problems == []
    assert scenario is not None and scenario.rules.deadline_seconds == 300
    assert scenario.score("buyer", {"price": 100, "warranty": "2 years"}) == 100


def _lines(text: str) -> list[tuple[int | None, str, str]]:
    _, problems = parse(text)
    return [(p.line, p.severity, p.message) for p in problems]


def test_typo_is_reported_on_its_line_with_a_suggestion() -> None:
    text = GOOD.replace("deadline_seconds = 300", "dealine_seconds = 300")
    assert _lines(text) == [
        (5, "error", "unknown key 'dealine_seconds' in rules; did you mean 'deadline_seconds'?")
    ]


def test_bad_direction_points_at_its_line() -> None:
    text = GOOD.replace('warranty = "down"', 'warranty = "sideways"')
    [(line, severity, message)] = _lines(text)
    assert line == 37 and severity == "error"
    assert "roles.seller.prefers.warranty" in message and "sideways" in message


def test_wrong_type_points_at_its_line() -> None:
    text = GOOD.replace("max = 200", 'max = "200"')
    [(line, _, message)] = _lines(text)
    assert (line, message) == (12, 'issues[0].max must be a whole number, not "200"')


def test_semantic_errors_each_with_a_line() -> None:
    text = (
        GOOD.replace("max = 200", "max = 205")
        .replace('"2 years" = 30', '"3 years" = 30')
        .replace(
            "reservation_value = 20\n\n[roles.seller.prefers]",
            "reservation_value = 500\n\n[roles.seller.prefers]",
        )
    )
    found = _lines(text)
    assert (
        13,
        "error",
        "issue 'price': max - min (105) is not a whole number of steps of 10",
    ) in found
    assert any(line == 26 and "'3 years', not an option" in msg for line, _, msg in found)
    assert any(line == 26 and "nothing for option '2 years'" in msg for line, _, msg in found)
    assert any(line == 33 and "reservation value 500" in msg for line, _, msg in found)


def test_syntax_error_has_a_line() -> None:
    [(line, _, message)] = _lines(GOOD.replace('title = "Tiny"', "title = Tiny"))
    assert line == 2 and "not valid TOML" in message


def test_missing_role_and_direction() -> None:
    text = GOOD.split("[roles.seller]")[0].replace(
        'prefers = { price = "down", warranty = "up" }', 'prefers = { price = "down" }'
    )
    found = _lines(text)
    assert any("[roles.seller] is missing" in m for _, _, m in found)
    assert any(line == 25 and "no direction for issue 'warranty'" in m for line, _, m in found)


def test_load_file_raises_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("step = 10", "step = 0"))
    with pytest.raises(ScenarioError) as error:
        load_file(path)
    assert "bad.toml:13:1: error" in str(error.value)
    assert validate_file(tmp_path / "missing.toml")[0].message.startswith("cannot read")


def test_cli_validate_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(GOOD)
    bad.write_text(GOOD.replace("min = 100", "min = 300"))
    assert main(["scenarios", "validate", str(good)]) == 0
    assert main(["scenarios", "validate", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:12:1: error: issue 'price': max must be greater than min" in out
    assert main(["scenarios", "list"]) == 0
    assert "fleet-lease" in capsys.readouterr().out


def test_catalog_adds_a_folder(tmp_path: Path) -> None:
    (tmp_path / "tiny.toml").write_text(GOOD)
    catalog = Catalog([tmp_path])
    assert catalog.get("tiny") is not None and catalog.get("fleet-lease") is not None


def test_authority_limits_load_and_bad_ones_point_at_their_line() -> None:
    limited = GOOD.replace(
        "[roles.seller]",
        '[roles.buyer.authority]\nprice = 150\nwarranty = "2 years"\n\n[roles.seller]',
    )
    scenario, problems = parse(limited)
    assert problems == [] and scenario is not None
    assert scenario.roles["buyer"].authority == {"price": 150, "warranty": "2 years"}
    assert scenario.brief("buyer").authority == {"price": 150, "warranty": "2 years"}
    assert scenario.beyond_authority("buyer", {"price": 160, "warranty": "2 years"}) == ("price",)
    bad = limited.replace("price = 150", "price = 155").replace(
        'warranty = "2 years"\n\n', 'colour = "red"\n\n'
    )
    found = _lines(bad)
    assert found == [
        (29, "error", "buyer's authority limit: price must move in steps of 10 from 100, not 155"),
        (30, "error", "authority names unknown issue 'colour'"),
    ]


def test_built_in_buyers_sign_up_to_the_limit_their_brief_states() -> None:
    scenarios = builtin_scenarios()
    assert scenarios["equipment-purchase"].roles["buyer"].authority == {"price": 920000}
    assert "920,000" in scenarios["equipment-purchase"].roles["buyer"].brief
    assert scenarios["fleet-lease"].roles["buyer"].authority == {"monthly_rate": 675}
    assert "675" in scenarios["fleet-lease"].roles["buyer"].brief
    for scenario in scenarios.values():
        assert scenario.roles["seller"].authority == {}
