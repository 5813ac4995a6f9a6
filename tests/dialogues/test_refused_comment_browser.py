"""A refused comment keeps what the resident typed and says why beside the field, with
JavaScript (the conversation is swapped in place, once) and without it (the whole page)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Browser, Page, expect

from dialogues.models import Comment, Dialogue
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory
from tests.harness.browser import assert_accessible, sign_in
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser

# Longer than the 3,000 characters a comment may have. Browsers stop typing at the
# textarea's maxlength, but line breaks count once there and twice once sent, and older or
# assistive software may not enforce it at all: the server's refusal is what we test.
TOO_LONG = "The canal path needs lights, benches and a bin every hundred metres. " * 45


@pytest.fixture
def idea_page(committed_db: None, tenant_a: Tenant, live_site: LiveServer) -> Iterator[dict]:
    stamp = str(time.monotonic_ns())[-7:]
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug=f"refused-{stamp}", title="Canal paths")
        idea = IdeaFactory.create(dialogue=dialogue, title="Light the canal path")
        resident = UserFactory.create(username=f"Commenter{stamp}")
    yield {
        "idea_id": idea.pk,
        "url": live_site.url("alpha", idea.get_absolute_url()),
        "login": live_site.url("alpha", "/accounts/login/"),
        "username": resident.username,
    }
    with tenant_context(tenant_a):
        Dialogue.objects.filter(pk=dialogue.pk).delete()


def _submit_too_long(page: Page) -> None:
    field = page.get_by_label("Your comment")
    field.evaluate("el => el.removeAttribute('maxlength')")
    field.fill(TOO_LONG)
    page.get_by_role("button", name="Post comment").click()


def _assert_refused_and_kept(page: Page, tenant: Tenant, idea_id: int) -> None:
    field = page.get_by_label("Your comment")
    expect(field).to_have_accessible_description(re.compile("at most 3000 characters"))
    expect(field).to_have_value(TOO_LONG)
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(page.get_by_role("heading", name=re.compile("^Conversation"))).to_have_count(1)
    expect(page.locator("#comments")).to_have_count(1)
    with tenant_context(tenant):
        assert not Comment.objects.filter(idea_id=idea_id).exists()


def test_with_javascript_a_refused_comment_is_shown_in_place_with_the_text_kept(
    page: Page, idea_page: dict, tenant_a: Tenant
) -> None:
    sign_in(page, idea_page["login"], idea_page["username"])
    page.goto(idea_page["url"])
    _submit_too_long(page)
    _assert_refused_and_kept(page, tenant_a, idea_page["idea_id"])
    assert page.url == idea_page["url"]  # swapped in place by htmx, no page load
    assert_accessible(page)

    # Shortened, the same text posts and the error goes.
    page.get_by_label("Your comment").fill(TOO_LONG[:200])
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment-body")).to_contain_text(TOO_LONG[:60])
    expect(page.get_by_text("at most 3000 characters")).to_have_count(0)
    expect(page.get_by_label("Your comment")).to_have_value("")
    expect(page.locator("header.site-header")).to_have_count(1)
    # The page's next look for new comments does not add this one a second time.
    with page.expect_response(lambda r: "/live/" in r.url, timeout=15_000):
        pass
    expect(page.locator(".comment-body")).to_have_count(1)
    assert_accessible(page)


def test_without_javascript_a_refused_comment_returns_the_page_with_the_text_kept(
    browser: Browser, idea_page: dict, tenant_a: Tenant
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, idea_page["login"], idea_page["username"])
        page.goto(idea_page["url"])
        with page.expect_response(re.compile(r"/comments/$")) as posted:
            _submit_too_long(page)
        assert posted.value.status == 400
        _assert_refused_and_kept(page, tenant_a, idea_page["idea_id"])
        expect(page.get_by_role("heading", level=1)).to_have_text("Light the canal path")
    finally:
        context.close()
