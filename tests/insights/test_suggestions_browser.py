"""In a browser: a resident typing an idea is shown the one already shared, with and without
JavaScript, and staff read, regroup and edit themes, on pages axe finds no fault with."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from dialogues.models import Dialogue, Idea
from insights.selectors import contributions_for_grouping
from insights.services import theme_run_execute, theme_run_request, vectors_ensure
from tenants.models import Tenant
from tests.factories import UserFactory
from tests.harness.browser import AXE_SOURCE, assert_accessible, sign_in
from tests.harness.live_server import LiveServer
from tests.insights.data import dialogue_with_known_ideas

pytestmark = pytest.mark.browser


@pytest.fixture
def site(committed_db: None, tenant_a: Tenant) -> Iterator[tuple[Dialogue, str, str]]:
    """A committed dialogue of known ideas, with vectors and themes, a resident and an
    analyst (their usernames)."""
    stamp = time.monotonic_ns() % 10**7
    with tenant_context(tenant_a):
        dialogue = dialogue_with_known_ideas(slug=f"browser-similar-{stamp}")
        vectors_ensure(dialogue_id=dialogue.pk, items=contributions_for_grouping(dialogue=dialogue))
        theme_run_execute(run_id=theme_run_request(dialogue=dialogue, by=None).pk)
        resident = UserFactory.create(username=f"Typist{stamp}")
        analyst = UserFactory.create(username=f"Analyst{stamp}", role=User.Role.ANALYST)
    yield dialogue, resident.username, analyst.username
    with tenant_context(tenant_a):
        authors = set(Idea.objects.filter(dialogue=dialogue).values_list("author_id", flat=True))
        Dialogue.objects.filter(pk=dialogue.pk).delete()
        User.objects.filter(pk__in={*authors, resident.pk, analyst.pk}).delete()


def _fits_the_width(page: Page) -> bool:
    """Nothing scrolls sideways at the phone width set on the page."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_resident_typing_sees_the_similar_idea(
    page: Page, live_site: LiveServer, site: tuple[Dialogue, str, str]
) -> None:
    dialogue, resident, _ = site
    sign_in(page, live_site.url("alpha", "/accounts/login/"), resident)
    page.goto(live_site.url("alpha", f"/dialogues/{dialogue.slug}/ideas/new/"))
    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_label("Title").fill("Underpass near the station is too dark")
    page.get_by_label("Your idea").press_sequentially("Please put lights in the underpass.")
    region = page.locator("#similar-ideas")
    expect(region).to_have_attribute("aria-live", "polite")
    suggestion = region.get_by_role("link", name="Light up the underpass")
    expect(suggestion).to_be_visible(timeout=15_000)
    assert_accessible(page)
    assert _fits_the_width(page)
    # What was typed stays in the form, and the link opens the existing idea.
    expect(page.get_by_label("Title")).to_have_value("Underpass near the station is too dark")
    suggestion.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Light up the underpass")


def test_without_javascript_the_check_button_shows_the_similar_idea(
    browser: Browser, live_site: LiveServer, site: tuple[Dialogue, str, str]
) -> None:
    dialogue, resident, _ = site
    context = browser.new_context(java_script_enabled=False)
    context.add_init_script(path=str(AXE_SOURCE))
    page = context.new_page()
    try:
        sign_in(page, live_site.url("alpha", "/accounts/login/"), resident)
        page.goto(live_site.url("alpha", f"/dialogues/{dialogue.slug}/ideas/new/"))
        page.get_by_label("Title").fill("Weekend night buses")
        page.get_by_label("Your idea").fill("Run buses through the night on Fridays.")
        page.get_by_role("button", name="Check for similar ideas").click()
        expect(page.get_by_role("link", name="Night bus at weekends")).to_be_visible()
        expect(page.get_by_label("Title")).to_have_value("Weekend night buses")
        # Posting from here posts the idea the resident wrote.
        page.get_by_role("button", name="Post idea").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Weekend night buses")
    finally:
        context.close()


def test_staff_read_regroup_and_rename_themes_on_accessible_pages(
    page: Page, live_site: LiveServer, site: tuple[Dialogue, str, str]
) -> None:
    dialogue, _, analyst = site
    sign_in(page, live_site.url("alpha", "/accounts/login/"), analyst)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_site.url("alpha", "/manage/insights/themes/"))
    assert_accessible(page)
    page.get_by_label("Dialogue").select_option(dialogue.slug)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("button", name="Group again")).to_be_visible()
    assert_accessible(page)
    assert _fits_the_width(page)
    # Waiting or running (a worker may be about), the page shows where the run is.
    page.get_by_role("button", name="Group again").click()
    expect(page.get_by_text("Grouping has started")).to_be_visible()
    expect(page.locator("#run-progress")).to_contain_text("Grouping")
    assert_accessible(page)
    page.get_by_role("listitem").filter(has_text="Typical ideas").first.get_by_role(
        "heading"
    ).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Theme:")
    assert_accessible(page)
    assert _fits_the_width(page)
    page.get_by_label("New name").fill("")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_text("The theme was not renamed")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("New name").fill("What we heard first")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Theme: What we heard first")
    assert_accessible(page)
