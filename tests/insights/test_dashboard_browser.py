"""The insights dashboard and report in a browser: accessible, readable at phone width."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from accounts.models import User
from dialogues.models import Dialogue, Tag
from tenants.models import Tenant
from tests.factories import CommentFactory, DialogueFactory, IdeaFactory, UserFactory
from tests.harness.browser import assert_accessible, sign_in
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def analyst_and_dialogue(committed_db: None, tenant_a: Tenant) -> Iterator[tuple[str, Dialogue]]:
    stamp = time.monotonic_ns() % 10**7
    name = f"Analyst{stamp}"
    with tenant_context(tenant_a):
        UserFactory.create(username=name, role=User.Role.ANALYST)
        dialogue = DialogueFactory.create(
            slug=f"insights-browser-{stamp}", title="Safer streets after dark"
        )
        tag, _ = Tag.objects.get_or_create(name="Street lighting", slug="street-lighting")
        for index in range(7):
            idea = IdeaFactory.create(dialogue=dialogue, title=f"Brighter lamps on route {index}")
            idea.tags.add(tag)
            CommentFactory.create(idea=idea)
    yield name, dialogue
    with tenant_context(tenant_a):
        Dialogue.objects.filter(pk=dialogue.pk).delete()


def test_an_analyst_reads_the_dashboard_and_the_report(
    page: Page, live_site: LiveServer, analyst_and_dialogue: tuple[str, Dialogue]
) -> None:
    name, dialogue = analyst_and_dialogue
    sign_in(page, live_site.url("alpha", "/accounts/login/"), name)
    page.goto(live_site.url("alpha", "/manage/"))
    page.get_by_role("navigation", name="Admin area").get_by_role("link", name="Insights").click()
    page.get_by_label("Dialogue").select_option(dialogue.slug)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Safer streets after dark")).to_be_visible()
    expect(page.get_by_role("img", name="Ideas per day")).to_be_visible()
    assert_accessible(page)
    # Each chart's numbers are one keyboard press away, in its table.
    page.get_by_text("Data table: Ideas per tag (top ten)").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("cell", name="Street lighting")).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("link", name="Report to print").click()
    expect(page.get_by_role("heading", name="Safer streets after dark", level=1)).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # Printed, the report leaves the site's header and links off.
    expect(page.get_by_role("link", name="Back to insights")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("link", name="Back to insights")).to_be_hidden()
    with page.expect_download() as download:
        page.emulate_media(media="screen")
        page.get_by_role("link", name="Download as PDF").click()
    assert download.value.suggested_filename.startswith(f"{dialogue.slug}-report-")
