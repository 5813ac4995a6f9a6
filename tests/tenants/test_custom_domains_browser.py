"""An admin adds the organisation's own domain in a browser, by keyboard, on a page that
passes axe, and is told plainly what DNS still lacks."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from accounts.models import User
from tenants.models import Domain, Tenant
from tests.factories import UserFactory
from tests.harness.browser import assert_accessible, sign_in
from tests.harness.dns_server import DnsServer
from tests.harness.live_server import LiveServer

pytestmark = pytest.mark.browser

HOST = "safer.example.org"


@pytest.fixture
def admin_name(committed_db: None, tenant_a: Tenant) -> Iterator[str]:
    name = f"DomAdmin{time.monotonic_ns() % 10**7}"
    with tenant_context(tenant_a):
        admin = UserFactory.create(username=name, role=User.Role.ADMIN)
    yield name
    Domain.objects.filter(domain=HOST).delete()
    with tenant_context(tenant_a):
        User.objects.filter(pk=admin.pk).delete()


@pytest.fixture
def dns(settings: Settings) -> Iterator[DnsServer]:
    with DnsServer().running() as server:
        settings.DNS_NAMESERVERS = [("127.0.0.1", server.port)]
        yield server


def test_an_admin_adds_a_domain_and_sees_the_records_to_add(
    page: Page, live_site: LiveServer, admin_name: str, dns: DnsServer
) -> None:
    sign_in(page, live_site.url("alpha", "/accounts/login/"), admin_name)
    page.goto(live_site.url("alpha", "/manage/"))
    page.get_by_role("navigation", name="Admin area").get_by_role("link", name="Addresses").click()
    expect(page.get_by_role("heading", name="Addresses", level=1)).to_be_visible()
    assert_accessible(page)

    # A mistake is named beside the field, which keeps what was typed.
    page.get_by_role("textbox", name="Domain").focus()
    page.keyboard.type("https://safer.example.org/")
    page.keyboard.press("Enter")
    expect(page.get_by_text("without https:// or a path")).to_be_visible()
    expect(page.get_by_role("textbox", name="Domain")).to_have_value("https://safer.example.org/")
    assert_accessible(page)

    page.get_by_role("textbox", name="Domain").fill("")
    page.get_by_role("textbox", name="Domain").focus()
    page.keyboard.type(HOST)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"{HOST} is added")).to_be_visible()
    record = Domain.objects.get(domain=HOST)
    expect(page.get_by_text(record.record_value)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name=f"Check now for {HOST}").press("Enter")
    expect(page.get_by_text(f"{HOST} is not verified yet")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name=f"Remove {HOST}").press("Enter")
    expect(page.get_by_text(f"{HOST} is removed")).to_be_visible()
    assert not Domain.objects.filter(domain=HOST).exists()
