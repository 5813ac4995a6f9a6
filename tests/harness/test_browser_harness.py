"""The accessibility check itself: it must catch violations, or a pass would mean nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.harness.browser import assert_accessible, axe_violations

pytestmark = pytest.mark.browser


def test_axe_reports_a_missing_text_alternative_and_unlabelled_field(page: Page) -> None:
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Bad</title></head><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">'
        "</main></body></html>"
    )
    rules = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "label"} <= rules
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)


def test_axe_passes_a_plain_accessible_page(page: Page) -> None:
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Good</title></head><body><main>'
        "<h1>Hello</h1><label for='n'>Name</label><input id='n' type='text'></main></body></html>"
    )
    assert_accessible(page)


def test_duplicate_ids_are_reported(page: Page) -> None:
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Dup</title></head><body><main>'
        "<label for='x'>A</label><input id='x'><label for='y'>B</label><textarea id='x'></textarea>"
        "</main></body></html>"
    )
    with pytest.raises(AssertionError, match="ids used more than once"):
        assert_accessible(page)
