"""What billing tells a site's admins by email, and who they are."""

from __future__ import annotations

from django.utils import formats, timezone
from django_tenants.utils import schema_context

from accounts.models import User
from billing.models import BillingAccount
from tenants.selectors import tenant_base_url


def admin_addresses(*, account: BillingAccount) -> list[str]:
    """The site's active admins with an email address, read in its own schema."""
    with schema_context(account.tenant.schema_name):
        return list(
            User.objects.filter(role=User.Role.ADMIN, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )


def notice_text(
    *, account: BillingAccount, kind: str, days: str = "", url: str = ""
) -> tuple[str, str]:
    """Subject and body of one notice; the body links to the site's billing page."""
    tenant = account.tenant
    billing = f"{tenant_base_url(tenant=tenant)}/manage/billing/"
    when = _date(account.trial_ends_at)
    if kind == "trial_reminder":
        span = "tomorrow" if days == "1" else f"in {days} days"
        return (
            f"Your Townsquare trial ends {span}",
            f"The free trial of {tenant.name} on Townsquare ends {span}, on {when}.\n\n"
            "To keep residents posting, choose a plan and add a card here:\n"
            f"{billing}\n\nIf you do nothing, the site becomes read-only when the trial "
            "ends: residents can still read everything, but not post. Nothing is deleted.\n",
        )
    if kind == "read_only":
        return (
            f"{tenant.name} is now read-only",
            f"{tenant.name} is now read-only because it has no paid plan: residents can "
            "read everything, but cannot post, comment, rate or join.\n\n"
            f"Choose a plan to open it again at once:\n{billing}\n\n"
            f"If nothing changes, the site will be suspended on {_date(account.suspended_from())}. "
            "Nothing is deleted.\n",
        )
    if kind == "suspended":
        return (
            f"{tenant.name} is suspended",
            f"{tenant.name} is suspended because it has no paid plan: residents see a holding "
            "page. Everything on it is kept.\n\nSign in and choose a plan to bring it back at "
            f"once:\n{billing}\n",
        )
    if kind == "full":
        return (
            f"{tenant.name} is open again",
            f"Thank you: {tenant.name} is paid for and residents can post again.\n\n{billing}\n",
        )
    if kind == "payment_failed":
        return (
            f"A payment for {tenant.name} failed",
            f"We could not take the latest payment for {tenant.name}. Please update the card "
            f"on the billing page:\n{billing}\n\nThe site stays open for now; if the payment "
            "is still missing after the grace period it becomes read-only.\n",
        )
    if kind == "action_required":
        link = url or billing
        return (
            f"Please confirm a payment for {tenant.name}",
            f"Your bank asks you to confirm the latest payment for {tenant.name}. Confirm it "
            f"here:\n{link}\n",
        )
    raise ValueError(f"Unknown billing notice {kind!r}")


def _date(value: object) -> str:
    if value is None:
        return "a date to be set"
    return str(formats.date_format(timezone.localtime(value), "j F Y"))  # type: ignore[arg-type]
