"""Argument types of the ``dealroom`` command: a number outside its range is a usage error.

argparse turns an :class:`argparse.ArgumentTypeError` into one ``error:`` line
under the usage, before anything runs. Without these, ``--port 70000`` reached
``bind()`` and ended in a traceback, and ``loadtest --rooms -3`` reported 0 of
0 rooms completed with exit status 0.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ["number", "port", "whole"]


def port(text: str) -> int:
    """A TCP port: 0 (any free one) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0 to 65535)") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0 to 65535)")
    return value


def whole(least: int) -> Callable[[str], int]:
    """A whole number of at least ``least`` (a count of rooms, workers...)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"{value} is below {least}")
        return value

    return parse


def number(least: float) -> Callable[[str], float]:
    """A number of at least ``least`` (seconds, a rate, a pace); NaN is refused too."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value >= least:  # NaN compares false to everything
            raise argparse.ArgumentTypeError(f"{text} is below {least:g}")
        return value

    return parse
