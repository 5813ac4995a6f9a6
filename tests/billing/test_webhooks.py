"""Stripe's webhooks: verified, stored once, handled against Stripe's current state."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from billing import services
from billing.models import AccessState, BillingAccount, WebhookEvent
from tenants.models import Tenant
from tests.billing.conftest import paid_at_checkout
from tests.factories import UserFactory
from tests.harness.fake_stripe import FakeStripe, stripe_signature

pytestmark = pytest.mark.django_db

WEBHOOK = "/billing/stripe/webhook/"


def _send(client: Client, body: bytes, signature: str) -> Any:
    return client.post(
        WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


def _deliver(client: Client, fake: FakeStripe, event: dict[str, Any]) -> Any:
    body = json.dumps(event).encode()
    return _send(client, body, stripe_signature(body, fake.webhook_secret))


def _process_all() -> list[str]:
    """What the worker does with each stored event (the task is this call, retried)."""
    return [
        services.event_process(event_pk=pk)
        for pk in WebhookEvent.objects.order_by("received_at").values_list("pk", flat=True)
    ]


@pytest.fixture
def central(client_for: Callable[..., Client]) -> Client:
    return client_for(None)


@pytest.fixture
def on_trial(alpha: Tenant) -> BillingAccount:
    """Alpha on its free trial with a week and a half left."""
    Tenant.objects.filter(pk=alpha.pk).update(plan="trial")
    alpha.refresh_from_db()
    return BillingAccount.objects.create(
        tenant=alpha,
        mode=BillingAccount.Mode.TRIAL,
        trial_ends_at=timezone.now() + timedelta(days=10),
    )


def _pay_for_community(fake: FakeStripe, tenant: Tenant) -> str:
    """The admin chooses Community and pays on Checkout; returns the subscription id."""
    session_id = paid_at_checkout(fake, tenant)
    return str(fake.checkout_sessions[session_id]["subscription"])


def test_a_forged_signature_is_refused_and_nothing_is_stored(
    billing_on: FakeStripe, central: Client
) -> None:
    event = billing_on.event_make("invoice.paid", {"id": "in_1", "customer": "cus_x"})
    body = json.dumps(event).encode()
    response = _send(central, body, stripe_signature(body, "whsec_somebody_else"))
    assert response.status_code == 400
    tampered = body.replace(b"cus_x", b"cus_y")
    assert (
        _send(central, tampered, stripe_signature(body, billing_on.webhook_secret)).status_code
        == 400
    )
    assert _send(central, body, "").status_code == 400
    assert not WebhookEvent.objects.exists()


def test_a_timestamp_outside_the_tolerance_is_refused(
    billing_on: FakeStripe, central: Client
) -> None:
    event = billing_on.event_make("invoice.paid", {"id": "in_1", "customer": "cus_x"})
    body = json.dumps(event).encode()
    stale = stripe_signature(body, billing_on.webhook_secret, int(time.time()) - 600)
    assert _send(central, body, stale).status_code == 400
    assert not WebhookEvent.objects.exists()


def test_malformed_or_oversized_bodies_are_refused_and_nothing_is_stored(
    billing_on: FakeStripe, central: Client, settings: Any
) -> None:
    for body in (b"not json at all", b"[1, 2, 3]", b'{"id": 5}', "caf\u00e9".encode("latin-1")):
        response = _send(central, body, stripe_signature(body, billing_on.webhook_secret))
        assert response.status_code == 400, body
    settings.STRIPE_WEBHOOK_MAX_BYTES = 2048
    event = billing_on.event_make("invoice.paid", {"id": "in_1", "note": "x" * 4000})
    big = json.dumps(event).encode()
    assert _send(central, big, stripe_signature(big, billing_on.webhook_secret)).status_code == 400
    assert not WebhookEvent.objects.exists()


def test_an_unknown_event_type_is_acknowledged_and_ignored(
    billing_on: FakeStripe, central: Client, on_trial: BillingAccount
) -> None:
    event = billing_on.event_make("customer.tax_id.created", {"id": "txi_1", "customer": "cus_1"})
    assert _deliver(central, billing_on, event).status_code == 200
    assert _process_all() == [WebhookEvent.Outcome.IGNORED]
    on_trial.refresh_from_db()
    assert on_trial.mode == BillingAccount.Mode.TRIAL


def test_a_duplicate_delivery_is_stored_and_queued_once(
    billing_on: FakeStripe, central: Client, django_capture_on_commit_callbacks: Any
) -> None:
    event = billing_on.event_make("invoice.paid", {"id": "in_1", "customer": "cus_nobody"})
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = _deliver(central, billing_on, event)
        second = _deliver(central, billing_on, event)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
    assert WebhookEvent.objects.filter(event_id=event["id"]).count() == 1
    assert len(queued) == 1


def test_an_unknown_customer_is_logged_acknowledged_and_changes_nothing(
    billing_on: FakeStripe,
    central: Client,
    on_trial: BillingAccount,
    caplog: pytest.LogCaptureFixture,
) -> None:
    subscription = {"id": "sub_elsewhere", "customer": "cus_elsewhere", "metadata": {}}
    event = billing_on.event_make("customer.subscription.updated", subscription)
    assert _deliver(central, billing_on, event).status_code == 200
    assert _process_all() == [WebhookEvent.Outcome.UNKNOWN_CUSTOMER]
    assert "unknown customer" in caplog.text
    on_trial.refresh_from_db()
    assert (on_trial.mode, on_trial.stripe_customer_id) == (BillingAccount.Mode.TRIAL, None)
    stored = WebhookEvent.objects.get()
    assert stored.payload == {}  # handled: nothing kept that could name anyone


def test_events_out_of_order_and_repeated_end_in_stripes_current_state(
    billing_on: FakeStripe, central: Client, on_trial: BillingAccount, alpha: Tenant
) -> None:
    subscription = _pay_for_community(billing_on, alpha)
    billing_on.invoice_fail(subscription, deliver=False)
    billing_on.invoice_pay(subscription, deliver=False)
    events = list(billing_on.events)
    shuffled = events + random.Random(7).sample(events, k=len(events))
    random.Random(11).shuffle(shuffled)
    for event in shuffled:
        assert _deliver(central, billing_on, event).status_code == 200
    assert WebhookEvent.objects.count() == len(events)
    assert set(_process_all()) == {WebhookEvent.Outcome.PROCESSED}
    on_trial.refresh_from_db()
    alpha.refresh_from_db()
    assert billing_on.subscriptions[subscription]["status"] == "active"
    assert (on_trial.subscription_status, on_trial.due_since) == ("active", None)
    assert (alpha.plan, alpha.status) == ("community", Tenant.Status.ACTIVE)


def test_a_failed_payment_walks_past_due_then_read_only_then_active_on_payment(
    billing_on: FakeStripe,
    central: Client,
    on_trial: BillingAccount,
    alpha: Tenant,
    client_as: Callable[..., Client],
    settings: Any,
) -> None:
    subscription = _pay_for_community(billing_on, alpha)
    for event in billing_on.events:
        _deliver(central, billing_on, event)
    _process_all()
    billing_on.events.clear()
    billing_on.invoice_fail(subscription, deliver=False)
    for event in billing_on.events:
        _deliver(central, billing_on, event)
    _process_all()
    on_trial.refresh_from_db()
    alpha.refresh_from_db()
    assert on_trial.overdue
    assert alpha.status == Tenant.Status.ACTIVE
    with tenant_context(alpha):
        admin = UserFactory.create(role=User.Role.ADMIN)
        resident = UserFactory.create()
    banner = client_as(alpha, admin).get("/manage/").content.decode()
    assert "the latest payment failed" in banner

    later = timezone.now() + timedelta(days=settings.BILLING_PAST_DUE_GRACE_DAYS, hours=1)
    services.billing_sweep(now=later)
    alpha.refresh_from_db()
    assert alpha.status == Tenant.Status.READ_ONLY
    site = client_as(alpha, resident)
    reading = site.get("/dialogues/alpha-parks/")
    assert reading.status_code == 200
    assert "posting is paused" in reading.content.decode()
    refused = site.post(
        "/dialogues/alpha-parks/ideas/new/", {"title": "More benches", "body": "Please"}
    )
    assert refused.status_code == 403
    assert "subscription has ended" in refused.content.decode()

    billing_on.events.clear()
    billing_on.invoice_pay(subscription, deliver=False)
    for event in billing_on.events:
        _deliver(central, billing_on, event)
    _process_all()
    alpha.refresh_from_db()
    assert alpha.status == Tenant.Status.ACTIVE
    assert BillingAccount.objects.get(pk=on_trial.pk).access_at(later) == AccessState.FULL


def test_an_event_that_meets_stripe_down_is_kept_and_handled_on_a_later_try(
    billing_on: FakeStripe, central: Client, on_trial: BillingAccount, alpha: Tenant, settings: Any
) -> None:
    subscription = _pay_for_community(billing_on, alpha)
    for event in billing_on.events:
        _deliver(central, billing_on, event)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: Stripe is unreachable
    first = WebhookEvent.objects.order_by("received_at").first()
    assert first is not None
    with pytest.raises(services.gateway.BillingUnavailableError):
        services.event_process(event_pk=first.pk)
    first.refresh_from_db()
    assert (first.outcome, first.attempts) == (WebhookEvent.Outcome.FAILED, 1)
    assert first.payload  # kept until handled
    settings.STRIPE_API_BASE = billing_on.api_base
    assert set(_process_all()) == {WebhookEvent.Outcome.PROCESSED}
    on_trial.refresh_from_db()
    assert on_trial.stripe_subscription_id == subscription
    assert on_trial.paid_up


def test_an_event_naming_a_subscription_stripe_does_not_have_is_acknowledged(
    billing_on: FakeStripe, central: Client, on_trial: BillingAccount, alpha: Tenant
) -> None:
    invoice = {
        "id": "in_ghost",
        "customer": "cus_ghost",
        "parent": {
            "type": "subscription_details",
            "subscription_details": {
                "subscription": "sub_ghost",
                "metadata": {"tenant_id": str(alpha.pk)},
            },
        },
    }
    _deliver(central, billing_on, billing_on.event_make("invoice.paid", invoice))
    assert _process_all() == [WebhookEvent.Outcome.UNKNOWN_CUSTOMER]
    on_trial.refresh_from_db()
    assert on_trial.mode == BillingAccount.Mode.TRIAL
    assert (on_trial.stripe_customer_id, on_trial.stripe_subscription_id) == (None, "")
