"""Email delivery of notifications, in the schema of the tenant they belong to."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import suppress
from smtplib import SMTPRecipientsRefused
from typing import NoReturn

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from notifications.models import EmailPreference, Notification
from notifications.selectors import pending_for_email
from notifications.tokens import unsubscribe_token
from tenants.selectors import tenant_base_url
from townsquare.celery import app

logger = logging.getLogger(__name__)


def _send(
    *, user: User, notifications: list[Notification], digest: bool, mail: BaseEmailBackend
) -> None:
    tenant = connection.tenant  # type: ignore[attr-defined]
    base = tenant_base_url(tenant=tenant)
    unsubscribe = f"{base}/notifications/unsubscribe/{unsubscribe_token(user=user)}/"
    context = {
        "site_title": tenant.name,
        "base_url": base,
        "notifications": notifications,
        "unsubscribe_url": unsubscribe,
        "settings_url": f"{base}/notifications/settings/",
        "digest": digest,
    }
    subject = (
        f"[{tenant.name}] Your daily summary"
        if digest
        else f"[{tenant.name}] {notifications[0].message}"
    )
    message = EmailMultiAlternatives(
        subject=subject[:150],
        body=render_to_string("notifications/email.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        connection=mail,
    )
    message.send()


def _claim(pending: QuerySet[Notification]) -> list[Notification]:
    """Marks notifications emailed in a short transaction of their own, before the email is
    sent: a crash, a retried task or a second run can then never send them again."""
    with transaction.atomic():
        claimed = list(
            pending.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .order_by("created_at", "pk")
        )
        if claimed:
            Notification.objects.filter(pk__in=[n.pk for n in claimed]).update(
                emailed_at=timezone.now()
            )
    return claimed


def _email_each(*, pending: QuerySet[Notification], digest: bool) -> int:
    """Claims and emails each recipient's notifications in turn, outside any transaction:
    one email per notification, or one digest per recipient. A refused address or a failed
    email affects nobody else's; returns the number of emails sent."""
    recipient_ids: Iterable[int] = sorted(set(pending.values_list("recipient_id", flat=True)))
    sent = failed = 0
    mail = get_connection()
    try:
        for recipient_id in recipient_ids:
            # Raises when the mail server cannot be reached: nothing more is claimed, and
            # the task is tried again for the rest.
            mail.open()
            claimed = _claim(pending.filter(recipient_id=recipient_id))
            if not claimed:
                continue  # another run has them
            for group in [claimed] if digest else [[n] for n in claimed]:
                try:
                    _send(user=group[0].recipient, notifications=group, digest=digest, mail=mail)
                except SoftTimeLimitExceeded:
                    raise
                except Exception as exc:
                    # At most once: the claim stays. The class only: SMTP errors quote addresses.
                    failed += 1
                    logger.warning("notification email not sent: %s", type(exc).__name__)
                    if not isinstance(exc, SMTPRecipientsRefused):
                        # The connection may be broken; the next email opens a new one.
                        with suppress(Exception):
                            mail.close()
                else:
                    sent += 1
    finally:
        with suppress(Exception):
            mail.close()
    logger.info(
        "sent %d %s emails, %d failed", sent, "digest" if digest else "notification", failed
    )
    return sent


def _retry_the_rest(task: Task, exc: Exception) -> NoReturn:
    """The mail server could not be reached, or time ran out: what is still unclaimed is
    tried again later (what was claimed is never sent twice)."""
    logger.warning("%s tries again: %s", task.name, type(exc).__name__)
    # No exc=: its text can quote an address.
    raise task.retry(countdown=min(60 * 2**task.request.retries, 900)) from None


@app.task(bind=True, acks_late=True, max_retries=6, soft_time_limit=60, time_limit=90)
def notifications_email_immediate(self: Task, *, notification_ids: list[int]) -> int:
    """Emails each notification to recipients who want them as things happen."""
    pending = Notification.objects.filter(pk__in=notification_ids).filter(
        pending_for_email(mode=EmailPreference.Mode.IMMEDIATE)
    )
    try:
        return _email_each(pending=pending, digest=False)
    except (OSError, SoftTimeLimitExceeded) as exc:
        _retry_the_rest(self, exc)


@app.task(bind=True, acks_late=True, max_retries=6, soft_time_limit=300, time_limit=360)
def notifications_email_digest(self: Task) -> int:
    """Once a day: one email per resident who chose a daily summary."""
    pending = Notification.objects.filter(pending_for_email(mode=EmailPreference.Mode.DAILY))
    try:
        return _email_each(pending=pending, digest=True)
    except (OSError, SoftTimeLimitExceeded) as exc:
        _retry_the_rest(self, exc)
