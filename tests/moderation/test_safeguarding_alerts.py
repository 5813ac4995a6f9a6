"""Safeguarding alerts are durable: one email per lead, retried, recorded, and any failure, or a
site with no lead to tell, shown to the site's admins and leads and to platform staff."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from moderation.alerts import reachable_leads
from moderation.models import AlertDelivery, SafeguardingConcern
from moderation.services import safeguarding_handle, safeguarding_raise
from tenants.models import Tenant
from tests.factories import UserFactory
from tests.harness.smtp_sink import SmtpSink
from tests.harness.worker import Worker, worker_wait

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("committed_db")]

FAILING = "Safeguarding alerts are failing"
NO_LEAD = "No safeguarding lead can be reached"


@pytest.fixture
def made(tenant_a: Tenant, tenant_b: Tenant) -> Iterator[dict[str, list[Any]]]:
    """Rows a test commits in alpha and beta, removed afterwards."""
    rows: dict[str, list[Any]] = {"alpha": [], "beta": []}
    yield rows
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            for row in reversed(rows[tenant.slug]):
                type(row).objects.filter(pk=row.pk).delete()


@pytest.fixture
def console(client_for: Callable[..., Client]) -> Client:
    """Platform staff signed in to the staff console with a second factor. The account stays
    (uniquely named): deleting a public-schema user would look for tenant-only tables."""
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.conftest import STAFF_TOTP_SECRET

    staff = User.objects.create_superuser(username=f"console{_stamp()}", password="x-long-pass-123")
    TOTP.activate(staff, STAFF_TOTP_SECRET)
    client = client_for(None)
    client.force_login(staff)
    return client


def _stamp() -> int:
    return time.monotonic_ns() % 10**8


def _lead(made: list[Any], name: str, email: str) -> User:
    lead = UserFactory.create(
        username=name, role=User.Role.SAFEGUARDING, email=email, verified=False
    )
    made.append(lead)
    return lead


def _signed_in(client_for: Callable[..., Client], tenant: Tenant, user: User) -> Client:
    client = client_for(tenant)
    with tenant_context(tenant):
        client.force_login(user)
    return client


def _deliveries(concern: SafeguardingConcern) -> list[AlertDelivery]:
    return list(AlertDelivery.objects.filter(concern=concern).order_by("pk"))


def test_a_refused_lead_is_retried_while_the_other_lead_is_told_at_once(
    celery_worker: Worker,
    smtp_sink: SmtpSink,
    tenant_a: Tenant,
    made: dict[str, list[Any]],
) -> None:
    stamp = _stamp()
    busy, fine = f"busy{stamp}@example.org", f"fine{stamp}@example.org"
    smtp_sink.refuse(busy, times=1, permanent=False)
    with tenant_context(tenant_a):
        busy_lead = _lead(made["alpha"], f"Busy{stamp}", busy)
        fine_lead = _lead(made["alpha"], f"Fine{stamp}", fine)
        concern = safeguarding_raise(category="harm", raised_by=None, message=f"Worry {stamp}")
        made["alpha"].append(concern)

    worker_wait(lambda: smtp_sink.to(fine) and smtp_sink.to(busy), celery_worker)
    assert smtp_sink.refusals_of(busy) == 1
    for address in (busy, fine):
        [message] = smtp_sink.to(address)
        assert f"#concern-{concern.pk}" in message.get_content()
        assert f"Worry {stamp}" not in message.get_content()
    with tenant_context(tenant_a):
        worker_wait(
            lambda: all(d.status == AlertDelivery.Status.SENT for d in _deliveries(concern)),
            celery_worker,
        )
        by_lead = {d.lead_id: d for d in _deliveries(concern)}
    assert set(by_lead) == {busy_lead.pk, fine_lead.pk}
    # The other lead was told on the first attempt: the refusal held up nobody else.
    assert by_lead[fine_lead.pk].attempts == 1
    assert by_lead[busy_lead.pk].attempts == 2
    assert by_lead[busy_lead.pk].sent_at is not None

    # Delivered alerts are never sent again, even if their task runs twice.
    from moderation.tasks import safeguarding_alert_deliver, safeguarding_alert_leads

    with tenant_context(tenant_a):
        safeguarding_alert_leads.delay(concern_id=concern.pk)
        for delivery in by_lead.values():
            safeguarding_alert_deliver.delay(delivery_id=delivery.pk)
        # A later alert to the same lead is the sign that the worker got past those tasks.
        later = safeguarding_raise(category="other", raised_by=None, message="Later")
        made["alpha"].append(later)
    worker_wait(lambda: len(smtp_sink.to(fine)) >= 2, celery_worker)
    assert len(smtp_sink.to(fine)) == 2
    assert f"#concern-{later.pk}" in smtp_sink.to(fine)[-1].get_content()


def test_a_failing_address_ends_as_failed_and_is_shown_in_manage_and_the_console(
    celery_worker: Worker,
    smtp_sink: SmtpSink,
    tenant_a: Tenant,
    client_for: Callable[..., Client],
    console: Client,
    made: dict[str, list[Any]],
) -> None:
    stamp = _stamp()
    bad, full = f"gone{stamp}@example.org", f"full{stamp}@example.org"
    smtp_sink.refuse(bad)  # 550: the mailbox does not exist
    smtp_sink.refuse(full, permanent=False)  # 450 every time: retried until retries run out
    with tenant_context(tenant_a):
        bad_lead = _lead(made["alpha"], f"Gone{stamp}", bad)
        full_lead = _lead(made["alpha"], f"Full{stamp}", full)
        admin = UserFactory.create(username=f"Boss{stamp}", role=User.Role.ADMIN)
        analyst = UserFactory.create(username=f"Counter{stamp}", role=User.Role.ANALYST)
        made["alpha"].extend([admin, analyst])
        concern = safeguarding_raise(
            category="self_harm", raised_by=None, message=f"Private worry {stamp}"
        )
        made["alpha"].append(concern)
        worker_wait(
            lambda: [d.status for d in _deliveries(concern)] == [AlertDelivery.Status.FAILED] * 2,
            celery_worker,
        )
        by_lead = {d.lead_id: d for d in _deliveries(concern)}
    assert by_lead[bad_lead.pk].attempts == 1  # a permanent refusal is not retried
    assert by_lead[full_lead.pk].attempts == 3  # the worker's SAFEGUARDING_ALERT_RETRIES is 2
    assert {d.last_error for d in by_lead.values()} == {"SMTPRecipientsRefused"}
    assert smtp_sink.to(bad) == smtp_sink.to(full) == []

    for user in (admin, bad_lead):
        page = _signed_in(client_for, tenant_a, user).get("/manage/").content.decode()
        assert FAILING in page
        assert f"Private worry {stamp}" not in page
        assert "Self-harm" not in page
    assert FAILING not in _signed_in(client_for, tenant_a, analyst).get("/manage/").content.decode()

    listing = console.get("/staff/tenants/tenant/").content.decode()
    assert "Alerts failing" in listing
    failing = console.get("/staff/tenants/tenant/?safeguarding=failing").content.decode()
    assert tenant_a.name in failing
    assert "Beta Youth Forum" not in failing

    # Once a lead has dealt with the concern, its failed alert no longer needs anyone.
    with tenant_context(tenant_a):
        safeguarding_handle(concern=concern, by=full_lead, note="Called the school.")
    assert FAILING not in _signed_in(client_for, tenant_a, admin).get("/manage/").content.decode()


def test_a_site_with_no_reachable_lead_is_recorded_and_shown_in_manage_and_the_console(
    celery_worker: Worker,
    tenant_a: Tenant,
    tenant_b: Tenant,
    client_for: Callable[..., Client],
    console: Client,
    made: dict[str, list[Any]],
) -> None:
    stamp = _stamp()
    with tenant_context(tenant_a):
        assert not reachable_leads().exists(), "alpha starts without a lead (tests clean up)"
        # A lead without an email address, and one whose account is closed, reach nobody.
        _lead(made["alpha"], f"NoMail{stamp}", "")
        left = _lead(made["alpha"], f"Left{stamp}", f"left{stamp}@example.org")
        User.objects.filter(pk=left.pk).update(is_active=False)
        admin = UserFactory.create(username=f"Chief{stamp}", role=User.Role.ADMIN)
        made["alpha"].append(admin)
        concern = safeguarding_raise(category="harm", raised_by=None, message="Nobody to tell")
        made["alpha"].append(concern)
        worker_wait(lambda: _deliveries(concern), celery_worker)
        [record] = _deliveries(concern)
    assert record.lead_id is None
    assert record.status == AlertDelivery.Status.FAILED
    assert record.last_error == "NoReachableLead"

    page = _signed_in(client_for, tenant_a, admin).get("/manage/").content.decode()
    assert NO_LEAD in page
    assert "Nobody to tell" not in page

    with tenant_context(tenant_b):
        _lead(made["beta"], f"BetaLead{stamp}", f"betalead{stamp}@example.org")
    listing = console.get("/staff/tenants/tenant/").content.decode()
    assert "No reachable lead" in listing
    unreachable = console.get("/staff/tenants/tenant/?safeguarding=no_lead").content.decode()
    assert tenant_a.name in unreachable
    assert tenant_b.name not in unreachable


def test_beat_sends_alerts_whose_task_message_was_lost(
    celery_worker: Worker, smtp_sink: SmtpSink, tenant_a: Tenant, made: dict[str, list[Any]]
) -> None:
    from moderation.tasks import safeguarding_alerts_sweep

    stamp = _stamp()
    address = f"sweep{stamp}@example.org"
    earlier = timezone.now() - timedelta(minutes=10)
    with tenant_context(tenant_a):
        lead = _lead(made["alpha"], f"Sweep{stamp}", address)
        # Saved, but the broker was away: no task ever ran for either.
        never_planned = SafeguardingConcern.objects.create(category="harm", message="Lost")
        planned = SafeguardingConcern.objects.create(category="weapons", message="Lost too")
        made["alpha"].extend([never_planned, planned])
        SafeguardingConcern.objects.filter(pk__in=[never_planned.pk, planned.pk]).update(
            created_at=earlier
        )
        AlertDelivery.objects.create(concern=planned, lead=lead, next_attempt_at=earlier)
        safeguarding_alerts_sweep.delay()

    def links() -> set[str]:
        return {
            f"#concern-{concern.pk}"
            for concern in (never_planned, planned)
            for message in smtp_sink.to(address)
            if f"#concern-{concern.pk}" in message.get_content()
        }

    worker_wait(lambda: len(links()) == 2, celery_worker)
    assert len(smtp_sink.to(address)) == 2
