"""Paying in a real browser: pricing to a paid site through Checkout, and an admin upgrading."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from accounts.models import User
from billing.models import BillingAccount
from billing.services import account_for, billing_sweep
from tenants.models import Signup, Tenant
from tenants.services import tenant_create
from tests.factories import PASSWORD, DialogueFactory, UserFactory
from tests.harness.browser import assert_accessible, sign_in
from tests.harness.fake_stripe import FakeStripe
from tests.harness.live_server import LiveServer
from tests.harness.worker import Worker

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_pricing_to_a_paid_site_through_checkout(
    page: Page,
    live_site: LiveServer,
    celery_worker: Worker,
    billing_on: FakeStripe,
    cleanup: list[str],
) -> None:
    billing_on.webhook_url = live_site.url(None, "/billing/stripe/webhook/")
    slug = f"p-{uuid.uuid4().hex[:8]}"
    cleanup.append(slug)
    page.goto(live_site.url(None, "/pricing/"))
    assert_accessible(page)
    page.get_by_role("link", name="Buy Partnership now by card").click()
    expect(page.get_by_label("Partnership")).to_be_checked()
    expect(page.get_by_label("Pay now by card")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Organisation name").fill("Knowsley Youth Voice")
    page.get_by_label("Your site's address").fill(slug)
    page.get_by_label("Your work email address").fill(f"lead@{slug}.example.org")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_role("button", name="Create my site").click()
    # Stripe's hosted page (the fake's), then back to the new site, signed in.
    page.wait_for_url(f"{billing_on.api_base}/pay/**")
    expect(page.get_by_text("£299")).to_be_visible()
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url(
        f"http://{slug}.{settings.ROOT_DOMAIN}:{live_site.port}/manage/", timeout=30000
    )
    expect(page.get_by_text("Signed in as admin")).to_be_visible()
    expect(page.get_by_text("Partnership plan")).to_be_visible()
    assert_accessible(page)
    tenant = Tenant.objects.get(slug=slug)
    assert tenant.plan == "partnership"
    assert BillingAccount.objects.get(tenant=tenant).mode == BillingAccount.Mode.STRIPE


def test_an_admin_upgrades_from_the_billing_page(
    page: Page,
    live_site: LiveServer,
    celery_worker: Worker,
    billing_on: FakeStripe,
    cleanup: list[str],
) -> None:
    billing_on.webhook_url = live_site.url(None, "/billing/stripe/webhook/")
    slug = f"u-{uuid.uuid4().hex[:8]}"
    cleanup.append(slug)
    tenant = tenant_create(name="Halton Young Voices", slug=slug)
    with tenant_context(tenant):
        admin = UserFactory.create(role=User.Role.ADMIN, email=f"admin@{slug}.example.org")
    sign_in(page, live_site.url(slug, "/accounts/login/"), admin.username)
    page.goto(live_site.url(slug, "/manage/"))
    expect(page.get_by_text("Free trial · 30 days left")).to_be_visible()
    page.get_by_role("link", name="Billing", exact=True).first.click()
    expect(page.get_by_role("heading", name="Billing", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Choose Community").click()
    page.wait_for_url(f"{billing_on.api_base}/pay/**")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url(live_site.url(slug, "/manage/billing/"))
    expect(page.get_by_text("now on the Community plan")).to_be_visible()
    expect(page.get_by_role("link", name="View invoice").first).to_be_visible()
    assert_accessible(page)
    tenant.refresh_from_db()
    assert tenant.plan == "community"


def test_a_read_only_site_reads_and_says_why_posting_is_paused(
    page: Page, live_site: LiveServer, cleanup: list[str]
) -> None:
    slug = f"r-{uuid.uuid4().hex[:8]}"
    cleanup.append(slug)
    tenant = tenant_create(name="Wirral Young Voices", slug=slug)
    with tenant_context(tenant):
        resident = UserFactory.create()
        DialogueFactory.create(slug="parks", title="What should change in our parks?")
    account = account_for(tenant=tenant)
    BillingAccount.objects.filter(pk=account.pk).update(
        trial_ends_at=timezone.now() - timedelta(minutes=1)
    )
    billing_sweep()
    sign_in(page, live_site.url(slug, "/accounts/login/"), resident.username)
    page.goto(live_site.url(slug, "/dialogues/parks/"))
    expect(page.get_by_text("This site is read-only for now")).to_be_visible()
    assert_accessible(page)
    page.goto(live_site.url(slug, "/dialogues/parks/ideas/new/"))
    page.get_by_label("Title").fill("More benches")
    page.get_by_label("Your idea").fill("By the pond, please.")
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_role("heading", name="Posting is paused")).to_be_visible()
    expect(page.get_by_text("its subscription has ended")).to_be_visible()
    assert_accessible(page)


def test_a_card_first_sign_up_can_go_back_from_checkout_and_pay_later(
    page: Page,
    live_site: LiveServer,
    celery_worker: Worker,
    billing_on: FakeStripe,
    cleanup: list[str],
) -> None:
    slug = f"c-{uuid.uuid4().hex[:8]}"
    cleanup.append(slug)
    page.goto(live_site.url(None, "/signup/?plan=community&start=paid"))
    page.get_by_label("Organisation name").fill("Halton Youth Voice")
    page.get_by_label("Your site's address").fill(slug)
    page.get_by_label("Your work email address").fill(f"lead@{slug}.example.org")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_role("button", name="Create my site").click()
    page.wait_for_url(f"{billing_on.api_base}/pay/**")
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_text("The payment was not completed")).to_be_visible()
    assert_accessible(page)
    assert Signup.objects.get(slug=slug).status == Signup.Status.AWAITING_PAYMENT
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url(f"{billing_on.api_base}/pay/**")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url(
        f"http://{slug}.{settings.ROOT_DOMAIN}:{live_site.port}/manage/", timeout=30000
    )
    expect(page.get_by_text("Community plan")).to_be_visible()
