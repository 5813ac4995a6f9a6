"""Each tenant's billing account and the Stripe events received (public schema)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models


class AccessState(models.TextChoices):
    """What billing allows a site: everything, reading only, or a holding page."""

    FULL = "full", "Full"
    READ_ONLY = "read_only", "Read-only"
    SUSPENDED = "suspended", "Suspended"


# Stripe's subscription statuses that count as paid (a card-backed Stripe trial included).
PAID_STATUSES = frozenset({"active", "trialing"})
# Paid before, a renewal not (yet) paid: a banner first, read-only after the grace period.
OVERDUE_STATUSES = frozenset({"past_due", "unpaid"})


class BillingAccount(models.Model):
    """How one tenant pays, and since when a payment has been missing.

    Access follows from these fields alone (see access_at), so the sweep, the webhooks and
    the pages all agree, and replaying any of them changes nothing.
    """

    class Mode(models.TextChoices):
        TRIAL = "trial", "Free trial"
        STRIPE = "stripe", "Card (Stripe subscription)"
        # Public bodies often pay by invoice: staff keep such a site on its plan by hand.
        MANUAL = "manual", "Invoiced by the platform team"

    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="billing"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.TRIAL)
    trial_ends_at = models.DateTimeField()
    stripe_customer_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True)
    # Stripe's own word for the subscription (active, past_due, canceled, ...).
    subscription_status = models.CharField(max_length=30, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    next_amount_pence = models.PositiveIntegerField(null=True, blank=True)
    # When a payment became due and was not made: the trial's end, a failed renewal, or the
    # end of a cancelled subscription. Empty while paid up (or still in the trial).
    due_since = models.DateTimeField(null=True, blank=True)
    trial_reminder_7_sent_at = models.DateTimeField(null=True, blank=True)
    trial_reminder_1_sent_at = models.DateTimeField(null=True, blank=True)
    # The access state the admin was last emailed about, so each change is told once.
    notified_state = models.CharField(
        max_length=10, choices=AccessState.choices, default=AccessState.FULL
    )
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["trial_ends_at"]

    def __str__(self) -> str:
        return f"Billing of {self.tenant}"

    @property
    def overdue(self) -> bool:
        return self.mode == self.Mode.STRIPE and self.subscription_status in OVERDUE_STATUSES

    @property
    def paid_up(self) -> bool:
        if self.mode == self.Mode.MANUAL:
            return True
        return self.mode == self.Mode.STRIPE and self.subscription_status in PAID_STATUSES

    def lapse_start(self) -> datetime | None:
        """When payment became due; for a trial, its end (in the future while it runs)."""
        if self.paid_up:
            return None
        if self.mode == self.Mode.TRIAL or self.due_since is None:
            return self.trial_ends_at
        if self.overdue:
            return self.due_since
        # Ended (cancelled, say) while days of the free trial were left: those still count.
        return max(self.due_since, self.trial_ends_at)

    def read_only_from(self) -> datetime | None:
        start = self.lapse_start()
        if start is None:
            return None
        if self.overdue:
            # A failed renewal gets time to fix the card before residents notice.
            return start + timedelta(days=settings.BILLING_PAST_DUE_GRACE_DAYS)
        return start

    def suspended_from(self) -> datetime | None:
        read_only = self.read_only_from()
        if read_only is None:
            return None
        return read_only + timedelta(days=settings.BILLING_SUSPEND_AFTER_DAYS)

    def access_at(self, now: datetime) -> str:
        read_only, suspended = self.read_only_from(), self.suspended_from()
        if read_only is None or suspended is None or now < read_only:
            return AccessState.FULL
        if now < suspended:
            return AccessState.READ_ONLY
        return AccessState.SUSPENDED

    def trial_days_left(self, now: datetime) -> int:
        """Whole days until the trial ends, counting a part day as a day (0 once ended)."""
        seconds = (self.trial_ends_at - now).total_seconds()
        return max(0, -int(-seconds // 86400))


class WebhookEvent(models.Model):
    """A Stripe event, stored once by its id before the worker handles it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting for the worker"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Acknowledged (type not handled)"
        UNKNOWN_CUSTOMER = "unknown_customer", "Acknowledged (no such customer here)"
        FAILED = "failed", "Failed (will be retried)"

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    # The event as Stripe sent it; emptied once handled (it may hold a billing email).
    payload = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    account = models.ForeignKey(
        BillingAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    stripe_created_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["outcome", "received_at"])]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
