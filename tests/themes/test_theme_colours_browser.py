"""The theme editor's colours in a real browser: a typed hex moves the picker and the preview,
a picked colour writes the hex, all by keyboard, without JavaScript too; accessible on light and
dark themes and on a phone, with nothing blocked by the Content-Security-Policy."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from tenants.models import Tenant
from tests.harness.browser import AXE_SOURCE, assert_accessible, csp_blocked, sign_in
from tests.harness.live_server import LiveServer
from themes.models import ThemeDraft
from themes.services import theme_draft_update, theme_publish

pytestmark = pytest.mark.browser

MAIN = "Main colour (header and buttons)"
MAIN_PICKER = "Colour picker for the main colour"
DARK = {
    "primary": "#8ab4f8",
    "accent": "#9aa0a6",
    "text": "#f1f3f4",
    "background": "#202124",
    "link": "#8ab4f8",
}


def _preview_header(page: Page) -> str:
    header = page.frame_locator("iframe.theme-preview").locator(".site-header")
    return str(header.evaluate("e => getComputedStyle(e).backgroundColor"))


def test_the_hex_field_and_the_picker_follow_each_other_by_keyboard(
    page: Page, live_site: LiveServer, theme_admin: str, tenant_a: Tenant
) -> None:
    blocked = csp_blocked(page)
    sign_in(page, live_site.url("alpha", "/accounts/login/"), theme_admin)
    page.goto(live_site.url("alpha", "/manage/theme/"))
    hex_field = page.get_by_label(MAIN, exact=True)
    picker = page.get_by_label(MAIN_PICKER)
    expect(hex_field).to_have_value("#1d4e89")
    expect(picker).to_have_value("#1d4e89")
    assert_accessible(page)

    # The picker, then its hex field, are reached with Tab.
    picker.focus()
    page.keyboard.press("Tab")
    expect(hex_field).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("#5A1D89")
    expect(picker).to_have_value("#5a1d89")
    expect(page.frame_locator("iframe.theme-preview").locator(".site-header")).to_have_css(
        "background-color", "rgb(90, 29, 137)"
    )

    # Half-typed, the picker waits; shorthand counts and is written out in full on leaving.
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("#03")
    expect(picker).to_have_value("#5a1d89")
    page.keyboard.type("a")
    expect(picker).to_have_value("#0033aa")
    page.keyboard.press("Tab")
    expect(hex_field).to_have_value("#0033aa")

    # Picking (what the picker's dialog does when a colour is chosen) writes the hex.
    picker.fill("#0b5d3b")
    expect(hex_field).to_have_value("#0b5d3b")
    expect(page.frame_locator("iframe.theme-preview").locator(".site-header")).to_have_css(
        "background-color", "rgb(11, 93, 59)"
    )
    assert _preview_header(page) == "rgb(11, 93, 59)"

    page.get_by_label("Link colour", exact=True).fill("#0b5d3b")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved")).to_be_visible()
    with tenant_context(tenant_a):
        assert (ThemeDraft.objects.get().primary, ThemeDraft.objects.get().link) == (
            "#0b5d3b", "#0b5d3b"
        )  # fmt: skip
    assert blocked == []


def test_a_bad_hex_is_refused_on_its_field_accessibly(
    page: Page, live_site: LiveServer, theme_admin: str
) -> None:
    sign_in(page, live_site.url("alpha", "/accounts/login/"), theme_admin)
    page.goto(live_site.url("alpha", "/manage/theme/"))
    page.get_by_label(MAIN, exact=True).fill("#12345g")
    page.get_by_role("button", name="Save draft").click()
    hex_field = page.get_by_label(MAIN, exact=True)
    expect(hex_field).to_have_attribute("aria-invalid", "true")
    # Described by its hint and by the reason it was refused.
    expect(hex_field).to_have_accessible_description(
        re.compile(
            r"^A # and six hex digits, or choose it with the picker beside it\..*"
            r"Enter a colour as # followed by six hex digits, like #1d4e89\.$"
        )
    )
    expect(hex_field).to_have_value("#12345g")
    assert_accessible(page)


def test_without_javascript_the_picker_and_the_hex_field_each_work(
    browser: Browser, live_site: LiveServer, theme_admin: str, tenant_a: Tenant
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_site.url("alpha", "/accounts/login/"), theme_admin)
        page.goto(live_site.url("alpha", "/manage/theme/"))
        page.get_by_label(MAIN_PICKER).fill("#0b5d3b")
        page.get_by_label("Link colour", exact=True).fill("#0B5D3B")
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_text("Draft saved")).to_be_visible()
        with tenant_context(tenant_a):
            draft = ThemeDraft.objects.get()
            assert (draft.primary, draft.link) == ("#0b5d3b", "#0b5d3b")
        expect(page.get_by_label(MAIN, exact=True)).to_have_value("#0b5d3b")
        expect(page.get_by_label("Colour picker for links")).to_have_value("#0b5d3b")
    finally:
        context.close()


def test_the_editor_passes_axe_on_a_dark_theme_and_fits_a_phone(
    browser: Browser, live_site: LiveServer, theme_admin: str, tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        admin = User.objects.get(username=theme_admin)
        theme_draft_update(by=admin, values=DARK)
        theme_publish(by=admin)
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    context.add_init_script(path=str(AXE_SOURCE))
    page = context.new_page()
    blocked = csp_blocked(page)
    try:
        sign_in(page, live_site.url("alpha", "/accounts/login/"), theme_admin)
        page.goto(live_site.url("alpha", "/manage/theme/"))
        expect(page.get_by_label(MAIN, exact=True)).to_have_value("#8ab4f8")
        expect(page.get_by_label(MAIN_PICKER)).to_have_value("#8ab4f8")
        background = page.eval_on_selector("body", "e => getComputedStyle(e).backgroundColor")
        assert background == "rgb(32, 33, 36)"
        assert_accessible(page)
        assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"), (
            "the theme editor scrolls sideways on a phone"
        )
    finally:
        context.close()
    assert blocked == []
