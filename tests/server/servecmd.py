"""The real ``dealroom serve`` in a subprocess: refused starts and short-lived servers.

A refusal must end in a second or two with a non-zero exit, exactly one
non-blank line on stderr and no traceback; :func:`refused` asserts all three.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

from tests.serverproc import _free_port

__all__ = ["Served", "free_port", "refused", "serve_argv"]

free_port = _free_port


def serve_argv(*args: str) -> list[str]:
    """The command line of ``dealroom serve ARGS``."""
    return [sys.executable, "-m", "dealroom.server.cli", "serve", *args]


def refused(
    *args: str,
    env: Mapping[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
    cwd: Path | None = None,
) -> str:
    """Run ``dealroom serve ARGS``, assert it refuses in one line; that line."""
    done = subprocess.run(
        serve_argv(*args),
        capture_output=True,
        text=True,
        timeout=30,  # a server that does not refuse runs until killed here
        env={**os.environ, **(env or {})},
        preexec_fn=preexec_fn,
        cwd=cwd,
    )
    assert done.returncode != 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("dealroom: error: "), lines[0]
    return lines[0]


class Served:
    """``dealroom serve`` running until :meth:`stop`; its output is kept in files."""

    def __init__(
        self,
        workdir: Path,
        *args: str,
        env: Mapping[str, str] | None = None,
        preexec_fn: Callable[[], None] | None = None,
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        self._out = workdir / f"serve-{self.port}.out"
        self._err = workdir / f"serve-{self.port}.err"
        with self._out.open("wb") as out, self._err.open("wb") as err:
            self.proc = subprocess.Popen(
                serve_argv("--port", str(self.port), *args),
                stdout=out,
                stderr=err,
                env={**os.environ, **(env or {})},
                preexec_fn=preexec_fn,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited {self.proc.returncode}: {self.output}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"serve did not answer /healthz: {self.output}")

    @property
    def output(self) -> str:
        """Stdout (the banner) then stderr (the log) so far."""
        return self._out.read_text() + self._err.read_text()

    def stop(self) -> int:
        """SIGTERM, wait; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(15)

    def kill(self) -> None:
        """SIGKILL: no clean-up, the kernel releases what the process held."""
        self.proc.kill()
        self.proc.wait(15)
