"""Helpers shared by the browser tests: axe-core checks and keyboard focus."""

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

AXE = Axe()
BLOCKING_IMPACTS = {"serious", "critical"}


def assert_accessible(page: Page) -> None:
    """Fail listing every serious or critical axe-core violation on the current page."""
    violations = AXE.run(page).response["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    if not blocking:
        return
    lines = [f"{len(blocking)} serious/critical axe violation(s) on {page.url}:"]
    for v in blocking:
        targets = [" ".join(map(str, node["target"])) for node in v["nodes"][:5]]
        more = f" (+{len(v['nodes']) - 5} more)" if len(v["nodes"]) > 5 else ""
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']}: {', '.join(targets)}{more}")
    pytest.fail("\n".join(lines), pytrace=False)


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def active_element(page: Page) -> dict:
    """A few facts about document.activeElement."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return el ? {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'),
                         type: el.getAttribute('type'), text: (el.textContent || '').trim()} : null;
        }"""
    )


def tab_until(page: Page, predicate, what: str, max_presses: int = 10) -> None:
    """Press Tab until the focused element satisfies `predicate` (it may already)."""
    seen = []
    for _ in range(max_presses + 1):
        focused = active_element(page)
        if focused and predicate(focused):
            return
        seen.append(focused)
        page.keyboard.press("Tab")
    pytest.fail(f"{what} never got keyboard focus in {max_presses} Tab presses; focus went: {seen}")
