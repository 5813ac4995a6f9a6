"""An admin sets up a webhook in a browser, by keyboard, on pages that pass axe."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect
from standardwebhooks.webhooks import Webhook

from accounts.models import User
from tenants.models import Tenant
from tests.api.webhooks.receiver import Receiver
from tests.factories import UserFactory
from tests.harness.browser import assert_accessible, sign_in
from tests.harness.live_server import LiveServer
from tests.harness.worker import Worker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.usefixtures("endpoints_removed", "private_ok"),
]


@pytest.fixture
def admin_name(committed_db: None, tenant_a: Tenant) -> Iterator[str]:
    name = f"HookAdmin{time.monotonic_ns() % 10**7}"
    with tenant_context(tenant_a):
        admin = UserFactory.create(username=name, role=User.Role.ADMIN)
    yield name
    with tenant_context(tenant_a):
        User.objects.filter(pk=admin.pk).delete()


def test_an_admin_adds_an_endpoint_sees_the_secret_once_and_a_test_delivery(
    page: Page, live_site: LiveServer, admin_name: str, receiver: Receiver, hooks_worker: Worker
) -> None:
    sign_in(page, live_site.url("alpha", "/accounts/login/"), admin_name)
    page.get_by_role("link", name="Manage").click()
    page.get_by_role("navigation", name="Admin area").get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add an endpoint").click()
    assert_accessible(page)
    # Sent empty: the problems are named beside the fields.
    page.get_by_role("button", name="Add endpoint").press("Enter")
    expect(page.get_by_text("Enter the address deliveries are sent to.")).to_be_visible()
    expect(page.get_by_text("Choose at least one event.")).to_be_visible()
    assert_accessible(page)

    # By keyboard only: type the address, tab to the events, tick with Space, submit.
    page.get_by_label("Endpoint address").focus()
    page.keyboard.type(receiver.url("/browser"))
    page.get_by_label("An idea is published").focus()
    page.keyboard.press("Space")
    page.get_by_label("Description (optional)").focus()
    page.keyboard.type("Our case system")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Signing secret")).to_be_visible()
    secret = page.get_by_role("textbox", name="Secret").input_value()
    assert secret.startswith("whsec_")
    assert_accessible(page)
    page.reload()
    expect(page.get_by_role("heading", name="Signing secret")).to_have_count(0)
    assert secret not in page.content()

    page.get_by_role("button", name="Send a test event").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("A test event is on its way")).to_be_visible()
    receiver.wait_for(lambda: receiver.on("/browser"))
    [received] = receiver.on("/browser")
    assert Webhook(secret).verify(received.body, received.headers)["type"] == "ping"
    deadline = time.monotonic() + 20
    while page.locator("#deliveries-heading + .table-wrap").get_by_text("Delivered").count() == 0:
        assert time.monotonic() < deadline, hooks_worker.log()[-3000:]
        time.sleep(0.3)
        page.reload()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("ping")
    expect(row).to_contain_text("200")
    assert_accessible(page)

    page.get_by_role("link", name="Delete").click()
    assert_accessible(page)
    page.get_by_role("button", name="Delete endpoint").click()
    expect(page.get_by_text("No endpoints yet.")).to_be_visible()
