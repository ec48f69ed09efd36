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
