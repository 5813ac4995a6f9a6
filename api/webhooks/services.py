"""Writes for webhooks: endpoints an admin manages, events recorded, deliveries attempted."""

from __future__ import annotations

import base64
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from api.webhooks import selectors, sending
from api.webhooks.addresses import url_problem
from api.webhooks.models import SUBSCRIBABLE, Delivery, Endpoint, EventType

logger = logging.getLogger(__name__)

# After a rotation the previous secret also signs for this long, so receivers can switch.
ROTATION_OVERLAP = timedelta(hours=24)
# The longest wait between two tries of one delivery.
BACKOFF_CAP = timedelta(hours=1)
# Finished deliveries are kept this long on the endpoint's page, then pruned by the sweep.
KEEP_DELIVERIES = timedelta(days=30)
# Recorded when a delivery was not sent because its subject is no longer public.
NO_LONGER_PUBLIC = "NoLongerPublic"
NOT_IN_PLAN = "NotInPlan"
HTTP_STATUS = "HttpStatus"


def secret_new() -> str:
    """A Standard Webhooks secret: whsec_ and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _clean(*, url: str, event_types: list[str]) -> tuple[str, list[str]]:
    errors: dict[str, str] = {}
    url = url.strip()
    problem = url_problem(url)
    if problem:
        errors["url"] = problem
    wanted = list(dict.fromkeys(event_types))
    if not wanted:
        errors["event_types"] = "Choose at least one event."
    elif any(t not in SUBSCRIBABLE for t in wanted):
        errors["event_types"] = "Choose only the events listed."
    if errors:
        raise ValidationError(errors)
    return url, [t for t in SUBSCRIBABLE if t in wanted]


# Endpoints (the admin's writes)


@transaction.atomic
def endpoint_create(
    *, url: str, description: str, event_types: list[str], by: User | None
) -> Endpoint:
    url, event_types = _clean(url=url, event_types=event_types)
    endpoint = Endpoint.objects.create(
        url=url,
        description=description.strip()[:200],
        event_types=event_types,
        secret=secret_new(),
        created_by=by,
    )
    logger.info("Webhook endpoint %s added", endpoint.pk)
    return endpoint


@transaction.atomic
def endpoint_update(
    *, endpoint: Endpoint, url: str, description: str, event_types: list[str]
) -> Endpoint:
    url, event_types = _clean(url=url, event_types=event_types)
    endpoint.url, endpoint.event_types = url, event_types
    endpoint.description = description.strip()[:200]
    endpoint.save(update_fields=["url", "description", "event_types", "updated_at"])
    return endpoint


@transaction.atomic
def endpoint_secret_rotate(*, endpoint: Endpoint) -> str:
    """A new secret; the old one keeps signing alongside it for a day. Returns the new one."""
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.previous_secret = locked.secret
    locked.previous_secret_until = timezone.now() + ROTATION_OVERLAP
    locked.secret = secret_new()
    locked.save(update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"])
    endpoint.secret = locked.secret
    return locked.secret


@transaction.atomic
def endpoint_pause(*, endpoint: Endpoint) -> bool:
    """An admin stops deliveries; False when it was already paused."""
    changed = Endpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False,
        paused_at=timezone.now(),
        paused_reason=Endpoint.PauseReason.ADMIN,
        updated_at=timezone.now(),
    )
    return bool(changed)


@transaction.atomic
def endpoint_resume(*, endpoint: Endpoint) -> list[int]:
    """Deliveries start again: returns those still pending, due at once, to be queued."""
    Endpoint.objects.filter(pk=endpoint.pk).update(
        is_active=True,
        paused_at=None,
        paused_reason=Endpoint.PauseReason.NONE,
        consecutive_failures=0,
        updated_at=timezone.now(),
    )
    now = timezone.now()
    pending = Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.PENDING)
    pending.update(next_attempt_at=now, claimed_until=None)
    return list(pending.values_list("pk", flat=True))


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint) -> None:
    """The endpoint and its deliveries; a delivery task already queued finds nothing."""
    Endpoint.objects.filter(pk=endpoint.pk).delete()
    logger.info("Webhook endpoint %s removed", endpoint.pk)


@transaction.atomic
def endpoint_ping(*, endpoint: Endpoint) -> Delivery:
    """A test event to this endpoint alone (to be queued), tried once and listed like any
    delivery."""
    if not endpoint.is_active:
        raise ValidationError("Resume the endpoint before sending it a test event.")
    refusal = selectors.plan_refusal()
    if refusal is not None:
        raise refusal
    event_id = uuid.uuid4()
    payload = {"id": str(event_id), **selectors.payload_for_ping()}
    return Delivery.objects.create(
        endpoint=endpoint, event_type=EventType.PING, event_id=event_id, payload=payload
    )


@transaction.atomic
def delivery_redeliver(*, delivery: Delivery) -> bool:
    """A finished delivery sent again with the same id and payload (receivers may already
    have it: the id lets them tell), to be queued; False when it is still pending or the
    endpoint is paused."""
    if not delivery.endpoint.is_active:
        return False
    changed = Delivery.objects.filter(
        pk=delivery.pk,
        status__in=[Delivery.Status.SENT, Delivery.Status.FAILED, Delivery.Status.CANCELLED],
    ).update(
        status=Delivery.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_until=None,
        finished_at=None,
    )
    return bool(changed)


# Events (from the receivers, inside the sender's transaction)


def event_record(*, event_type: str, payload: dict[str, Any]) -> list[int]:
    """One pending delivery per active endpoint that chose this event; returns them, to be
    queued once the sender's transaction commits. None when the plan lacks the API."""
    endpoints = selectors.endpoints_subscribed(event_type=event_type)
    if not endpoints or selectors.plan_refusal() is not None:
        return []
    event_id = uuid.uuid4()
    payload = {"id": str(event_id), **payload}
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(endpoint=endpoint, event_type=event_type, event_id=event_id, payload=payload)
            for endpoint in endpoints
        ]
    )
    return [delivery.pk for delivery in deliveries]


