"""Billing with the real moving parts: beat ends a trial, the worker handles Stripe's events."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from billing.models import BillingAccount, WebhookEvent
from billing.plans import COMMUNITY
from billing.services import account_for, checkout_start
from tenants.models import Tenant
from tenants.services import tenant_create
from tests.factories import UserFactory
from tests.harness.fake_stripe import FakeStripe
from tests.harness.live_server import LiveServer
from tests.harness.smtp_sink import SmtpSink
from tests.harness.worker import Worker, beat_start, beat_stop, worker_wait

pytestmark = pytest.mark.worker


@pytest.fixture
def trial_site(committed_db: None) -> Iterator[tuple[Tenant, str]]:
    """A committed site on its free trial with an admin who has an email address."""
    slug = f"bill-{uuid.uuid4().hex[:8]}"
    tenant = tenant_create(name=f"Billing {slug}", slug=slug)
    email = f"admin@{slug}.example.org"
    with tenant_context(tenant):
        UserFactory.create(role=User.Role.ADMIN, email=email)
    yield tenant, email
    WebhookEvent.objects.filter(account__tenant=tenant).delete()
    tenant.delete(force_drop=True)


def test_beat_ends_a_trial_and_the_admin_is_told(
    trial_site: tuple[Tenant, str],
    celery_worker: Worker,
    smtp_sink: SmtpSink,
    tmp_path: Path,
) -> None:
    tenant, email = trial_site
    account = account_for(tenant=tenant)
    BillingAccount.objects.filter(pk=account.pk).update(
        trial_ends_at=timezone.now() - timedelta(minutes=1)
    )
    beat = beat_start(tmp_path, BILLING_SWEEP_SECONDS="1")
    try:
        worker_wait(
            lambda: Tenant.objects.get(pk=tenant.pk).status == Tenant.Status.READ_ONLY,
            celery_worker,
            seconds=60,
        )
        worker_wait(lambda: smtp_sink.to(email), celery_worker, seconds=30)
    finally:
        beat_stop(beat)
    told = smtp_sink.to(email)[-1]
    assert told["Subject"] == f"{tenant.name} is now read-only"
    assert f"{tenant.slug}." in told.get_content()
    assert "/manage/billing/" in told.get_content()


def test_the_worker_handles_delivered_events_and_a_failed_payment_is_reported(
    trial_site: tuple[Tenant, str],
    billing_on: FakeStripe,
    celery_worker: Worker,
    live_site: LiveServer,
    smtp_sink: SmtpSink,
) -> None:
    tenant, email = trial_site
    billing_on.webhook_url = live_site.url(None, "/billing/stripe/webhook/")
    url = checkout_start(
        tenant=tenant, plan=COMMUNITY, email=email, base_url=live_site.url(tenant.slug, "")
    )
    subscription = ""
    session_id = url.rsplit("/", 1)[-1]
    billing_on.checkout_complete(session_id)  # delivered to the live server, signed
    subscription = str(billing_on.checkout_sessions[session_id]["subscription"])
    worker_wait(lambda: Tenant.objects.get(pk=tenant.pk).plan == COMMUNITY.key, celery_worker)
    billing_on.invoice_fail(subscription)
    worker_wait(lambda: account_for(tenant=tenant).overdue, celery_worker)
    worker_wait(lambda: any("payment" in m["Subject"] for m in smtp_sink.to(email)), celery_worker)
    assert all(d.status == 200 for d in billing_on.deliveries)
    worker_wait(
        lambda: (
            not WebhookEvent.objects.filter(
                account__tenant=tenant, outcome=WebhookEvent.Outcome.PENDING
            ).exists()
        ),
        celery_worker,
    )
    billing_on.invoice_pay(subscription)
    worker_wait(lambda: not account_for(tenant=tenant).overdue, celery_worker)
    assert Tenant.objects.get(pk=tenant.pk).status == Tenant.Status.ACTIVE
    # A renewal the bank wants confirmed: the admin gets the hosted invoice's link.
    events = billing_on.invoice_action_required(subscription)
    hosted = events[0]["data"]["object"]["hosted_invoice_url"]
    worker_wait(lambda: any(hosted in m.get_content() for m in smtp_sink.to(email)), celery_worker)
