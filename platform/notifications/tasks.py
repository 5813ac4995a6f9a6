"""Email delivery of notifications, in the schema of the tenant they belong to."""

from __future__ import annotations

import logging
from collections import defaultdict

from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from notifications.models import EmailPreference, Notification
from notifications.selectors import pending_for_email
from notifications.tokens import unsubscribe_token
from tenants.selectors import tenant_base_url
from townsquare.celery import app

logger = logging.getLogger(__name__)


def _send(*, user: User, notifications: list[Notification], digest: bool) -> None:
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
    )
    message.send()


@app.task(acks_late=True, soft_time_limit=60, time_limit=90)
def notifications_email_immediate(*, notification_ids: list[int]) -> int:
    """Emails each notification to recipients who want them as things happen."""
    sent = 0
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=notification_ids)
            .filter(pending_for_email(mode=EmailPreference.Mode.IMMEDIATE))
            .select_related("recipient")
        )
        for notification in pending:
            _send(user=notification.recipient, notifications=[notification], digest=False)
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
            sent += 1
    logger.info("sent %d notification emails", sent)
    return sent


@app.task(acks_late=True, soft_time_limit=300, time_limit=360)
def notifications_email_digest() -> int:
    """Once a day: one email per resident who chose a daily summary."""
    sent = 0
    with transaction.atomic():
        pending = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pending_for_email(mode=EmailPreference.Mode.DAILY))
            .select_related("recipient")
            .order_by("recipient_id", "created_at")
        )
        by_user: dict[int, list[Notification]] = defaultdict(list)
        for notification in pending:
            by_user[notification.recipient_id].append(notification)
        now = timezone.now()
        for notifications in by_user.values():
            _send(user=notifications[0].recipient, notifications=notifications, digest=True)
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
            sent += 1
    logger.info("sent %d digest emails", sent)
    return sent
