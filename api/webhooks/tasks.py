"""Webhook deliveries sent by the worker: one task per delivery, retried with backoff."""

from __future__ import annotations

from urllib.parse import urlsplit

from celery import Task
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from api.webhooks import selectors, services
from api.webhooks.models import Endpoint
from tenants.selectors import current_base_url
from townsquare.celery import app


def deliveries_queue(ids: list[int]) -> None:
    """Each delivery becomes a task once the current transaction commits (at once outside
    one); a lost message is sent again by the sweep."""
    if not ids:
        return

    def send() -> None:
        for delivery_id in ids:
            webhook_deliver.delay(delivery_id=delivery_id)

    transaction.on_commit(send)


@app.task(bind=True, acks_late=True, max_retries=None, soft_time_limit=60, time_limit=90)
def webhook_deliver(self: Task, *, delivery_id: int) -> str:
    """One attempt of one delivery; a delivery already sent, being sent, finished or to a
    paused endpoint is left alone, so a repeated message does no harm."""
    outcome = services.delivery_attempt(delivery_id=delivery_id)
    if outcome.paused:
        endpoint_id = Endpoint.objects.filter(deliveries__pk=delivery_id).values_list(
            "pk", flat=True
        )
        for pk in endpoint_id:
            webhook_endpoint_paused_tell.delay(endpoint_id=pk)
    if outcome.retry_in is not None:
        # No exc=: Celery would log the error's text, which can quote the address.
        raise self.retry(countdown=outcome.retry_in.total_seconds())
    return outcome.status


@app.task(acks_late=True, soft_time_limit=60, time_limit=90)
def webhook_endpoint_paused_tell(*, endpoint_id: int) -> int:
    """Each active admin of the site gets their own email: which endpoint, why, and where
    to resume it; nothing of any post."""
    endpoint = Endpoint.objects.filter(pk=endpoint_id, is_active=False).first()
    if endpoint is None:
        return 0
    addresses = list(
        User.objects.filter(role=User.Role.ADMIN, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not addresses:
        return 0
    site = selectors.site()
    page = reverse(
        "webhooks:endpoint", kwargs={"endpoint_id": endpoint.pk}, urlconf="townsquare.urls_tenant"
    )
    # The host only: a full address can carry a token in its query.
    name = urlsplit(endpoint.url).hostname or "?"
    if endpoint.description:
        name = f"“{endpoint.description}” ({name})"
    subject = f"[{site['name']}] A webhook endpoint was paused"
    body = (
        f"Deliveries to the webhook endpoint {name} on {site['name']} failed "
        f"{endpoint.consecutive_failures} times in a row, so it has been paused: nothing more "
        "is sent to it until it is resumed.\n\n"
        "Check that the receiving system is running and answers with a 2xx status, then "
        f"resume the endpoint here:\n{current_base_url()}{page}\n"
    )
    messages = [EmailMessage(subject=subject, body=body, to=[address]) for address in addresses]
    with get_connection() as mail:
        mail.send_messages(messages)
    return len(messages)


@app.task(acks_late=True, soft_time_limit=60, time_limit=90)
def webhooks_sweep() -> int:
    """Every two minutes in each tenant: deliveries whose task message was lost are sent;
    old finished ones are pruned."""
    services.deliveries_prune()
    overdue = selectors.deliveries_overdue()
    for delivery_id in overdue:
        webhook_deliver.delay(delivery_id=delivery_id)
    return len(overdue)
