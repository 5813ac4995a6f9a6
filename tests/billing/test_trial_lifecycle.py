"""Trials that end properly: reminders, read-only, suspension, and nothing ever deleted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from billing import services
from billing.models import AccessState, BillingAccount
from billing.notices import notice_text
from dialogues.models import Idea
from moderation.models import SafeguardingConcern
from tenants.models import Tenant
from tenants.services import tenant_status_set
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial(alpha: Tenant) -> BillingAccount:
    Tenant.objects.filter(pk=alpha.pk).update(plan="trial")
    return BillingAccount.objects.create(
        tenant=alpha,
        mode=BillingAccount.Mode.TRIAL,
        trial_ends_at=timezone.now() + timedelta(days=30),
    )


def test_admins_are_reminded_seven_days_and_one_day_before_the_end_once_each(
    trial: BillingAccount, django_capture_on_commit_callbacks: Any
) -> None:
    end = trial.trial_ends_at
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.billing_sweep(now=end - timedelta(days=8))
    assert queued == []
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.billing_sweep(now=end - timedelta(days=6, hours=23))
        services.billing_sweep(now=end - timedelta(days=6))
    assert len(queued) == 1
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.billing_sweep(now=end - timedelta(hours=20))
        services.billing_sweep(now=end - timedelta(hours=2))
    assert len(queued) == 1
    subject, body = notice_text(account=trial, kind="trial_reminder", days="1")
    assert subject == "Your Townsquare trial ends tomorrow"
    assert "/manage/billing/" in body


def test_at_the_end_the_site_turns_read_only_then_suspended_and_keeps_everything(
    trial: BillingAccount,
    alpha: Tenant,
    client_as: Callable[..., Client],
    settings: Any,
) -> None:
    with tenant_context(alpha):
        admin = UserFactory.create(role=User.Role.ADMIN)
        resident = UserFactory.create()
        ideas = Idea.objects.count()
    end = timezone.now() - timedelta(minutes=1)
    BillingAccount.objects.filter(pk=trial.pk).update(trial_ends_at=end)
    services.billing_sweep()
    alpha.refresh_from_db()
    assert (alpha.status, alpha.held_by) == (Tenant.Status.READ_ONLY, Tenant.Hold.BILLING)
    site = client_as(alpha, resident)
    assert site.get("/").status_code == 200
    assert site.post("/dialogues/alpha-parks/ideas/new/", {"title": "x"}).status_code == 403
    # Raising the alarm never depends on the bill; leaving stays possible too.
    told = site.post(
        "/tell-us-privately/", {"category": "harm", "message": "Someone is scaring me"}
    )
    assert told.status_code == 200
    with tenant_context(alpha):
        assert SafeguardingConcern.objects.filter(message="Someone is scaring me").exists()
    gone = site.post("/accounts/delete/", {"content": "keep", "password": PASSWORD})
    assert "Your account is deleted" in gone.content.decode()
    with tenant_context(alpha):
        assert not User.objects.filter(pk=resident.pk).exists()
    staff_page = client_as(alpha, admin).get("/manage/").content.decode()
    assert "read-only for residents" in staff_page
    assert "What to do" in staff_page

    later = end + timedelta(days=settings.BILLING_SUSPEND_AFTER_DAYS, minutes=2)
    services.billing_sweep(now=later)
    alpha.refresh_from_db()
    assert alpha.status == Tenant.Status.SUSPENDED
    held = client_as(alpha).get("/")
    assert held.status_code == 503
    assert "Sign in as its admin" in held.content.decode()
    # The admin can still sign in and pay.
    assert client_as(alpha).get("/accounts/login/").status_code == 200
    assert client_as(alpha, admin).get("/manage/billing/").status_code == 200
    assert client_as(alpha, admin).get("/manage/").status_code == 503
    with tenant_context(alpha):
        assert Idea.objects.count() == ideas


def test_each_change_of_state_is_emailed_once(
    trial: BillingAccount, django_capture_on_commit_callbacks: Any
) -> None:
    after = trial.trial_ends_at + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.billing_sweep(now=after)
        services.billing_sweep(now=after + timedelta(minutes=5))
    assert len(queued) == 1
    trial.refresh_from_db()
    assert trial.notified_state == AccessState.READ_ONLY


def test_sites_staff_invoice_never_expire(alpha: Tenant) -> None:
    account = services.account_for(tenant=alpha)
    assert account.mode == BillingAccount.Mode.MANUAL  # alpha is on Partnership, set by staff
    services.billing_sweep(now=timezone.now() + timedelta(days=400))
    alpha.refresh_from_db()
    assert alpha.status == Tenant.Status.ACTIVE


def test_billing_never_lifts_a_suspension_made_by_platform_staff(
    trial: BillingAccount, alpha: Tenant
) -> None:
    tenant_status_set(tenant=alpha, status=Tenant.Status.SUSPENDED)
    services.billing_sweep()
    alpha.refresh_from_db()
    assert (alpha.status, alpha.held_by) == (Tenant.Status.SUSPENDED, Tenant.Hold.STAFF)


def test_staff_extend_a_trial_and_the_site_opens_again(
    trial: BillingAccount, alpha: Tenant
) -> None:
    services.billing_sweep(now=trial.trial_ends_at + timedelta(days=1))
    BillingAccount.objects.filter(pk=trial.pk).update(
        trial_ends_at=timezone.now() - timedelta(days=1)
    )
    services.billing_sweep()
    alpha.refresh_from_db()
    assert alpha.status == Tenant.Status.READ_ONLY
    services.trial_extend(tenant=alpha, days=14)
    alpha.refresh_from_db()
    assert alpha.status == Tenant.Status.ACTIVE
