"""Urgent safeguarding alerts: one email per lead, a link and no content, retried and recorded."""

from __future__ import annotations

import logging
from datetime import timedelta
from smtplib import SMTPRecipientsRefused

from celery import Task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection

from moderation import alerts
from moderation.models import AlertDelivery
from tenants.selectors import tenant_base_url
from townsquare.celery import app

logger = logging.getLogger(__name__)

# The longest wait between two tries of one alert.
BACKOFF_CAP = timedelta(minutes=15)


class LeadUnreachableError(Exception):
    """The lead has no address, no longer has the role, or was removed."""


@app.task(acks_late=True, soft_time_limit=60, time_limit=90)
def safeguarding_alert_leads(*, concern_id: int) -> int:
    """Records a delivery per lead (once per concern), then sends each as its own task."""
    due = alerts.alert_deliveries_plan(concern_id=concern_id)
    for delivery_id in due:
        safeguarding_alert_deliver.delay(delivery_id=delivery_id)
    return len(due)


@app.task(bind=True, acks_late=True, max_retries=None, soft_time_limit=60, time_limit=90)
def safeguarding_alert_deliver(self: Task, *, delivery_id: int) -> str:
    """One lead's alert; a delivery already sent (or being sent) is left alone."""
    delivery = alerts.alert_delivery_claim(delivery_id=delivery_id)
    if delivery is None:
        return "skipped"
    try:
        _send(delivery)
    except Exception as exc:
        # The class only: SMTP errors quote the refused address.
        error = type(exc).__name__
        retry_in = _retry_in(delivery.attempts) if _worth_retrying(exc, delivery) else None
        alerts.alert_delivery_failed(delivery=delivery, error=error, retry_in=retry_in)
        logger.warning(
            "Safeguarding alert %s, attempt %s: %s%s",
            delivery_id,
            delivery.attempts,
            error,
            "" if retry_in is None else f"; trying again in {retry_in.total_seconds():.0f} s",
        )
        if retry_in is None:
            return "failed"
        # No exc=: Celery would log its text, which can quote the address.
        raise self.retry(countdown=retry_in.total_seconds()) from None
    alerts.alert_delivery_sent(delivery=delivery)
    return "sent"


@app.task(acks_late=True, soft_time_limit=60, time_limit=90)
def safeguarding_alerts_sweep() -> int:
    """Every few minutes in each tenant: alerts whose task message was lost are sent."""
    concerns = alerts.concerns_unalerted()
    for concern_id in concerns:
        safeguarding_alert_leads.delay(concern_id=concern_id)
    overdue = alerts.deliveries_overdue()
    for delivery_id in overdue:
        safeguarding_alert_deliver.delay(delivery_id=delivery_id)
    return len(concerns) + len(overdue)


def _send(delivery: AlertDelivery) -> None:
    lead = delivery.lead
    if lead is None or not alerts.reachable_leads().filter(pk=lead.pk).exists():
        raise LeadUnreachableError
    tenant = connection.tenant  # type: ignore[attr-defined]
    link = f"{tenant_base_url(tenant=tenant)}/manage/safeguarding/#concern-{delivery.concern_id}"
    # Nothing of the concern itself: mailboxes are less safe than the site.
    EmailMessage(
        subject=f"[{tenant.name}] Urgent: a safeguarding concern needs you",
        body=(
            f"A safeguarding concern has been raised on {tenant.name}.\n\n"
            f"Sign in and read it here: {link}\n"
        ),
        to=[lead.email],
    ).send()


def _worth_retrying(exc: Exception, delivery: AlertDelivery) -> bool:
    if delivery.attempts > settings.SAFEGUARDING_ALERT_RETRIES:
        return False
    if isinstance(exc, LeadUnreachableError):
        return False
    # A 5xx refusal of the address is permanent (no such mailbox); a 4xx one is not.
    return not (
        isinstance(exc, SMTPRecipientsRefused)
        and all(500 <= code < 600 for code, _ in exc.recipients.values())
    )


def _retry_in(attempts: int) -> timedelta:
    """Exponential backoff: the base wait, doubled after each failed attempt, capped."""
    base = timedelta(seconds=settings.SAFEGUARDING_ALERT_RETRY_SECONDS)
    return min(base * 2 ** (attempts - 1), BACKOFF_CAP)
