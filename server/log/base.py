"""The event log interface: append-only, gapless streams of opaque entries.

A stream is one room's log (or a workshop's). Entries are bytes: encoding is
not the log's business. ``append`` is compare-and-set on the expected next seq
(DESIGN.md principle 2): of two writers that both try to append seq N, exactly
one succeeds and the other gets :class:`SeqConflict`. ``append`` returns only
once the entries are durable for the backend's durability setting.

Every backend passes the same contract suite (``tests/log/test_contract.py``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

__all__ = ["EventLog", "LogError", "LogUnavailable", "SeqConflict"]


class LogError(Exception):
    """Base of the log's exceptions."""


class SeqConflict(LogError):
    """The stream's next seq is not the one the writer expected: someone else appended."""

    def __init__(self, stream: str, expected: int, actual: int) -> None:
        self.stream = stream
        self.expected = expected
        self.actual = actual
        super().__init__(f"{stream}: expected next seq {expected}, the log is at {actual - 1}")


class LogUnavailable(LogError):
    """The backend failed; nothing from the failed call was appended."""


class EventLog(ABC):
    """An append-only store of gapless entry sequences, one per stream."""

    @abstractmethod
    async def append(self, stream: str, expected_seq: int, entries: Sequence[bytes]) -> None:
        """Append ``entries`` as seqs ``expected_seq, expected_seq + 1, ...``, durably.

        Raises:
            SeqConflict: the stream's next seq is not ``expected_seq``; nothing appended.
            LogUnavailable: the backend failed; nothing appended.
        """

    @abstractmethod
    async def read(self, stream: str, after: int = 0) -> list[tuple[int, bytes]]:
        """Entries with seq > ``after``, in order, as (seq, entry) pairs."""

    @abstractmethod
    async def streams(self, prefix: str = "") -> list[str]:
        """Every stream whose name starts with ``prefix``, sorted."""

    @abstractmethod
    async def close(self) -> None:
        """Flush what is pending and release the backend."""
