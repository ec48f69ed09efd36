"""Mistakes a user can fix, as opposed to bugs.

A :class:`UserError` carries one line that says what went wrong, where, and
what to do about it. The ``dealroom`` command prints that line (and no
traceback) and exits non-zero; anything else that escapes is a bug and keeps
its traceback.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

__all__ = ["UserError"]


class UserError(Exception):
    """A problem with the user's input, files or environment; ``str()`` is the one line."""

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def unreachable_redis(url: str, exc: Exception) -> UserError:
    """The one line for a Redis that ``serve --redis`` cannot use (its password masked)."""
    parts = urlsplit(url)
    if parts.password is not None:
        host = parts.netloc.rpartition("@")[2]
        user = f"{parts.username}:" if parts.username else ":"
        url = urlunsplit(parts._replace(netloc=f"{user}***@{host}"))
    return UserError(
        f"cannot use the event log in Redis at {url} ({exc}); check that Redis is running "
        "and reachable"
    )
