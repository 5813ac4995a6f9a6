"""Webhook endpoints an admin registered and each delivery of an event to one of them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class EventType(models.TextChoices):
    """What an endpoint can subscribe to; `ping` is only ever sent by "Send a test event"."""

    IDEA_PUBLISHED = "idea.published", "An idea is published"
    COMMENT_PUBLISHED = "comment.published", "A comment or reply is published"
    RESPONSE_PUBLISHED = "response.published", "An official response is published"
    STATUS_CHANGED = "idea.status_changed", "An idea's status changes"
    PING = "ping", "Test event"


SUBSCRIBABLE = [t for t in EventType if t != EventType.PING]


class Endpoint(models.Model):
    """An HTTPS address of the organisation's own systems, told of the events it chose.

    The secret signs every delivery (Standard Webhooks); it must be kept to sign, so it is
    stored as given and shown to the admin only once. After a rotation the previous secret
    also signs until previous_secret_until, so receivers can switch without missing one.
    """

    class PauseReason(models.TextChoices):
        NONE = "", "Active"
        ADMIN = "admin", "Paused by an admin"
        FAILING = "failing", "Paused after repeated failures"

    url = models.CharField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = ArrayField(models.CharField(max_length=40, choices=EventType.choices))
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.CharField(
        max_length=10, choices=PauseReason.choices, default=PauseReason.NONE, blank=True
    )
    # Failed deliveries in a row; a sent one sets it back to 0.
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def secret_hint(self) -> str:
        """Enough of the secret to tell which one a receiver holds, not enough to sign."""
        return f"{self.secret[:10]}…"

    def event_labels(self) -> list[str]:
        return [EventType(t).label for t in self.event_types if t in EventType.values]


class Delivery(models.Model):
    """One event sent (or to be sent) to one endpoint, with how it went.

    The payload is fixed when the event happens; only the class of an error and the HTTP
    status are kept, never what the receiver answered.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Delivered"
        FAILED = "failed", "Failed"
        # The post was no longer public, or the plan no longer includes the API, when due.
        CANCELLED = "cancelled", "Not sent"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    # The Standard Webhooks message id (webhook-id): the same for every attempt and redelivery.
    event_id = models.UUIDField(default=uuid.uuid4)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When a pending delivery is due; beat sends again any left overdue (a lost task message).
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker is sending it until then; another leaves it alone.
    claimed_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_event_once")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_recent"),
            models.Index(fields=["created_at"], name="webhook_delivery_age"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to endpoint {self.endpoint_id}: {self.status}"

    @property
    def is_ping(self) -> bool:
        return self.event_type == EventType.PING
