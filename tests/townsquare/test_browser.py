"""Pages in a real browser on tenant subdomains: accessible, keyboard-operable, isolated."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD
from tests.harness.browser import assert_accessible
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("slug", "path", "heading"),
    [
        (None, "/", "Conversation, not consultation"),
        (None, "/pricing/", "Plans and pricing"),
        (None, "/customers/merseyside/", "Merseyside Violence Reduction Partnership"),
        (None, "/privacy/", "Privacy notice"),
        (None, "/demo/", "Request a free demo"),
        ("alpha", "/", "Alpha Community Partnership"),
        ("alpha", "/dialogues/alpha-parks/", "Alpha Community Partnership: what should change?"),
        ("alpha", "/accounts/login/", "Sign in"),
        ("alpha", "/accounts/signup/", "Join Alpha Community Partnership"),
        ("alpha", "/accounts/confirm-email/", "Check your email"),
        ("alpha", "/no-such-page/", "Page not found"),
        ("nobody-here", "/", "There is no site at this address"),
    ],
)
def test_page_is_accessible(
    page: Page, live_site: LiveServer, slug: str | None, path: str, heading: str
) -> None:
    page.goto(live_site.url(slug, path))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(
    page: Page, live_site: LiveServer
) -> None:
    page.goto(live_site.url("alpha"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_signing_in_with_the_keyboard_stays_on_that_tenants_host(
    page: Page, live_site: LiveServer
) -> None:
    page.goto(live_site.url("alpha", "/accounts/login/"))
    page.get_by_label("Username").focus()
    page.keyboard.type("sam")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Signed in as sam", exact=True)).to_be_visible()
    assert_accessible(page)

    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["sessionid"]["domain"] == "alpha.localhost"  # host-only, no leading dot
    assert cookies["sessionid"]["httpOnly"]

    page.goto(live_site.url("beta"))
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)


def test_one_tenants_content_never_shows_on_another(page: Page, live_site: LiveServer) -> None:
    page.goto(live_site.url("beta"))
    expect(page.get_by_text("Beta Youth Forum: what should change?")).to_be_visible()
    expect(page.get_by_text("Alpha Community Partnership")).to_have_count(0)
    response = page.goto(live_site.url("beta", "/dialogues/alpha-parks/"))
    assert response is not None
    assert response.status == 404
