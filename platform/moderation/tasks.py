"""Urgent safeguarding alerts: an email to every lead, with a link and no content."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import connection

from accounts.models import User
from moderation.models import SafeguardingConcern
from tenants.selectors import tenant_base_url
from townsquare.celery import app


@app.task(acks_late=True, soft_time_limit=60, time_limit=90)
def safeguarding_alert_leads(*, concern_id: int) -> int:
    if not SafeguardingConcern.objects.filter(pk=concern_id).exists():
        return 0
    tenant = connection.tenant  # type: ignore[attr-defined]
    leads = list(
        User.objects.filter(role=User.Role.SAFEGUARDING, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    link = f"{tenant_base_url(tenant=tenant)}/manage/safeguarding/#concern-{concern_id}"
    for email in leads:
        # Nothing of the concern itself: mailboxes are less safe than the site.
        send_mail(
            subject=f"[{tenant.name}] Urgent: a safeguarding concern needs you",
            message=(
                f"A safeguarding concern has been raised on {tenant.name}.\n\n"
                f"Sign in and read it here: {link}\n"
            ),
            from_email=None,
            recipient_list=[email],
        )
    return len(leads)
