"""An admin makes the site theirs in a real browser: colours, logo and a page, previewed,
published and seen by a resident; an earlier version restored; nothing of it on another
tenant; every page accessible and free of Content-Security-Policy violations."""

from __future__ import annotations

import io

import pytest
from django_tenants.utils import tenant_context
from PIL import Image
from playwright.sync_api import Browser, ConsoleMessage, FilePayload, Page, expect

from accounts.models import User
from tenants.models import Tenant
from tests.harness.browser import AXE_SOURCE, assert_accessible, sign_in
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser


def _csp_watch(page: Page) -> list[str]:
    violations: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.on("console", seen)
    return violations


def _header_colour(page: Page) -> str:
    return str(page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor"))


def _logo() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (160, 48), "#5a1d89").save(data, format="PNG")
    return data.getvalue()


def test_an_admin_themes_the_site_and_a_resident_sees_it(
    page: Page, browser: Browser, live_site: LiveServer, theme_admin: str
) -> None:
    violations = _csp_watch(page)
    sign_in(page, live_site.url("alpha", "/accounts/login/"), theme_admin)
    page.goto(live_site.url("alpha", "/manage/theme/"))
    assert_accessible(page)

    preview = page.frame_locator("iframe.theme-preview")
    expect(preview.locator(".site-header")).to_have_css("background-color", "rgb(29, 78, 137)")
    page.get_by_label("Main colour (header and buttons)").fill("#5a1d89")
    # The preview follows the form before anything is saved.
    expect(preview.locator(".site-header")).to_have_css("background-color", "rgb(90, 29, 137)")
    page.get_by_label("Link colour").fill("#5a1d89")
    page.get_by_label("Atkinson Hyperlegible").check()
    page.get_by_label("Logo", exact=True).set_input_files(
        files=[FilePayload(name="logo.png", mimeType="image/png", buffer=_logo())]
    )
    page.get_by_label("Logo text").fill("Alpha Community Partnership")
    page.get_by_label("Home page introduction").fill("Have your say on the _new_ park.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved")).to_be_visible()
    expect(preview.get_by_text("Have your say on the")).to_be_visible()
    # Waited for, not read at once: the editor's script may be swapping the preview's
    # stylesheet for one with the form's values as the page settles.
    expect(preview.locator(".site-header")).to_have_css("background-color", "rgb(90, 29, 137)")

    resident_context = browser.new_context()
    resident_context.add_init_script(path=str(AXE_SOURCE))
    resident = resident_context.new_page()
    resident_violations = _csp_watch(resident)
    try:
        resident.goto(live_site.url("alpha"))
        assert _header_colour(resident) == "rgb(29, 78, 137)"  # the draft is not live
        expect(resident.get_by_text("Have your say on the")).to_have_count(0)

        page.get_by_role("button", name="Publish the draft").click()
        expect(page.get_by_text("version 1 is now live")).to_be_visible()
        resident.reload()
        assert _header_colour(resident) == "rgb(90, 29, 137)"
        expect(resident.get_by_role("img", name="Alpha Community Partnership")).to_be_visible()
        expect(resident.get_by_text("Have your say on the new park.")).to_be_visible()
        font = resident.eval_on_selector("body", "e => getComputedStyle(e).fontFamily")
        assert "Atkinson Hyperlegible" in str(font)
        assert_accessible(resident)

        # A page of their own, in the menu.
        page.goto(live_site.url("alpha", "/manage/theme/pages/new/"))
        assert_accessible(page)
        page.get_by_label("Title").fill("Staying safe online")
        page.get_by_label("Address").fill("staying-safe-online")
        page.get_by_label("Text").fill("<p>Never share your address.</p>")
        page.get_by_label("Published (visible to everyone)").check()
        page.get_by_role("button", name="Save page").click()
        page.goto(live_site.url("alpha", "/manage/theme/pages/"))
        page.get_by_label("Menu").fill("Staying safe online | /pages/staying-safe-online/")
        page.get_by_role("button", name="Save menu").click()
        expect(page.get_by_text("Menu saved.")).to_be_visible()
        assert_accessible(page)
        resident.goto(live_site.url("alpha"))
        resident.get_by_role("navigation", name="Site menu").get_by_role(
            "link", name="Staying safe online"
        ).click()
        expect(resident.get_by_text("Never share your address.")).to_be_visible()
        assert_accessible(resident)

        # A second version, then the first restored.
        page.goto(live_site.url("alpha", "/manage/theme/"))
        page.get_by_label("Main colour (header and buttons)").fill("#0b5d3b")
        page.get_by_role("button", name="Save draft").click()
        page.get_by_role("button", name="Publish the draft").click()
        resident.goto(live_site.url("alpha"))
        assert _header_colour(resident) == "rgb(11, 93, 59)"
        page.goto(live_site.url("alpha", "/manage/theme/versions/"))
        assert_accessible(page)
        page.get_by_role("button", name="Restore version 1").click()
        expect(page.get_by_text("Version 1 is live again (as version 3)")).to_be_visible()
        resident.goto(live_site.url("alpha"))
        assert _header_colour(resident) == "rgb(90, 29, 137)"

        # Nothing of it on another tenant.
        resident.goto(live_site.url("beta"))
        assert _header_colour(resident) == "rgb(29, 78, 137)"
        expect(resident.get_by_role("img", name="Alpha Community Partnership")).to_have_count(0)
        expect(resident.get_by_role("navigation", name="Site menu")).to_have_count(0)
    finally:
        resident_context.close()
    assert violations == []
    assert resident_violations == []


