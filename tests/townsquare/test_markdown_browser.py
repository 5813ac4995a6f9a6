"""The Markdown editor in a real browser: the toolbar by keyboard, the live preview, and the
"Preview" button when JavaScript is off, under the CSP and with axe finding nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from dialogues.models import Dialogue
from tenants.models import Tenant
from tests.factories import DialogueFactory, UserFactory
from tests.harness.browser import AXE_SOURCE, assert_accessible, csp_blocked, sign_in
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(committed_db: None, tenant_a: Tenant) -> Iterator[dict[str, str]]:
    stamp = time.monotonic_ns() % 10**8
    with tenant_context(tenant_a):
        admin = UserFactory.create(username=f"Writer{stamp}", role=User.Role.ADMIN)
        dialogue = DialogueFactory.create(slug=f"markdown-{stamp}", state=Dialogue.State.CLOSED)
    yield {"admin": admin.username, "slug": dialogue.slug}
    with tenant_context(tenant_a):
        Dialogue.objects.filter(slug__startswith=f"markdown-{stamp}").delete()
        admin.delete()


def test_the_toolbar_works_by_keyboard_and_the_preview_follows_the_typing(
    page: Page, live_site: LiveServer, scene: dict[str, str]
) -> None:
    blocked = csp_blocked(page)
    sign_in(page, live_site.url("alpha", "/accounts/login/"), scene["admin"])
    page.goto(live_site.url("alpha", f"/manage/dialogues/{scene['slug']}/"))
    text = page.locator("#id_description")
    preview = page.locator("#id_description-preview")
    toolbar = page.get_by_role("toolbar").first
    expect(toolbar).to_be_visible()
    # The live preview replaces the no-JavaScript button.
    expect(page.locator("[data-markdown-preview-button]").first).to_be_hidden()

    text.focus()
    page.keyboard.type("Hello")
    page.keyboard.press("Shift+Home")
    # The toolbar is one Tab stop before the text, on its first button.
    page.keyboard.press("Shift+Tab")
    expect(toolbar.get_by_role("button", name="Bold")).to_be_focused()
    page.keyboard.press("Enter")
    expect(text).to_have_value("**Hello**")
    expect(text).to_be_focused()
    expect(preview.locator("strong")).to_have_text("Hello")

    # Arrow keys move along the toolbar; it stays a single Tab stop.
    page.keyboard.press("Shift+Tab")
    expect(toolbar.get_by_role("button", name="Bold")).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Heading")).to_be_focused()
    page.keyboard.press("Space")
    expect(text).to_have_value("## **Hello**")
    expect(preview.locator("h2 strong")).to_have_text("Hello")

    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("End")
    expect(toolbar.get_by_role("button", name="Quote")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(toolbar.get_by_role("button", name="Link")).to_be_focused()
    page.keyboard.press("Enter")
    # The address is selected, ready to be typed over.
    page.keyboard.type("https://example.org/plan")
    expect(text).to_have_value("## **Hello**\n\n[link text](https://example.org/plan)")
    expect(preview.locator('a[href="https://example.org/plan"]')).to_have_text("link text")

    # Anything dangerous comes back inert from the preview too.
    text.fill("<img src=x onerror=alert(1)> [x](javascript:alert(1)) _safe_")
    expect(preview.locator("em")).to_have_text("safe")
    assert preview.locator("img, a[href^='javascript']").count() == 0

    page.get_by_text("Formatting help").first.click()
    assert_accessible(page)
    assert blocked == [], blocked


def test_the_outcome_and_page_editors_are_accessible_on_a_phone(
    browser: Browser, live_site: LiveServer, scene: dict[str, str]
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    context.add_init_script(path=str(AXE_SOURCE))
    page = context.new_page()
    blocked = csp_blocked(page)
    sign_in(page, live_site.url("alpha", "/accounts/login/"), scene["admin"])
    page.goto(live_site.url("alpha", f"/manage/dialogues/{scene['slug']}/"))
    page.locator("#id_summary").fill("We will light **three** paths.")
    expect(page.locator("#id_summary-preview strong")).to_have_text("three")
    assert_accessible(page)
    for path in ("/manage/theme/pages/new/", "/manage/theme/"):
        page.goto(live_site.url("alpha", path))
        expect(page.get_by_role("toolbar").first).to_be_visible()
        assert_accessible(page)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not overflow, f"{path} scrolls sideways on a phone"
    context.close()
    assert blocked == [], blocked


def test_without_javascript_the_preview_button_shows_the_text_and_saves_nothing(
    browser: Browser, live_site: LiveServer, scene: dict[str, str], tenant_a: Tenant
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_site.url("alpha", "/accounts/login/"), scene["admin"])
    page.goto(live_site.url("alpha", "/manage/dialogues/new/"))
    expect(page.get_by_role("toolbar")).to_have_count(0)
    page.get_by_label("Title").fill("Unsaved")
    page.get_by_label("Slug").fill(f"{scene['slug']}-draft")
    page.get_by_label("Question").fill("What next?")
    page.locator("#id_description").fill("# Plan\n\n- **lights**")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#id_description")).to_have_value("# Plan\n\n- **lights**")
    expect(page.locator("#id_description-preview h2")).to_have_text("Plan")
    expect(page.locator("#id_description-preview li strong")).to_have_text("lights")
    expect(page.get_by_label("Title")).to_have_value("Unsaved")
    context.close()
    with tenant_context(tenant_a):
        assert not Dialogue.objects.filter(slug=f"{scene['slug']}-draft").exists()
