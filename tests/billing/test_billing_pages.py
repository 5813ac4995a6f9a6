"""Paying: /manage/billing/, Checkout and the portal, paid sign-up, and who may do what."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import StaffInvitation, User
from billing import services
from billing.models import BillingAccount
from billing.plans import COMMUNITY
from dialogues.models import Dialogue
from tenants.models import Signup, Tenant
from tests.billing.conftest import paid_at_checkout
from tests.factories import DialogueFactory, UserFactory
from tests.harness.fake_stripe import FakeStripe
from themes.models import ThemeDraft

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial_admin(alpha: Tenant) -> User:
    Tenant.objects.filter(pk=alpha.pk).update(plan="trial")
    BillingAccount.objects.create(
        tenant=alpha,
        mode=BillingAccount.Mode.TRIAL,
        trial_ends_at=timezone.now() + timedelta(days=5),
    )
    with tenant_context(alpha):
        return UserFactory.create(role=User.Role.ADMIN, email="boss@alpha.example.org")


def test_without_stripe_keys_billing_says_it_is_off_and_offers_no_payment(
    alpha: Tenant, trial_admin: User, client_as: Callable[..., Client]
) -> None:
    page = client_as(alpha, trial_admin).get("/manage/billing/").content.decode()
    assert "Online payment is not set up on this platform" in page
    assert "5 days left" in page
    assert "Choose Community" not in page


def test_an_admin_upgrades_through_checkout_and_sees_the_plan_and_invoices(
    billing_on: FakeStripe,
    alpha: Tenant,
    trial_admin: User,
    client_as: Callable[..., Client],
) -> None:
    admin = client_as(alpha, trial_admin)
    page = admin.get("/manage/billing/").content.decode()
    assert "Free trial · 5 days left" in page
    started = admin.post("/manage/billing/plan/", {"plan": "community"})
    assert started.status_code == 302
    assert started["Location"].startswith(f"{billing_on.api_base}/pay/cs_")
    session_id = started["Location"].rsplit("/", 1)[-1]
    session = billing_on.checkout_sessions[session_id]
    assert session["mode"] == "subscription"
    billing_on.checkout_complete(session_id, deliver=False)
    back = admin.get(f"/manage/billing/?checkout={session_id}", follow=True)
    page = back.content.decode()
    assert "now on the Community plan" in page
    alpha.refresh_from_db()
    assert alpha.plan == "community"
    account = BillingAccount.objects.get(tenant=alpha)
    assert account.mode == BillingAccount.Mode.STRIPE
    assert account.paid_up
    assert "View invoice" in page
    assert "Manage card or cancel" in page
    portal = admin.post("/manage/billing/portal/")
    assert portal["Location"].startswith(f"{billing_on.api_base}/portal/")


def test_a_checkout_session_of_another_site_changes_nothing(
    billing_on: FakeStripe,
    alpha: Tenant,
    beta: Tenant,
    trial_admin: User,
    client_as: Callable[..., Client],
) -> None:
    BillingAccount.objects.create(
        tenant=beta, mode=BillingAccount.Mode.TRIAL, trial_ends_at=timezone.now()
    )
    session_id = paid_at_checkout(billing_on, beta)
    admin = client_as(alpha, trial_admin)
    assert admin.get(f"/manage/billing/?checkout={session_id}").status_code == 404
    assert admin.get("/manage/billing/?checkout=cs_made_up").status_code == 404
    account = BillingAccount.objects.get(tenant=alpha)
    assert (account.mode, account.stripe_customer_id) == (BillingAccount.Mode.TRIAL, None)


def test_only_admins_reach_billing_and_never_another_sites(
    alpha: Tenant, beta: Tenant, trial_admin: User, client_as: Callable[..., Client]
) -> None:
    with tenant_context(alpha):
        moderator = UserFactory.create(role=User.Role.MODERATOR)
    assert client_as(alpha, moderator).get("/manage/billing/").status_code == 403
    assert (
        client_as(alpha, moderator).post("/manage/billing/plan/", {"plan": "community"}).status_code
        == 403
    )
    # Alpha's admin session means nothing on beta's host: sign-in is asked for.
    elsewhere = client_as(alpha, trial_admin)
    elsewhere.defaults["HTTP_HOST"] = "beta.localhost"
    response = elsewhere.get("/manage/billing/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_staff_without_change_rights_cannot_alter_a_plan(
    client_for: Callable[..., Client], alpha: Tenant
) -> None:
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.conftest import STAFF_TOTP_SECRET

    viewer = User.objects.create_user(
        username=f"viewer{secrets.token_hex(3)}", password="x-long-pass-123", is_staff=True
    )
    viewer.user_permissions.add(Permission.objects.get(codename="view_tenant"))
    TOTP.activate(viewer, STAFF_TOTP_SECRET)
    console = client_for(None)
    console.force_login(viewer)
    response = console.post(
        f"/staff/tenants/tenant/{alpha.pk}/change/",
        {"name": alpha.name, "plan": "community"},
    )
    assert response.status_code == 403
    alpha.refresh_from_db()
    assert alpha.plan == "partnership"


def test_the_pricing_page_leads_into_sign_up_with_the_plan_chosen(
    billing_on: FakeStripe, client_for: Callable[..., Client]
) -> None:
    central = client_for(None)
    pricing = central.get("/pricing/").content.decode()
    assert 'href="/signup/?plan=community"' in pricing
    assert 'href="/signup/?plan=partnership&amp;start=paid"' in pricing
    form = central.get("/signup/?plan=partnership&start=paid").content.decode()
    assert re.search(r'<input[^>]*value="partnership"[^>]*checked', form)
    assert re.search(r'<input[^>]*value="paid"[^>]*checked', form)


def test_a_paid_sign_up_pays_first_and_its_site_is_queued_once_checkout_completes(
    billing_on: FakeStripe,
    client_for: Callable[..., Client],
    fresh_rate_limits: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    central = client_for(None)
    form = central.get("/signup/?plan=partnership&start=paid").content.decode()
    submit_key = form.split('name="submit_key" value="', 1)[1].split('"', 1)[0]
    response = central.post(
        "/signup/",
        {
            "organisation": "Wirral Youth Voice",
            "slug": "wirral-youth",
            "admin_email": "lead@wirral.example.org",
            "password": "a-long-unusual-pass-42",
            "plan": "partnership",
            "start": "paid",
            "submit_key": submit_key,
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(f"{billing_on.api_base}/pay/cs_")
    signup = Signup.objects.get(slug="wirral-youth")
    assert signup.status == Signup.Status.AWAITING_PAYMENT
    session_id = response["Location"].rsplit("/", 1)[-1]
    assert billing_on.checkout_sessions[session_id]["customer_email"] == "lead@wirral.example.org"
    billing_on.checkout_complete(session_id, deliver=False)
    status_url = billing_on.checkout_sessions[session_id]["success_url"].split("?")[0]
    path = status_url.split("localhost", 1)[1].split("/", 1)[1]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        central.get(f"/{path}?checkout={session_id}")
    signup.refresh_from_db()
    assert signup.status == Signup.Status.QUEUED
    assert signup.stripe_subscription_id
    assert signup.stripe_customer_id
    assert len(queued) == 1  # the site is made once, by the worker


def test_an_abandoned_paid_sign_up_gives_its_name_back(billing_on: FakeStripe) -> None:
    signup = Signup.objects.create(
        organisation="Halton",
        slug="halton-voices",
        admin_email="a@halton.example.org",
        plan="community",
        submit_key=secrets.token_hex(8),
        status=Signup.Status.AWAITING_PAYMENT,
    )
    Signup.objects.filter(pk=signup.pk).update(created_at=timezone.now() - timedelta(hours=25))
    services.billing_sweep()
    signup.refresh_from_db()
    assert signup.status == Signup.Status.FAILED
    assert "Payment was not completed" in signup.error


def test_a_downgrade_that_would_exceed_a_limit_says_what_to_change_first(
    billing_on: FakeStripe, alpha: Tenant, client_as: Callable[..., Client]
) -> None:
    with tenant_context(alpha):
        admin = UserFactory.create(role=User.Role.ADMIN)
        for number in range(4):
            DialogueFactory.create(slug=f"open-{number}", state=Dialogue.State.OPEN)
        open_now = Dialogue.objects.filter(state=Dialogue.State.OPEN).count()
    site = client_as(alpha, admin)
    page = site.get("/manage/billing/").content.decode()
    advice = f"Close {open_now - 3} of your {open_now} open dialogues: the Community plan allows 3."
    assert advice in page
    refused = site.post("/manage/billing/plan/", {"plan": "community"}, follow=True)
    assert advice in refused.content.decode()
    alpha.refresh_from_db()
    assert alpha.plan == "partnership"
    assert not billing_on.checkout_sessions


def test_platform_staff_see_trials_ending_overdue_and_unpaid_sites(
    platform_staff: Client, alpha: Tenant, beta: Tenant
) -> None:
    BillingAccount.objects.create(
        tenant=alpha,
        mode=BillingAccount.Mode.TRIAL,
        trial_ends_at=timezone.now() + timedelta(days=3),
    )
    BillingAccount.objects.create(
        tenant=beta,
        mode=BillingAccount.Mode.STRIPE,
        trial_ends_at=timezone.now() - timedelta(days=60),
        subscription_status="past_due",
        due_since=timezone.now() - timedelta(days=2),
    )
    listing = platform_staff.get("/staff/tenants/tenant/").content.decode()
    assert "Billing is off" in listing
    assert "Trials ending within 7 days: 1" in listing
    assert "Payment overdue: 1" in listing
    ending = platform_staff.get("/staff/tenants/tenant/?billing=trial_ending").content.decode()
    assert alpha.name in ending
    assert beta.name not in ending
    overdue = platform_staff.get("/staff/tenants/tenant/?billing=overdue").content.decode()
    assert beta.name in overdue
    assert "Overdue since" in overdue


def test_back_from_checkout_just_after_the_webhook_queued_the_site_is_no_error(
    billing_on: FakeStripe, client_for: Callable[..., Client], fresh_rate_limits: None
) -> None:
    central = client_for(None)
    form = central.get("/signup/?plan=community&start=paid").content.decode()
    submit_key = form.split('name="submit_key" value="', 1)[1].split('"', 1)[0]
    started = central.post(
        "/signup/",
        {
            "organisation": "Sefton Youth Voice",
            "slug": "sefton-youth",
            "admin_email": "lead@sefton.example.org",
            "password": "a-long-unusual-pass-42",
            "plan": "community",
            "start": "paid",
            "submit_key": submit_key,
        },
    )
    session_id = started["Location"].rsplit("/", 1)[-1]
    billing_on.checkout_complete(session_id, deliver=False)
    # The page read the sign-up as still awaiting payment...
    seen = Signup.objects.get(slug="sefton-youth")
    # ...then the webhook's handler queued it, and the worker began making the site.
    session = billing_on.checkout_sessions[session_id]
    assert services.signup_payment_settle(
        signup_id=seen.pk, customer=session["customer"], subscription_id=session["subscription"]
    )
    Signup.objects.filter(pk=seen.pk).update(status=Signup.Status.PROVISIONING)
    assert services.signup_checkout_return(signup=seen, session_id=session_id)
    assert Signup.objects.get(pk=seen.pk).status == Signup.Status.PROVISIONING


def test_a_downgrade_counts_what_the_site_really_uses(alpha: Tenant) -> None:
    with tenant_context(alpha):
        ThemeDraft.objects.update_or_create(
            singleton=True, defaults={"hide_branding": True, "custom_css": "h1 { color: #000 }"}
        )
        StaffInvitation.objects.create(
            email="waiting@example.org",
            role=User.Role.MODERATOR,
            token=secrets.token_hex(8),
            expires_at=timezone.now() + timedelta(days=2),
        )
    usage = services.tenant_usage(tenant=alpha)
    assert usage.branding_removed
    assert usage.custom_css
    with tenant_context(alpha):
        assert usage.staff_seats == User.objects.exclude(role="").count() + 1
    problems = services.plan_change_problems(tenant=alpha, plan=COMMUNITY)
    assert any("Show the Townsquare branding again" in p for p in problems)
    assert any("Remove your custom CSS" in p for p in problems)