# Deliveries (the worker's writes)


def delivery_claim(*, delivery_id: int) -> Delivery | None:
    """Takes a due delivery to an active endpoint for one attempt, counted before anything
    is sent; None when it was sent, has finished, another worker holds it, or the endpoint
    is paused (resuming queues it again)."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(selectors.due(now + selectors.SKEW), pk=delivery_id, endpoint__is_active=True)
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.claimed_until = now + selectors.CLAIM
        delivery.save(update_fields=["attempts", "last_attempt_at", "claimed_until"])
    return delivery


def _max_attempts(delivery: Delivery) -> int:
    # A test event is tried once: the admin is waiting to see whether it arrived.
    return 1 if delivery.is_ping else int(settings.WEBHOOK_MAX_ATTEMPTS)


def retry_in(attempts: int) -> timedelta:
    """Exponential backoff: the first wait, doubled after each failed attempt, capped."""
    base = timedelta(seconds=settings.WEBHOOK_RETRY_SECONDS)
    return min(base * 2 ** (attempts - 1), BACKOFF_CAP)


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to; retry_in is set when the delivery will be tried again,
    paused when this failure paused its endpoint (its admins are to be told)."""

    status: str
    retry_in: timedelta | None = None
    error: str = ""
    paused: bool = False


def delivery_attempt(*, delivery_id: int) -> Outcome:
    """Claims a due delivery, sends it once, and records how it went."""
    delivery = delivery_claim(delivery_id=delivery_id)
    if delivery is None:
        return Outcome("skipped")
    if selectors.plan_refusal() is not None:
        _delivery_cancel(delivery=delivery, error=NOT_IN_PLAN)
        return Outcome("cancelled", error=NOT_IN_PLAN)
    if not selectors.subject_still_public(payload=delivery.payload):
        _delivery_cancel(delivery=delivery, error=NO_LONGER_PUBLIC)
        return Outcome("cancelled", error=NO_LONGER_PUBLIC)
    endpoint = delivery.endpoint
    try:
        answer = sending.post(
            url=endpoint.url,
            secrets=_signing_secrets(endpoint),
            message_id=str(delivery.event_id),
            payload=delivery.payload,
        )
    except Exception as exc:
        # The class only: messages can quote addresses and answers.
        return _delivery_failed(delivery=delivery, error=type(exc).__name__, status_code=None)
    if answer.ok:
        _delivery_sent(delivery=delivery, status_code=answer.status)
        return Outcome("sent")
    return _delivery_failed(delivery=delivery, error=HTTP_STATUS, status_code=answer.status)


