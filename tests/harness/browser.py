"""Debian's Chromium driven by Playwright, and the axe-core accessibility check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import axe_playwright_python
from playwright.sync_api import ConsoleMessage, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_SOURCE = Path(axe_playwright_python.__file__).with_name("axe.min.js")
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Runs axe-core on the page as it is now; returns the WCAG 2.2 A/AA violations."""
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_22_AA,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def csp_blocked(page: Page) -> list[str]:
    """Every Content-Security-Policy refusal the page reports from now on: a test asserts the
    list stays empty (no inline script or style slipped into a template)."""
    blocked: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            blocked.append(message.text)

    page.on("console", seen)
    return blocked


def duplicate_ids(page: Page) -> list[str]:
    """Ids used more than once: a label or aria reference then points at the wrong element.

    WCAG 2.2 dropped the parsing criterion, so axe no longer reports these; we still do.
    """
    duplicates: list[str] = page.evaluate(
        """() => {
            const counts = {};
            for (const el of document.querySelectorAll('[id]')) {
                counts[el.id] = (counts[el.id] || 0) + 1;
            }
            return Object.keys(counts).filter((id) => counts[id] > 1);
        }"""
    )
    return duplicates


def assert_accessible(page: Page) -> None:
    # Measured as the page first shows: the quick-exit bar is sticky, and axe's target-size
    # rule counts a control the bar half covers at some scroll position as too small.
    page.evaluate("window.scrollTo(0, 0)")
    duplicated = duplicate_ids(page)
    assert not duplicated, f"ids used more than once on {page.url}: {duplicated}"
    violations = axe_violations(page)
    summary = [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in violations
    ]
    assert not violations, f"axe found WCAG 2.2 AA violations on {page.url}:\n" + json.dumps(
        summary, indent=2
    )


def sign_in(page: Page, login_url: str, username: str) -> None:
    """Signs in through the tenant's login form with the factories' password, and waits
    until the page says who is signed in."""
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    page.goto(login_url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}", exact=True)).to_be_visible()
