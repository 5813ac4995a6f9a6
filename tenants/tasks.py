"""Central-site work run by the worker in the public schema: emails, provisioning, the pool."""

from __future__ import annotations

import logging
from datetime import timedelta

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from celery import Task
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse

from tenants.models import DemoRequest
from tenants.pool import pool_refill
from tenants.provisioning import signup_fail, signup_provision
from tenants.selectors import central_base_url, tenant_base_url
from tenants.services import (
    demo_requests_purge,
    domains_check_pending,
    signups_resume,
    tenant_export_build,
    tenant_usage_count,
)
from townsquare.celery import app

logger = logging.getLogger(__name__)


@app.task(acks_late=True, soft_time_limit=60, time_limit=90)
def demo_request_emails(*, demo_request_id: int) -> int:
    demo = DemoRequest.objects.filter(pk=demo_request_id).first()
    if demo is None:
        return 0
    sent = 0
    if settings.STAFF_EMAILS:
        send_mail(
            subject=f"Demo request from {demo.organisation}",
            message=(
                "A new demo request is waiting in the staff console: "
                f"{central_base_url()}/staff/tenants/demorequest/{demo.pk}/change/"
            ),
            from_email=None,
            recipient_list=settings.STAFF_EMAILS,
        )
        sent += 1
    send_mail(
        subject="Thank you for asking about Townsquare",
        message=(
            f"Hello {demo.name},\n\nThank you for asking for a demo. A real person will be in "
            "touch soon to find a time that suits you. We won't share your contact details.\n"
        ),
        from_email=None,
        recipient_list=[demo.email],
    )
    return sent + 1


@app.task(acks_late=True, soft_time_limit=300, time_limit=360)
def demo_requests_purge_task() -> int:
    return demo_requests_purge()


@app.task(bind=True, acks_late=True, max_retries=None, soft_time_limit=300, time_limit=360)
def signup_provision_task(self: Task, *, signup_id: int) -> str:
    """Makes the site; retried a few times, then everything made is removed."""
    try:
        signup = signup_provision(signup_id=signup_id)
    except Exception as exc:
        # The class only: messages can quote the values that failed, such as an email.
        logger.warning("Provisioning sign-up %s: %s", signup_id, type(exc).__name__)
        if self.request.retries < settings.PROVISIONING_RETRIES:
            # No exc=: Celery would log its text, which can quote the values that failed.
            raise self.retry(countdown=settings.PROVISIONING_RETRY_SECONDS) from None
        signup_fail(signup_id=signup_id, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    return "busy" if signup is None else str(signup.status)


@app.task(acks_late=True, soft_time_limit=60, time_limit=90)
def signups_resume_task() -> int:
    """Requeues sign-ups whose worker went quiet (killed mid-way, or a lost message)."""
    return signups_resume(stale_after=timedelta(seconds=settings.PROVISIONING_STALE_SECONDS))


@app.task(acks_late=True, soft_time_limit=600, time_limit=660)
def pool_refill_task() -> int:
    return pool_refill()


@app.task(acks_late=True, soft_time_limit=240, time_limit=300)
def domains_check_pending_task() -> int:
    return domains_check_pending()


@app.task(acks_late=True, soft_time_limit=60, time_limit=90)
def admin_email_confirmation_send(*, email_address_id: int) -> bool:
    """The new admin's 'confirm your email' link, sent from the new tenant's schema."""
    address = EmailAddress.objects.filter(pk=email_address_id, verified=False).first()
    if address is None:
        return False
    tenant = connection.tenant  # type: ignore[attr-defined]
    key = EmailConfirmationHMAC(address).key
    context = {
        "site_title": tenant.name,
        "site_url": tenant_base_url(tenant=tenant),
        "confirm_url": tenant_base_url(tenant=tenant)
        + reverse("account_confirm_email", args=[key]),
        "username": address.user.username,
    }
    send_mail(
        subject=f"[{tenant.name}] Your Townsquare site is ready: please confirm your email",
        message=render_to_string("tenants/email/admin_welcome.txt", context),
        from_email=None,
        recipient_list=[address.email],
    )
    return True


@app.task(acks_late=True, soft_time_limit=300, time_limit=360)
def tenant_usage_count_task() -> None:
    """Hourly, in every active tenant: residents, ideas and storage for the staff console."""
    tenant_usage_count(tenant=connection.tenant)  # type: ignore[attr-defined]


@app.task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def tenant_export_task(*, export_id: int) -> str:
    return str(tenant_export_build(export_id=export_id).status)
