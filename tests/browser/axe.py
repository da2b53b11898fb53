"""axe-core in a page the browser tests show: every rule axe runs by default, every impact level.

axe-core comes from the npm registry, installed by tests/browser-deps into
tests/browser/node_modules (pinned there as AXE_VERSION). It is evaluated in the page rather
than added as a <script> tag, so the app's Content-Security-Policy stays as it is.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}

# Violations only; each as rule id, impact, and the selector of every node it found.
_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      targets: v.nodes.map(n => n.target.join(" "))}));
}"""


def _source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run tests/browser-deps, which installs axe-core from npm")
    return AXE_JS.read_text(encoding="utf-8")


def violations(page: Page, name: str) -> list[str]:
    """axe's violations on the page as it is now, one readable line per rule and element."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(_source())
    width = page.viewport_size["width"] if page.viewport_size else "?"
    return [f"{name} at {width} px: {v['id']} ({v['impact']}) {target}: {v['help']}"
            for v in page.evaluate(_RUN) for target in v["targets"]]


def violations_at(page: Page, name: str, widths: list[dict]) -> list[str]:
    """violations() at each viewport size in turn; the viewport is left at the last one."""
    found = []
    for size in widths:
        page.set_viewport_size(size)
        found += violations(page, name)
    return found
