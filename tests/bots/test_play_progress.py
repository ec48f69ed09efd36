"""`bots play` progress: a live table on a terminal, plain lines otherwise."""

from __future__ import annotations

import asyncio
import io

from rich.console import Console

from dealroom.bots.play_progress import PlayProgress
from dealroom.protocol import Ended, Outcome, Started


def _feed(progress: PlayProgress) -> None:
    for room in ("r1", "r2"):
        progress.watcher(room)(Started(seq=3, at=0, by="system", deadline=None), 0.0)
    progress.watcher("r1")(Ended(seq=9, at=0, by="system", outcome=Outcome.AGREED), 0.0)


async def _shown(progress: PlayProgress, out: io.StringIO, text: str) -> str:
    task = asyncio.create_task(progress.show())
    try:
        async with asyncio.timeout(10):
            while text not in out.getvalue():
                await asyncio.sleep(0.02)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return out.getvalue()


async def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    progress = PlayProgress(3, lambda: 17, Console(file=out, force_terminal=False), every=0.05)
    _feed(progress)
    shown = await _shown(progress, out, "\n")
    assert shown.splitlines()[0].startswith(
        "bots play: 2/3 rooms started, 1/3 ended (agreed 1), 17 moves, "
    )


async def test_a_live_table_on_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80)
    progress = PlayProgress(3, lambda: 17, console, every=60)
    _feed(progress)
    shown = await _shown(progress, out, "agreed 1")
    assert "rooms started" in shown and "2/3" in shown and "17" in shown
