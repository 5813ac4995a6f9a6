"""Billing's Celery tasks: handle a stored webhook event, sweep trials, email admins."""

from __future__ import annotations

import logging

from celery import Task
from django.core.mail import send_mail

from billing import services
from billing.models import BillingAccount
from billing.notices import admin_addresses, notice_text
from billing.stripe_gateway import BillingUnavailableError
from townsquare.celery import app

logger = logging.getLogger(__name__)


@app.task(bind=True, acks_late=True, max_retries=8, soft_time_limit=60, time_limit=90)
def billing_event_process(self: Task, *, event_pk: int) -> str:
    """One stored event; Stripe down or a site still being made: try again with backoff."""
    try:
        return services.event_process(event_pk=event_pk)
    except (BillingUnavailableError, services.EventNotReadyError) as error:
        raise self.retry(countdown=min(2**self.request.retries, 300)) from error


@app.task(acks_late=True, soft_time_limit=60, time_limit=90)
def billing_account_sync(*, account_id: int) -> None:
    services.account_sync_from_stripe(account_id=account_id)


@app.task(acks_late=True, soft_time_limit=240, time_limit=300)
def billing_sweep_task() -> dict[str, int]:
    return services.billing_sweep()


@app.task(acks_late=True, soft_time_limit=60, time_limit=90)
def billing_notice_send(*, account_id: int, kind: str, days: str = "", url: str = "") -> int:
    account = BillingAccount.objects.select_related("tenant").filter(pk=account_id).first()
    if account is None:
        return 0
    recipients = admin_addresses(account=account)
    if not recipients:
        logger.warning("Billing notice %s for account %s has no admin to go to", kind, account_id)
        return 0
    subject, body = notice_text(account=account, kind=kind, days=days, url=url)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)
    return len(recipients)
