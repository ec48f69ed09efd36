"""The data directory: claimed by one server at a time, checked before it is used.

Two servers on one SQLite store each cache the last seq of every room and
corrupt each other's view (``UNIQUE constraint failed``, moves refused as
``unavailable``). So ``dealroom serve`` takes an exclusive ``flock`` on
``DATA/serve.lock`` for its whole life and writes its pid there, for the
message the next one prints. The kernel drops the lock when the process ends,
however it ends (SIGKILL included), so a stale file never blocks a restart.

Every problem with the dir or its ``events.db`` becomes one :class:`UserError`
line saying what is wrong, where, and what to do.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError
from .keyfiles import SECRET_FILE, TOKEN_FILE
from .log.sqlite_file import StoreDamaged, StoreFile, inspect_store

__all__ = ["DataDir", "claim_data_dir"]

LOCK_FILE = "serve.lock"
STORE_FILE = "events.db"


@dataclass(slots=True)
class DataDir:
    """A data dir this process holds the lock of, and what its store holds."""

    path: Path
    store: StoreFile
    _lock_fd: int
    warnings: list[str]
    """Worth a log line once the start has succeeded (a refused start prints one line only)."""

    def release(self) -> None:
        """Give the dir up (the kernel does it too when the process ends)."""
        if self._lock_fd >= 0:
            os.close(self._lock_fd)  # closing the last descriptor releases the flock
            self._lock_fd = -1


def _prepare(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise UserError(
            f"the data dir {path} is a file, not a directory; point --data at a directory "
            "(it is created if missing)"
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"cannot create the data dir {path}: {exc.strerror}; create it yourself or choose "
            "another with --data"
        ) from None
    # access() reports a read-only mount (EROFS) even to root.
    if not os.access(path, os.W_OK | os.X_OK):
        raise UserError(
            f"the data dir {path} is not writable by this user; make it writable or choose "
            "another with --data"
        )


def _lock(path: Path) -> int:
    lock_path = path / LOCK_FILE
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise UserError(
            f"cannot open {lock_path}: {exc.strerror}; make the data dir writable or choose "
            "another with --data"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise UserError(
            f"the data dir {path} is in use by another dealroom server (pid {holder}); stop "
            "that one first, or give this one another --data dir"
        ) from None
    except OSError as exc:
        os.close(fd)
        raise UserError(f"cannot lock {lock_path}: {exc.strerror}") from None
    # Only the holder writes: whoever reads a pid here while the lock is held reads ours.
    # The pid is for the message only; a full disk must not stop the start here.
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _check_store(path: Path, warnings: list[str]) -> StoreFile:
    store_path = path / STORE_FILE
    try:
        store = inspect_store(store_path)
    except StoreDamaged as exc:
        raise UserError(
            f"{store_path} {exc}: the rooms' log is damaged; restore the data dir from a backup, "
            f"or move {STORE_FILE} aside to start with no rooms"
        ) from None
    if store.state == "database" and not os.access(store_path, os.R_OK | os.W_OK):
        raise UserError(f"{store_path} is not writable by this user; fix its permissions")
    used = [name for name in (SECRET_FILE, TOKEN_FILE) if (path / name).exists()]
    if store.state == "empty" and used:
        # SQLite leaves a 0-byte file only before its first write; a dir that
        # already has keys was used, so its log was truncated: 0 rooms would be a lie.
        raise UserError(
            f"{store_path} is empty (0 bytes) though this data dir was used before (it holds "
            f"{used[0]}): its rooms are gone from it; restore it from a backup, or delete it "
            "to start with no rooms"
        )
    if store.state == "missing" and used:
        warnings.append(f"{store_path} does not exist: starting with no rooms")
    return store


def claim_data_dir(path: Path) -> DataDir:
    """Create ``path`` if needed, lock it for this process, and check its store.

    Raises :class:`UserError` (one line) if the dir cannot be used; it is left
    unlocked then.
    """
    _prepare(path)
    fd = _lock(path)
    warnings: list[str] = []
    try:
        store = _check_store(path, warnings)
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        raise
    return DataDir(path, store, fd, warnings)
