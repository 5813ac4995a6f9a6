"""In the browser: conversation arrives live, htmx saves without reloading, and everything
still works with JavaScript switched off."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Browser, Page, expect

from dialogues.models import Dialogue, Idea
from dialogues.services import comment_create
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory
from tests.harness.browser import AXE_SOURCE, assert_accessible, sign_in
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def idea(committed_db: None, tenant_a: Tenant) -> Iterator[Idea]:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug=f"live-{time.monotonic_ns() % 10**8}")
        made = IdeaFactory.create(dialogue=dialogue, title="Night buses")
    yield made
    with tenant_context(tenant_a):
        Dialogue.objects.filter(pk=dialogue.pk).delete()


@pytest.fixture
def resident(committed_db: None, tenant_a: Tenant) -> str:
    name = f"Live{time.monotonic_ns() % 10**8}"
    with tenant_context(tenant_a):
        UserFactory.create(username=name)
    return name


def _sign_in(page: Page, site: LiveServer, username: str) -> None:
    sign_in(page, site.url("alpha", "/accounts/login/"), username)


def test_a_comment_posted_elsewhere_appears_for_a_reader_without_reloading(
    page: Page, live_site: LiveServer, idea: Idea, tenant_a: Tenant
) -> None:
    page.goto(live_site.url("alpha", idea.get_absolute_url()))
    page.evaluate("window.notReloaded = true")
    with tenant_context(tenant_a):
        comment_create(idea=idea, author=UserFactory.create(), body="Seen live from Wirral")
    expect(page.get_by_text("Seen live from Wirral")).to_be_visible(timeout=15_000)
    expect(page.locator("#live-status")).to_have_text("1 new comment added below.")
    assert page.evaluate("window.notReloaded") is True
    assert_accessible(page)


def test_rating_and_commenting_save_in_place_with_htmx(
    page: Page, live_site: LiveServer, idea: Idea, resident: str
) -> None:
    _sign_in(page, live_site, resident)
    page.goto(live_site.url("alpha", idea.get_absolute_url()))
    page.evaluate("window.notReloaded = true")
    page.get_by_label("5 stars").check()
    page.get_by_role("button", name="Save rating").click()
    expect(page.get_by_role("img", name="Rated 5.0 out of 5 from 1 rating")).to_be_visible()
    page.get_by_label("Your comment").fill("Saved without a reload")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-list")).to_contain_text("Saved without a reload")
    page.get_by_role("button", name="Follow this idea").click()
    expect(page.get_by_role("button", name="Following this idea")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.evaluate("window.notReloaded") is True
    assert_accessible(page)


def test_everything_works_with_javascript_switched_off(
    browser: Browser, live_site: LiveServer, idea: Idea, resident: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    context.add_init_script(path=str(AXE_SOURCE))
    page = context.new_page()
    try:
        page.goto(live_site.url("alpha", "/accounts/signup/"))
        handle = page.locator("a[data-handle]").first
        name = handle.inner_text()
        handle.click()
        expect(page.get_by_label("Username", exact=True)).to_have_value(name)
        _sign_in(page, live_site, resident)
        page.goto(live_site.url("alpha", idea.get_absolute_url()))
        page.get_by_label("4 stars").check()
        page.get_by_role("button", name="Save rating").click()
        expect(page.get_by_text("Thank you for rating this idea.")).to_be_visible()
        page.get_by_label("Your comment").fill("Posted the old-fashioned way")
        page.get_by_role("button", name="Post comment").click()
        expect(page.get_by_text("Posted the old-fashioned way")).to_be_visible()
        page.get_by_text("Reply", exact=False).first.click()
        page.get_by_label("Your reply").fill("And a reply")
        page.get_by_role("button", name="Post reply").click()
        expect(page.get_by_text("And a reply")).to_be_visible()
    finally:
        context.close()
