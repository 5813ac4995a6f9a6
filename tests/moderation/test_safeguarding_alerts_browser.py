"""In a browser: an admin of a site no safeguarding lead can be reached on is told so on every
admin page, prominently and accessibly, and is led to where a lead is invited."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from accounts.models import User
from moderation.alerts import reachable_leads
from tenants.models import Tenant
from tests.factories import UserFactory
from tests.harness.browser import assert_accessible, sign_in
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_name(committed_db: None, tenant_a: Tenant) -> Iterator[str]:
    name = f"Chief{time.monotonic_ns() % 10**7}"
    with tenant_context(tenant_a):
        admin = UserFactory.create(username=name, role=User.Role.ADMIN)
    yield name
    with tenant_context(tenant_a):
        User.objects.filter(pk=admin.pk).delete()


def test_an_admin_sees_that_no_lead_can_be_reached_and_where_to_invite_one(
    page: Page, live_site: LiveServer, tenant_a: Tenant, admin_name: str
) -> None:
    with tenant_context(tenant_a):
        assert not reachable_leads().exists(), "alpha starts without a lead (tests clean up)"
    sign_in(page, live_site.url("alpha", "/accounts/login/"), admin_name)
    for path in ("/manage/", "/manage/settings/"):
        page.goto(live_site.url("alpha", path))
        warning = page.get_by_role("region", name="Safeguarding alerts need attention")
        expect(warning).to_contain_text("No safeguarding lead can be reached")
        assert_accessible(page)
    warning.get_by_role("link", name="Invite a safeguarding lead").click()
    expect(page).to_have_url(live_site.url("alpha", "/manage/staff/"))
    assert_accessible(page)
