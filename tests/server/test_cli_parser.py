"""The ``dealroom`` command's help: every subcommand listed, every option's default shown."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from importlib.metadata import version

import pytest

from dealroom.server.cli import build_parser


def _parsers(
    parser: argparse.ArgumentParser, path: str = "dealroom"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{path} {name}")


def test_every_option_of_every_command_shows_its_default() -> None:
    missing = []
    for path, parser in _parsers(build_parser()):
        formatter = parser._get_formatter()
        for action in parser._actions:
            if not action.option_strings or isinstance(
                action, argparse._HelpAction | argparse._VersionAction
            ):
                continue
            text = formatter._expand_help(action)
            if "(default" not in text:
                missing.append(f"{path} {action.option_strings[0]}: {text!r}")
    assert missing == []


def test_the_top_level_help_lists_every_command_with_its_line() -> None:
    parser = build_parser()
    text = parser.format_help()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    names = {c.dest: c.help for c in commands._choices_actions}
    assert set(names) == {"serve", "scenarios", "loadtest", "bots", "export", "protocol"}
    flat = " ".join(text.split())
    for name, line in names.items():
        assert line and f"{name} {line}" in flat


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"dealroom {version('dealroom')}"


def test_client_commands_take_the_data_dir_of_serve() -> None:
    parser = build_parser()
    serve = parser.parse_args(["serve"])
    for command in (["loadtest"], ["export", "w1"], ["bots", "play"], ["bots", "practice"]):
        assert parser.parse_args(command).data == serve.data == "dealroom-data"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["serve", "--port", "70000"], "argument --port: 70000 is not a port (0 to 65535)"),
        (["serve", "--port", "http"], "argument --port: 'http' is not a port (0 to 65535)"),
        (["serve", "--rate-limit", "-1"], "argument --rate-limit: -1 is below 0"),
        (["loadtest", "--rooms", "-3"], "argument --rooms: -3 is below 1"),
        (["loadtest", "--workers", "0"], "argument --workers: 0 is below 1"),
        (["loadtest", "--think", "-0.5"], "argument --think: -0.5 is below 0"),
        (["bots", "play", "--rooms", "0"], "argument --rooms: 0 is below 1"),
        (["bots", "play", "--pace", "fast"], "argument --pace: 'fast' is not a number"),
    ],
)
def test_a_number_out_of_its_range_is_one_argparse_error_not_a_traceback(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Found by hand: `serve --port 70000` ended in OverflowError's traceback from
    # bind(), and `loadtest --rooms -3` "completed" 0 of 0 rooms with exit 0.
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(argv)
    assert exited.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.endswith(f"error: {says}"), last
