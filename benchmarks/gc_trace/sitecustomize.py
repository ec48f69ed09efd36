"""Time every garbage collection of every Python process started with this folder on
``PYTHONPATH``, into ``$DEALROOM_GC_TRACE_DIR/gc.<pid>``: one line per collection,
``<epoch end> <generation> <milliseconds>``, and with ``DEALROOM_GC_TRACE_OBJECTS=1``
a fourth column for middle and full collections: how many objects the collected
generation held when it began (counting them lengthens that collection).

    DEALROOM_GC_TRACE_DIR=/tmp/gc PYTHONPATH=benchmarks/gc_trace \\
        python benchmarks/run.py --only open5000 --out /tmp/gc.jsonl

``benchmarks/run.py`` then adds the server's collections inside the play window
to each record (``gc_in_window``): which collections paused the
server while its moves were timed, and for how long.
"""

from __future__ import annotations

import gc
import os
import time
from typing import Any

_folder = os.environ.get("DEALROOM_GC_TRACE_DIR")
if _folder:
    _trace = open(os.path.join(_folder, f"gc.{os.getpid()}"), "w", buffering=1)  # noqa: SIM115
    _count = os.environ.get("DEALROOM_GC_TRACE_OBJECTS") == "1"
    _began = [0.0]
    _held = [""]

    def _timed(phase: str, info: dict[str, Any]) -> None:
        generation = info["generation"]
        if phase == "start":
            if _count and generation >= 1:
                _held[0] = f" {len(gc.get_objects(generation=generation))}"
            _began[0] = time.perf_counter()
            return
        ms = (time.perf_counter() - _began[0]) * 1000
        _trace.write(f"{time.time():.3f} {generation} {ms:.2f}{_held[0]}\n")
        _held[0] = ""

    gc.callbacks.append(_timed)
