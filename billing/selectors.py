"""Reads for billing: what a site's staff are told about its plan and its payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import formats, timezone

from billing import stripe_gateway as gateway
from billing.models import AccessState, BillingAccount
from billing.plans import Plan, money_text, plan_get
from billing.services import account_for
from tenants.models import Tenant


@dataclass(frozen=True, kw_only=True)
class BillingStatus:
    """One line for every /manage/ page, and the billing page's headline."""

    plan: Plan
    account: BillingAccount
    state: str
    trial_days_left: int | None
    overdue: bool
    read_only_from: datetime | None
    suspended_from: datetime | None
    online: bool

    @property
    def next_invoice_text(self) -> str:
        amount, due = self.account.next_amount_pence, self.account.current_period_end
        if not amount or due is None:
            return ""
        return f"{money_text(amount)} on {formats.date_format(due, 'j F Y')}"

    @property
    def urgent(self) -> bool:
        return (
            self.overdue
            or self.state != AccessState.FULL
            or (self.trial_days_left is not None and self.trial_days_left <= 7)
        )

    @property
    def summary(self) -> str:
        if self.state == AccessState.READ_ONLY:
            return f"{self.plan.name} plan · read-only for residents until a plan is paid for"
        if self.state == AccessState.SUSPENDED:
            return "Suspended: residents see a holding page until a plan is paid for"
        if self.overdue:
            return f"{self.plan.name} plan · the latest payment failed: update your card"
        if self.trial_days_left is not None:
            days = self.trial_days_left
            return f"{self.plan.name} · {days} day{'s' if days != 1 else ''} left"
        if self.account.mode == BillingAccount.Mode.MANUAL:
            return f"{self.plan.name} plan · invoiced"
        if self.account.cancel_at_period_end:
            return f"{self.plan.name} plan · cancelled, ends at the end of the period"
        return f"{self.plan.name} plan"


def billing_status(*, tenant: Tenant, now: datetime) -> BillingStatus:
    account = account_for(tenant=tenant)
    try:
        plan = plan_get(tenant.plan)
    except KeyError:
        plan = plan_get("trial")
    in_trial = account.mode == BillingAccount.Mode.TRIAL
    # What the sweep last applied is what residents see; the page says the same.
    if tenant.status == Tenant.Status.READ_ONLY:
        state = AccessState.READ_ONLY
    elif tenant.status == Tenant.Status.SUSPENDED and tenant.held_by == Tenant.Hold.BILLING:
        state = AccessState.SUSPENDED
    else:
        state = AccessState.FULL
    return BillingStatus(
        plan=plan,
        account=account,
        state=state,
        trial_days_left=account.trial_days_left(now) if in_trial else None,
        overdue=account.overdue,
        read_only_from=account.read_only_from(),
        suspended_from=account.suspended_from(),
        online=gateway.enabled(),
    )


def accounts_needing_attention() -> dict[str, int]:
    """Counts for the staff console: trials ending within a week, overdue, read-only, suspended."""
    now = timezone.now()
    accounts = BillingAccount.objects.all()
    return {
        "trials_ending": accounts.filter(
            mode=BillingAccount.Mode.TRIAL,
            trial_ends_at__gt=now,
            trial_ends_at__lte=now + timedelta(days=7),
        ).count(),
        "overdue": accounts.filter(subscription_status__in=["past_due", "unpaid"]).count(),
        "read_only": Tenant.objects.filter(status=Tenant.Status.READ_ONLY).count(),
        "suspended_unpaid": Tenant.objects.filter(
            status=Tenant.Status.SUSPENDED, held_by=Tenant.Hold.BILLING
        ).count(),
    }
