"""Quick exit (GOV.UK "Exit this page") and signposting on every tenant page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Browser, Page, expect

from sitesettings.models import Signpost, SiteSettings
from sitesettings.selectors import site_settings_get
from tenants.models import Tenant
from tests.factories import UserFactory
from tests.harness.browser import assert_accessible, sign_in
from tests.harness.live_server import LiveServer
from townsquare.lib.memo import TtlMemo

pytestmark = pytest.mark.browser


@pytest.fixture
def neutral_site(committed_db: None, tenant_a: Tenant, live_site: LiveServer) -> Iterator[str]:
    """The exit goes to the central site here: tests never leave this machine."""
    neutral = live_site.url(None, "/")
    with tenant_context(tenant_a):
        site_settings_get()
        SiteSettings.objects.update(quick_exit_url=neutral)
        Signpost.objects.create(
            name="Childline", phone="0800 1111", url="https://www.childline.org.uk/"
        )
    TtlMemo.clear_all()
    yield neutral
    with tenant_context(tenant_a):
        SiteSettings.objects.update(quick_exit_url="https://www.bbc.co.uk/weather")
        Signpost.objects.all().delete()
    TtlMemo.clear_all()


def _open_a_dialogue(page: Page, site: LiveServer) -> str:
    page.goto(site.url("alpha"))
    page.get_by_role("link", name="Alpha Community Partnership: what should change?").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("what should change?")
    return page.url


def test_the_exit_button_replaces_the_page_so_back_does_not_return(
    page: Page, live_site: LiveServer, neutral_site: str
) -> None:
    dialogue_url = _open_a_dialogue(page, live_site)
    assert_accessible(page)
    page.get_by_role("link", name="Emergency exit this page").click()
    page.wait_for_url(neutral_site)
    page.go_back()
    assert page.url != dialogue_url
    assert page.url == live_site.url("alpha", "/")


def test_pressing_shift_three_times_exits_too(
    page: Page, live_site: LiveServer, neutral_site: str
) -> None:
    dialogue_url = _open_a_dialogue(page, live_site)
    page.locator("body").click(position={"x": 5, "y": 300})
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(neutral_site)
    page.go_back()
    assert page.url != dialogue_url


def test_the_exit_is_the_first_thing_a_keyboard_reaches_after_the_skip_link(
    page: Page, live_site: LiveServer, neutral_site: str
) -> None:
    page.goto(live_site.url("alpha"))
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Emergency exit this page")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(neutral_site)


def test_without_javascript_the_exit_is_still_a_working_link(
    browser: Browser, live_site: LiveServer, neutral_site: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_site.url("alpha"))
        page.get_by_role("link", name="Emergency exit this page").click()
        page.wait_for_url(neutral_site)
    finally:
        context.close()


@pytest.fixture
def resident(committed_db: None, tenant_a: Tenant) -> str:
    with tenant_context(tenant_a):
        return UserFactory.create(username="ExitingResident").username


def _exit_signed_in(page: Page, site: LiveServer, neutral: str, username: str) -> None:
    """Signs in, presses the exit on a dialogue, then comes back to the site."""
    sign_in(page, site.url("alpha", "/accounts/login/"), username)
    _open_a_dialogue(page, site)
    page.get_by_role("link", name="Emergency exit this page").click()
    page.wait_for_url(neutral)
    page.goto(site.url("alpha"))
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.get_by_text(f"Signed in as {username}")).to_have_count(0)


def test_the_exit_ends_the_session_so_the_site_opens_signed_out(
    page: Page, live_site: LiveServer, neutral_site: str, resident: str
) -> None:
    _exit_signed_in(page, live_site, neutral_site, resident)
    assert_accessible(page)


def test_without_javascript_the_exit_ends_the_session_too(
    browser: Browser, live_site: LiveServer, neutral_site: str, resident: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        _exit_signed_in(page, live_site, neutral_site, resident)
    finally:
        context.close()


def test_a_link_from_another_site_to_the_exit_does_not_sign_anyone_out(
    page: Page, live_site: LiveServer, neutral_site: str, resident: str
) -> None:
    sign_in(page, live_site.url("alpha", "/accounts/login/"), resident)
    exit_url = page.get_by_role("link", name="Emergency exit this page").get_attribute("href")
    assert exit_url
    # The central site stands in for any other site linking to the exit address.
    page.goto(live_site.url(None, "/"))
    # The neutral address is this very page: wait for the click's own navigation to end.
    with page.expect_navigation(url=neutral_site):
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url;"
            " document.body.append(a); a.click(); }",
            live_site.url("alpha", exit_url),
        )
    page.goto(live_site.url("alpha"))
    expect(page.get_by_text(f"Signed in as {resident}")).to_be_visible()


def test_helplines_show_beside_dialogues_and_on_the_safety_page(
    page: Page, live_site: LiveServer, neutral_site: str
) -> None:
    _open_a_dialogue(page, live_site)
    panel = page.get_by_role("complementary", name="Need to talk to someone?")
    expect(panel).to_contain_text("Childline")
    expect(panel.get_by_role("link", name="0800 1111")).to_have_attribute("href", "tel:08001111")
    page.get_by_role("link", name="Staying safe online").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staying safe online")
    expect(page.get_by_text("private or incognito window")).to_be_visible()
    expect(page.get_by_text("cannot remove this site from your browser's history")).to_be_visible()
    assert_accessible(page)


def test_the_central_site_has_no_exit_button(page: Page, live_site: LiveServer) -> None:
    page.goto(live_site.url(None, "/"))
    expect(page.get_by_role("link", name="Emergency exit this page")).to_have_count(0)
