"""The seat-token secret and the facilitator token, as files in the data dir.

Whoever knows the secret can mint a token for any seat, so a secret that is
empty or short is as bad as none: it is refused at start, never used. Both
files are written atomically (a temporary file in the same dir, fsynced, then
linked into place, then the dir fsynced), so a start that fails half-way (a
full disk, a kill) leaves either no file or a whole one, never the 0-byte file
a later start would otherwise accept.

``--store memory`` keeps nothing: its secret lives in memory for one run.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError

__all__ = [
    "MIN_SECRET_BYTES",
    "MIN_TOKEN_CHARS",
    "Keys",
    "load_keys",
    "memory_keys",
    "write_private_file",
]

MIN_SECRET_BYTES = 32
"""The HMAC key of seat tokens must be at least this long (a generated one is 64)."""
MIN_TOKEN_CHARS = 16
"""A facilitator token kept in the data dir must be at least this long (a generated one is 32)."""

SECRET_FILE = "secret"
TOKEN_FILE = "facilitator_token"


@dataclass(frozen=True, slots=True)
class Keys:
    """What signs seat tokens and what opens the facilitator API, for one run."""

    secret: bytes
    facilitator_token: str
    secret_created: bool = False
    """A new secret was written just now: links signed by an earlier one no longer open."""
    token_created: bool = False
    """The facilitator token was generated just now (the banner shows it once)."""
    kept_token: str | None = None
    """The token kept in the data dir, whether or not it is the one in force."""
    in_memory: bool = False
    """Nothing was written: the secret and the links signed with it die with the process."""
    shared: bool = False
    """Kept in the store the nodes share (``serve --redis``), not in the data dir."""


def write_private_file(path: Path, data: bytes) -> bool:
    """Create ``path`` (mode 0600) holding ``data`` whole, or leave it absent.

    Returns False, writing nothing, when the file appeared meanwhile (another
    process won: read that one instead of replacing it).
    """
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temp, path)  # unlike rename, never replaces a file that is already there
        except FileExistsError:
            return False
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)
    _fsync_dir(path.parent)
    return True


def _fsync_dir(path: Path) -> None:
    # The new name is durable only once its directory is: without this a power
    # loss can lose the file after a start that handed out links signed with it.
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise UserError(f"{path} is a directory, not a file; move it aside") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}; check its permissions") from None


def _create(path: Path, value: bytes) -> bytes:
    """Write ``value`` to ``path``, or return what another process wrote there first."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if write_private_file(path, value):
            return value
    except OSError as exc:
        raise UserError(
            f"cannot write {path}: {exc.strerror}; free space or fix permissions in "
            f"{path.parent} and start again (no partial file is left)"
        ) from None
    again = _read(path)
    assert again is not None  # it existed a moment ago, and files here are never deleted
    return again


def _checked_secret(path: Path, secret: bytes) -> bytes:
    if len(secret) < MIN_SECRET_BYTES:
        raise UserError(
            f"{path} holds {len(secret)} byte(s), fewer than the {MIN_SECRET_BYTES} a seat-token "
            "secret needs (with it anyone could forge seat links); delete it to have a new one "
            "generated, which makes every seat link handed out before stop working"
        )
    return secret


def _checked_token(path: Path, token: bytes) -> str:
    text = token.decode("utf-8", "replace")
    if len(text) < MIN_TOKEN_CHARS:
        raise UserError(
            f"{path} holds a facilitator token of {len(text)} character(s), fewer than "
            f"{MIN_TOKEN_CHARS} (with it anyone could guess their way into the console); delete "
            "it to have a new one generated, or pass --facilitator-token"
        )
    return text


def load_keys(data_dir: Path, facilitator_token: str | None) -> Keys:
    """Read the data dir's secret and token, creating what is missing; refuse short ones.

    ``facilitator_token`` (the flag or the environment) is in force when given;
    the kept one is still read so that the banner can say which one applies.
    """
    secret_path = data_dir / SECRET_FILE
    kept_secret = _read(secret_path)
    if kept_secret is None:
        secret = _checked_secret(secret_path, _create(secret_path, secrets.token_hex(32).encode()))
    else:
        secret = _checked_secret(secret_path, kept_secret)
    token_path = data_dir / TOKEN_FILE
    kept = _read(token_path)
    if facilitator_token:
        kept_token = None if kept is None else kept.decode("utf-8", "replace")
        return Keys(secret, facilitator_token, kept_secret is None, kept_token=kept_token)
    token_created = kept is None
    if kept is None:
        kept = _create(token_path, secrets.token_urlsafe(24).encode())
    token = _checked_token(token_path, kept)
    return Keys(secret, token, kept_secret is None, token_created, kept_token=token)


def memory_keys(data_dir: Path, facilitator_token: str | None) -> Keys:
    """Keys for ``--store memory``: a fresh secret; the data dir is not created or written.

    Without ``facilitator_token``, a token already kept in the data dir is used
    (so client commands that read it still work); else one is generated.
    """
    secret = secrets.token_hex(32).encode()
    kept = None
    with contextlib.suppress(UserError):
        kept = _read(data_dir / TOKEN_FILE)
    kept_token = kept.decode("utf-8", "replace") if kept else None
    if kept_token is not None and len(kept_token) < MIN_TOKEN_CHARS:
        kept_token = None  # never in force: a short one would be guessable
    if facilitator_token:
        return Keys(secret, facilitator_token, kept_token=kept_token, in_memory=True)
    if kept_token is not None:
        return Keys(secret, kept_token, kept_token=kept_token, in_memory=True)
    return Keys(secret, secrets.token_urlsafe(24), token_created=True, in_memory=True)
