"""What ``dealroom bots play`` shows while its rooms play.

At human pace a room takes minutes, so the command says how far it is: a live
table on a terminal, and a plain line every few seconds otherwise (a log file
or CI keeps a readable trace instead of a redrawn screen). Progress goes to
stderr; stdout keeps only the outcomes.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable

from rich.console import Console
from rich.live import Live
from rich.table import Table

from dealroom.protocol import Ended, Event, Started

__all__ = ["PlayProgress"]


class PlayProgress:
    """Rooms started and ended, and moves so far, of one ``bots play`` run."""

    def __init__(
        self, rooms: int, moves: Callable[[], int], console: Console, every: float = 5.0
    ) -> None:
        """
        Args:
            rooms: how many rooms are playing.
            moves: how many moves the bots have made so far.
            console: where to show progress (a terminal gets a live table).
            every: seconds between plain lines when ``console`` is not a terminal.
        """
        self.rooms = rooms
        self.moves = moves
        self.console = console
        self.every = every
        self.started: set[str] = set()
        self.outcomes: dict[str, str] = {}
        self._since = time.monotonic()

    def watcher(self, room: str) -> Callable[[Event, float], None]:
        """An ``on_event`` hook for a client in ``room`` that counts its start and end."""

        def on_event(event: Event, at: float) -> None:
            if isinstance(event, Started):
                self.started.add(room)
            elif isinstance(event, Ended):
                self.outcomes[room] = event.outcome.value

        return on_event

    def line(self) -> str:
        """The state in one plain line."""
        elapsed = time.monotonic() - self._since
        tally = Counter(self.outcomes.values())
        outcomes = f" ({', '.join(f'{k} {v}' for k, v in sorted(tally.items()))})" if tally else ""
        return (
            f"bots play: {len(self.started)}/{self.rooms} rooms started, "
            f"{len(self.outcomes)}/{self.rooms} ended{outcomes}, "
            f"{self.moves()} moves, {elapsed:.0f} s"
        )

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_row("rooms started", f"{len(self.started)}/{self.rooms}")
        ended = Counter(self.outcomes.values())
        detail = "  ".join(f"{k} {v}" for k, v in sorted(ended.items()))
        table.add_row("rooms ended", f"{len(self.outcomes)}/{self.rooms}  {detail}".rstrip())
        table.add_row("moves", str(self.moves()))
        table.add_row("elapsed", f"{time.monotonic() - self._since:.0f} s")
        return table

    async def show(self) -> None:
        """Show progress until cancelled (run it as a task beside the bots)."""
        if self.console.is_terminal:
            with Live(self._table(), console=self.console, refresh_per_second=4) as live:
                try:
                    while True:
                        await asyncio.sleep(0.25)
                        live.update(self._table())
                finally:
                    live.update(self._table())  # leave the final counts on screen
        while True:
            await asyncio.sleep(self.every)
            self.console.print(self.line(), highlight=False, soft_wrap=True)
