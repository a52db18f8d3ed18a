"""Debian's Chromium, headless, for the browser tests: never a test tool's own download."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    # Belt and braces: no host name resolves, so nothing could leave even unseen.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


@asynccontextmanager
async def chromium_context(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    """Debian's headless Chromium on a fresh profile, closed on exit."""
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 (a single stat before the browser starts)
        pytest.fail(
            f"Debian's Chromium is required at {CHROMIUM} for this browser test: "
            "`apt-get update && apt-get install -y chromium`"
        )
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            user_data_dir=tmp_path / "chromium-profile",
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            context.set_default_timeout(30_000)
            yield context
        finally:
            await context.close()
