"""Fixtures of the browser tests: Debian's Chromium through Playwright, and where screenshots go."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where browser tests put their screenshots: $BROWSER_SCREENSHOTS, else the test's tmp_path."""
    directory = Path(os.environ.get("BROWSER_SCREENSHOTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def browser():
    """Debian's Chromium driven by Playwright, for the browser tests; closed after the test."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                              headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
