"""Scenario folders: a bad file, a missing folder or a clashing id is one line, no traceback."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from dealroom.server.scenarios import Catalog, CatalogError

from .test_load import GOOD

BAD = GOOD.replace("max = 200", 'max = "200"').replace('id = "tiny"', 'id = "Tiny"')


def _dealroom(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dealroom.server.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,  # a server that starts when it should refuse fails here, not forever
    )


def _serve(tmp_path: Path, *args: str, store: str = "memory") -> subprocess.CompletedProcess[str]:
    data = str(tmp_path / "data")
    return _dealroom("serve", "--store", store, "--data", data, "--port", "0", *args)


def test_serve_refuses_a_folder_with_a_bad_file_naming_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "good.toml").write_text(GOOD.replace('id = "tiny"', 'id = "good"'))
    (folder / "broken.toml").write_text(BAD)
    run = _serve(tmp_path, "--scenarios", str(folder))
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and "dealroom serving" not in run.stdout
    [line] = [x for x in run.stderr.splitlines() if x.startswith("dealroom: error:")]
    assert line.startswith(
        f'dealroom: error: {folder / "broken.toml"}:1:1: id "Tiny" is not allowed'
    )
    assert line.endswith(
        f"(and 1 more); run `dealroom scenarios validate {folder / 'broken.toml'}`"
    )


def test_a_refused_scenario_folder_leaves_no_data_dir_behind(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "broken.toml").write_text(BAD)
    run = _serve(tmp_path, "--scenarios", str(folder), store="sqlite")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert not (tmp_path / "data").exists()  # no secret, no token, no lock for a refused start


@pytest.mark.parametrize("kind", ["missing", "a file"])
def test_serve_refuses_a_scenario_folder_that_is_not_one(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "scenarios"
    if kind == "a file":
        folder.write_text(GOOD)
    run = _serve(tmp_path, "--scenarios", str(folder))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    expected = "does not exist" if kind == "missing" else "is a file"
    assert f"dealroom: error: scenario folder {folder} {expected}" in run.stderr


def test_list_shows_the_good_scenarios_and_the_bad_files_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(GOOD)
    (tmp_path / "broken.toml").write_text(BAD)
    run = _dealroom("scenarios", "list", "--scenarios", str(tmp_path))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "tiny" in run.stdout and "fleet-lease" in run.stdout
    assert run.stderr.splitlines() == [
        f'dealroom: error: {tmp_path / "broken.toml"}:1:1: id "Tiny" is not allowed: an id may '
        "contain only lower-case letters, digits, '-' and '_', start with a letter or digit, and "
        "be at most 48 characters long (and 1 more); run `dealroom scenarios validate "
        f"{tmp_path / 'broken.toml'}`"
    ]
    missing = _dealroom("scenarios", "list", "--scenarios", str(tmp_path / "nope"))
    assert missing.returncode == 1 and "fleet-lease" in missing.stdout
    assert missing.stderr == (
        f"dealroom: error: scenario folder {tmp_path / 'nope'} does not exist; "
        "check the --scenarios path\n"
    )


def test_overriding_a_built_in_is_said_and_kept(tmp_path: Path) -> None:
    (tmp_path / "lease.toml").write_text(GOOD.replace('id = "tiny"', 'id = "fleet-lease"'))
    run = _dealroom("scenarios", "list", "--scenarios", str(tmp_path))
    assert run.returncode == 0
    assert "fleet-lease                  Tiny" in run.stdout
    assert run.stderr == (
        f"dealroom: warning: {tmp_path / 'lease.toml'}: scenario 'fleet-lease' replaces the "
        "built-in fleet-lease.toml\n"
    )


def test_two_custom_files_with_one_id_are_an_error_naming_both(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "tiny.toml").write_text(GOOD)
    (second / "copy.toml").write_text(GOOD)
    with pytest.raises(CatalogError) as error:
        Catalog([first, second])
    assert str(error.value) == (
        f"{second / 'copy.toml'}:1:1: scenario id 'tiny' is already used by {first / 'tiny.toml'}; "
        "give one of them another id"
    )
    # The same folder twice is not a clash.
    assert Catalog([first, first]).get("tiny") is not None


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text(BAD)
    (tmp_path / "unreadable.toml").write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(CatalogError) as error:
        Catalog([tmp_path, tmp_path / "nope"])
    lines = str(error.value).splitlines()
    assert lines[0] == "3 problems with the scenario folders:"
    assert lines[1].startswith(f"  scenario folder {tmp_path / 'nope'} does not exist")
    assert lines[2].startswith(f"  {tmp_path / 'broken.toml'}:1:1: ")
    assert lines[3].startswith(f"  {tmp_path / 'unreadable.toml'}: cannot read the file")
    lenient = Catalog([tmp_path], strict=False)
    assert len(lenient.problems) == 2 and lenient.get("fleet-lease") is not None


def test_an_empty_folder_is_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="dealroom.server.scenarios"):
        Catalog([tmp_path])
    assert caplog.messages == [f"scenario folder {tmp_path} has no .toml files"]


def test_validate_checks_every_file_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(GOOD)
    (tmp_path / "broken.toml").write_text(BAD)
    (tmp_path / "empty").mkdir()
    run = _dealroom("scenarios", "validate", str(tmp_path), str(tmp_path / "empty"))
    assert run.returncode == 1 and run.stderr == ""
    assert f"{tmp_path / 'broken.toml'}: invalid (2 error(s), 0 warning(s))" in run.stdout
    assert f"{tmp_path / 'good.toml'}: valid (0 error(s), 0 warning(s))" in run.stdout
    assert f"{tmp_path / 'empty'}: error: no .toml files in this folder" in run.stdout