def test_contrast_too_low_is_refused_in_the_browser_with_a_suggestion(
    page: Page, live_site: LiveServer, theme_admin: str
) -> None:
    sign_in(page, live_site.url("alpha", "/accounts/login/"), theme_admin)
    page.goto(live_site.url("alpha", "/manage/theme/"))
    page.get_by_label("Text colour").fill("#aaaaaa")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_text("The nearest shade that passes is")).to_be_visible()
    assert_accessible(page)


DARK = {
    "primary": "#8ab4f8",
    "accent": "#9aa0a6",
    "text": "#f1f3f4",
    "background": "#202124",
    "link": "#8ab4f8",
}


def test_a_dark_theme_passes_axe_on_busy_pages(
    page: Page, live_site: LiveServer, theme_admin: str, tenant_a: Tenant
) -> None:
    """Panels, statuses and official responses keep AA contrast on a light-on-dark theme."""
    from dialogues.models import Dialogue
    from dialogues.services import comment_create, idea_status_set
    from themes.services import theme_draft_update, theme_publish

    with tenant_context(tenant_a):
        admin = User.objects.get(username=theme_admin)
        theme_draft_update(by=admin, values=DARK)
        theme_publish(by=admin)
        idea = Dialogue.objects.get(slug="alpha-parks").ideas.first()
        assert idea is not None
        # Shared seed data: put the idea back exactly as it was afterwards.
        snapshot = {
            f.attname: getattr(idea, f.attname)
            for f in idea._meta.concrete_fields
            if not f.primary_key
        }
        comment = comment_create(idea=idea, author=admin, official=True, body="We will do this.")
        idea_status_set(idea=idea, by=admin, status="accepted", explanation="Funded.")
    try:
        for path in ("/", "/dialogues/alpha-parks/", idea.get_absolute_url(), "/staying-safe/"):
            page.goto(live_site.url("alpha", path))
            assert _header_colour(page) == "rgb(138, 180, 248)"
            assert_accessible(page)
        # The admin area and every component of the style page, in the same dark theme.
        sign_in(page, live_site.url("alpha", "/accounts/login/"), theme_admin)
        for path in ("/manage/", "/manage/style/", "/manage/dialogues/", "/manage/moderation/"):
            page.goto(live_site.url("alpha", path))
            assert _header_colour(page) == "rgb(138, 180, 248)"
            assert_accessible(page)
    finally:
        with tenant_context(tenant_a):
            comment.delete()
            idea.status_changes.all().delete()
            type(idea).objects.filter(pk=idea.pk).update(**snapshot)
