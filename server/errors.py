"""Mistakes a user can fix, as opposed to bugs.

A :class:`UserError` carries one line that says what went wrong, where, and
what to do about it. The ``dealroom`` command prints that line (and no
traceback) and exits non-zero; anything else that escapes is a bug and keeps
its traceback.
"""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(Exception):
    """A problem with the user's input, files or environment; ``str()`` is the one line."""

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
