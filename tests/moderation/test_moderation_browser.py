"""In a browser: a held post's author sees why; reports hide a post; a moderator restores it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from dialogues.models import Dialogue
from sitesettings.models import SiteSettings
from tenants.models import Tenant
from tests.factories import CommentFactory, DialogueFactory, UserFactory
from tests.harness.browser import AXE_SOURCE, assert_accessible, sign_in
from tests.harness.live_server import LiveServer
from townsquare.lib.memo import TtlMemo

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_rate_limits")]


@pytest.fixture
def scene(committed_db: None, tenant_a: Tenant) -> Iterator[dict[str, str]]:
    stamp = time.monotonic_ns() % 10**8
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug=f"mod-{stamp}")
        resident = UserFactory.create(username=f"Res{stamp}")
        moderator = UserFactory.create(username=f"Mod{stamp}", role=User.Role.MODERATOR)
        comment = CommentFactory.create(idea__dialogue=dialogue, body=f"Nasty remark {stamp}")
        SiteSettings.objects.update(report_threshold=1)
    TtlMemo.clear_all()
    yield {
        "slug": dialogue.slug,
        "resident": resident.username,
        "moderator": moderator.username,
        "comment": str(comment.pk),
        "remark": comment.body,
        "idea_url": comment.idea.get_absolute_url(),
    }
    with tenant_context(tenant_a):
        SiteSettings.objects.update(report_threshold=3)
        Dialogue.objects.filter(pk=dialogue.pk).delete()
    TtlMemo.clear_all()


def _sign_in(page: Page, site: LiveServer, username: str) -> None:
    sign_in(page, site.url("alpha", "/accounts/login/"), username)


def test_a_held_idea_tells_its_author_what_to_change(
    page: Page, live_site: LiveServer, scene: dict[str, str]
) -> None:
    _sign_in(page, live_site, scene["resident"])
    page.goto(live_site.url("alpha", f"/dialogues/{scene['slug']}/ideas/new/"))
    page.get_by_label("Title").fill("Contact me")
    page.get_by_label("Your idea").fill("Text 07700 900123 and I will explain")
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_text("phone number (07700 900123)")).to_be_visible()
    expect(page.get_by_text("Only you can see this idea for now")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="edit your idea", exact=True).click()
    page.get_by_label("Your idea").fill("Ask me here and I will explain")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your idea is updated.")).to_be_visible()
    expect(page.get_by_text("Only you can see this idea for now")).to_have_count(0)


def test_a_report_hides_a_comment_and_a_moderator_restores_it(
    browser: Browser, page: Page, live_site: LiveServer, scene: dict[str, str]
) -> None:
    visitor = browser.new_context()
    visitor.add_init_script(path=str(AXE_SOURCE))
    reader = visitor.new_page()
    try:
        reader.goto(live_site.url("alpha", scene["idea_url"]))
        reader.get_by_role("link", name="Report this comment").click()
        assert_accessible(reader)
        reader.get_by_label("Bullying or harassment").check()
        reader.get_by_role("button", name="Send report").click()
        expect(reader.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
        reader.goto(live_site.url("alpha", scene["idea_url"]))
        expect(reader.get_by_text(scene["remark"])).to_have_count(0)
    finally:
        visitor.close()

    _sign_in(page, live_site, scene["moderator"])
    page.goto(live_site.url("alpha", "/manage/moderation/?reason=reports"))
    card = page.locator(".card", has_text=scene["remark"])
    expect(card).to_contain_text("reports (1 reports)")
    assert_accessible(page)
    card.get_by_role("button", name="Approve this comment").click()
    expect(page.get_by_text("Comment published.")).to_be_visible()
    page.goto(live_site.url("alpha", scene["idea_url"]))
    expect(page.get_by_text(scene["remark"])).to_be_visible()
