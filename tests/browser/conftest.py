"""A real headless Chromium (Debian's, driven by Playwright) for browser tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

# The flags keep Chromium off the network it would otherwise probe at start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The system Chromium; scripts/test installs it (Playwright cannot download one here)."""
    path = os.environ.get("DEALROOM_CHROMIUM") or shutil.which("chromium")
    if path is None:
        raise RuntimeError("no chromium on PATH: run scripts/test, which installs it")
    return path


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()
