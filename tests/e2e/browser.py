"""Debian's Chromium, headless, for the browser tests: never a test tool's own download."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

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


def _require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Debian's Chromium is required at {CHROMIUM} for this browser test: "
            "`apt-get update && apt-get install -y chromium`"
        )


@asynccontextmanager
async def chromium_context(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    """Debian's headless Chromium on a fresh profile, closed on exit."""
    _require_chromium()
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


@asynccontextmanager
async def chromium_browser() -> AsyncIterator[Browser]:
    """Debian's headless Chromium, closed on exit: one launch for many tests, each of which
    opens a `new_context()` of its own (fresh cookies, storage and clock)."""
    _require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"


async def assert_accessible(page: Page) -> None:
    """axe-core (from the web app's npm packages) finds nothing serious or critical on the page."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run `make install` (npm ci in web/)")
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    violations = await page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target).join(", ")}`)"""
    )
    assert not violations, f"{page.url}: {violations}"
