"""A safeguarding lead works the urgent queue in a browser; the pages pass axe."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from accounts.models import User
from moderation.models import SafeguardingConcern
from moderation.services import safeguarding_raise
from tenants.models import Tenant
from tests.factories import UserFactory
from tests.harness.browser import assert_accessible, sign_in
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def lead(committed_db: None, tenant_a: Tenant) -> Iterator[str]:
    name = f"Lead{time.monotonic_ns() % 10**8}"
    with tenant_context(tenant_a):
        UserFactory.create(username=name, role=User.Role.SAFEGUARDING)
        safeguarding_raise(
            category="harm", raised_by=None, message="Told privately in a browser test"
        )
    yield name
    with tenant_context(tenant_a):
        SafeguardingConcern.objects.filter(message__contains="browser test").delete()


def test_a_lead_reads_and_handles_a_private_concern(
    page: Page, live_site: LiveServer, lead: str
) -> None:
    sign_in(page, live_site.url("alpha", "/accounts/login/"), lead)
    page.goto(live_site.url("alpha", "/manage/"))
    page.get_by_role("navigation", name="Admin area").get_by_role(
        "link", name="Safeguarding"
    ).click()
    expect(page.get_by_text("Told privately in a browser test")).to_be_visible()
    assert_accessible(page)
    card = page.locator(".card", has_text="Told privately in a browser test")
    card.get_by_label("What did you do?").fill("Called the family's social worker.")
    card.get_by_role("button", name="Mark as handled").click()
    expect(page.get_by_text("Recorded as handled.")).to_be_visible()
    expect(page.get_by_text("Called the family's social worker.")).to_be_visible()
    assert_accessible(page)
