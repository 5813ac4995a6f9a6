"""The organisation sign-up form in a real browser: every label sits above its own field on
a desktop and a phone, and a refused site address is explained once, never as available."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD
from tests.harness.browser import assert_accessible
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser

WIDTHS = [pytest.param(1280, id="desktop"), pytest.param(390, id="phone")]


def _labels_beside_their_fields(page: Page) -> list[str]:
    """Labels of text-like fields whose box is not wholly above their field's box."""
    pairs: list[tuple[str, dict, dict]] = page.evaluate(
        """() => [...document.querySelectorAll('form label[for]')]
            .map((label) => [label, document.getElementById(label.htmlFor)])
            .filter(([label, field]) => field && label.offsetParent !== null
                    && !['radio', 'checkbox', 'hidden'].includes(field.type))
            .map(([label, field]) => {
                const box = (el) => { const r = el.getBoundingClientRect();
                                      return {top: r.top, bottom: r.bottom}; };
                return [label.textContent.trim(), box(label), box(field)];
            })"""
    )
    assert len(pairs) >= 4, pairs  # organisation, address, email, password
    return [text for text, label, field in pairs if label["bottom"] > field["top"]]


@pytest.mark.parametrize("width", WIDTHS)
def test_each_label_sits_above_its_own_field(page: Page, live_site: LiveServer, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_site.url(None, "/signup/"))
    assert _labels_beside_their_fields(page) == []
    assert_accessible(page)


def _submit_with_address(page: Page, site: LiveServer, address: str) -> None:
    page.goto(site.url(None, "/signup/"))
    page.get_by_label("Organisation name").fill("Knowsley Youth Voice")
    page.get_by_label("Your site's address").fill(address)
    page.get_by_label("Your work email address").fill("lead@knowsley.example.org")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_role("button", name="Create my site").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


@pytest.mark.parametrize(
    ("address", "message"),
    [
        pytest.param("www", "“www” is reserved", id="reserved"),
        pytest.param("alpha", "“alpha” is already taken", id="taken"),
    ],
)
@pytest.mark.parametrize("width", WIDTHS)
def test_a_refused_address_is_explained_once_and_never_called_available(
    page: Page, live_site: LiveServer, address: str, message: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    _submit_with_address(page, live_site, address)
    main = page.get_by_role("main")
    expect(main.get_by_text(message)).to_have_count(1)
    expect(main).not_to_contain_text("is available")
    field = page.get_by_label("Your site's address")
    expect(field).to_have_value(address)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(re.escape(message)))
    assert _labels_beside_their_fields(page) == []
    assert_accessible(page)

    # Typing a free name, the live check replaces the refusal instead of contradicting it.
    field.fill("knowsley-youth-voice")
    expect(page.get_by_role("status").filter(has_text="is available")).to_have_count(1)
    expect(main.get_by_text(message)).to_have_count(0)
    assert_accessible(page)
