"""The admin area in a browser: every page passes axe, and an admin can run a dialogue."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from accounts.models import User
from dialogues.models import Dialogue
from tenants.models import Tenant
from tests.factories import UserFactory
from tests.harness.browser import assert_accessible, sign_in
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_name(committed_db: None, tenant_a: Tenant) -> Iterator[str]:
    name = f"Admin{time.monotonic_ns() % 10**7}"
    with tenant_context(tenant_a):
        UserFactory.create(username=name, role=User.Role.ADMIN)
    yield name
    with tenant_context(tenant_a):
        Dialogue.objects.filter(slug__startswith="browser-made-").delete()


def test_an_admin_sets_up_and_opens_a_dialogue_on_accessible_pages(
    page: Page, live_site: LiveServer, admin_name: str
) -> None:
    sign_in(page, live_site.url("alpha", "/accounts/login/"), admin_name)
    page.get_by_role("link", name="Manage").click()
    assert_accessible(page)
    for link in (
        "Awaiting a response",
        "Moderation",
        "Helplines",
        "Join codes",
        "Staff",
        "Settings",
    ):
        page.get_by_role("navigation", name="Admin area").get_by_role("link", name=link).click()
        assert_accessible(page)
    page.get_by_role("link", name="Dialogues").first.click()
    page.get_by_role("link", name="New dialogue").click()
    assert_accessible(page)
    slug = f"browser-made-{time.monotonic_ns() % 10**7}"
    page.get_by_label("Title").fill("Late buses")
    page.get_by_label("Slug").fill(slug)
    page.get_by_label("Question").fill("Which routes need later buses?")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("saved as a draft")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Open now").click()
    expect(page.get_by_text("The dialogue is now open")).to_be_visible()
    page.get_by_role("link", name="View the public page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Late buses")
    assert_accessible(page)