def _signing_secrets(endpoint: Endpoint) -> list[str]:
    keys = [endpoint.secret]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and until > timezone.now():
        keys.append(endpoint.previous_secret)
    return keys


def _delivery_cancel(*, delivery: Delivery, error: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.CANCELLED,
        last_error=error,
        claimed_until=None,
        finished_at=timezone.now(),
    )


@transaction.atomic
def _delivery_sent(*, delivery: Delivery, status_code: int) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT,
        last_status_code=status_code,
        last_error="",
        claimed_until=None,
        finished_at=timezone.now(),
    )
    # Any answer in 2xx shows the endpoint works again.
    Endpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=0)


@transaction.atomic
def _delivery_failed(*, delivery: Delivery, error: str, status_code: int | None) -> Outcome:
    """Pending again after a backoff, or failed for good after the last attempt; the
    endpoint is paused after WEBHOOK_PAUSE_AFTER failed deliveries in a row."""
    now = timezone.now()
    retrying = delivery.attempts < _max_attempts(delivery)
    wait = retry_in(delivery.attempts) if retrying else None
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING if retrying else Delivery.Status.FAILED,
        last_status_code=status_code,
        last_error=error[:80],
        claimed_until=None,
        next_attempt_at=now + (wait or timedelta()),
        finished_at=None if retrying else now,
    )
    logger.warning(
        "Webhook delivery %s, attempt %s: %s%s%s",
        delivery.pk,
        delivery.attempts,
        error,
        "" if status_code is None else f" {status_code}",
        "" if wait is None else f"; trying again in {wait.total_seconds():.0f} s",
    )
    if retrying:
        return Outcome("retrying", retry_in=wait, error=error)
    # A failed test event is shown to the admin but does not count towards pausing.
    paused = not delivery.is_ping and _endpoint_failure_count(endpoint_id=delivery.endpoint_id)
    return Outcome("failed", error=error, paused=paused)


def _endpoint_failure_count(*, endpoint_id: int) -> bool:
    """Counts one more failed delivery; True when that paused the endpoint."""
    endpoint = Endpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        return False
    endpoint.consecutive_failures = F("consecutive_failures") + 1
    endpoint.save(update_fields=["consecutive_failures"])
    endpoint.refresh_from_db(fields=["consecutive_failures"])
    if endpoint.is_active and endpoint.consecutive_failures >= settings.WEBHOOK_PAUSE_AFTER:
        endpoint.is_active = False
        endpoint.paused_at = timezone.now()
        endpoint.paused_reason = Endpoint.PauseReason.FAILING
        endpoint.save(update_fields=["is_active", "paused_at", "paused_reason", "updated_at"])
        logger.warning("Webhook endpoint %s paused after repeated failures", endpoint_id)
        return True
    return False


def deliveries_prune() -> int:
    """Finished deliveries older than KEEP_DELIVERIES, and rotated secrets past their day."""
    now = timezone.now()
    deleted, _ = (
        Delivery.objects.filter(created_at__lt=now - KEEP_DELIVERIES)
        .exclude(status=Delivery.Status.PENDING)
        .delete()
    )
    Endpoint.objects.filter(previous_secret_until__lt=now).update(
        previous_secret="", previous_secret_until=None
    )
    return deleted
