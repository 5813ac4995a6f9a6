"""What moderation adds to posts (visibility and why a post was held) and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Visibility(models.TextChoices):
    PUBLISHED = "published", "Published"
    HELD = "held", "Held for review"
    HIDDEN = "hidden", "Hidden"
    REJECTED = "rejected", "Rejected"


# Why a post waits: the kinds of hold reason that decide who may see and decide on it.
PRE_MODERATION = "pre-moderation"
REPORTS = "reports"
SAFEGUARDING = "safeguarding"
# Posts that wait for a moderator; rejected ones are decided and stay out of view.
WAITING = (Visibility.HELD, Visibility.HIDDEN)


class Moderated(models.Model):
    """Fields every post carries; only published posts are shown to the public."""

    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLISHED, db_index=True
    )
    # Each reason is a kind ("phone number", "pre-moderation", ...) and the text it matched.
    hold_reasons = models.JSONField(default=list, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderation_note = models.TextField(blank=True, max_length=1000)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.visibility == Visibility.PUBLISHED

    @property
    def hold_summary(self) -> str:
        kinds = sorted({reason["kind"] for reason in self.hold_reasons})
        return ", ".join(kinds)


class AuditEntry(models.Model):
    """Append-only: a database trigger refuses updates and deletes."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=40)
    outcome = models.CharField(max_length=20, default="done")
    target_type = models.CharField(max_length=20)
    target_id = models.BigIntegerField()
    reason = models.TextField(blank=True)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} {self.target_type} {self.target_id}"


class Report(models.Model):
    """A visitor's report that a post breaks the rules; enough of them hide it for review."""

    class Reason(models.TextChoices):
        PERSONAL = "personal", "It shares someone's personal details"
        BULLYING = "bullying", "Bullying or harassment"
        HATE = "hate", "Hate or discrimination"
        THREAT = "threat", "Threats or violence"
        SPAM = "spam", "Spam or advertising"
        OTHER = "other", "Something else"

    idea = models.ForeignKey(
        "dialogues.Idea", on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    comment = models.ForeignKey(
        "dialogues.Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    # Empty for visitors who are not signed in: anyone may report.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    details = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(idea__isnull=True) ^ models.Q(comment__isnull=True),
                name="report_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"Report: {self.get_reason_display()}"


class SafeguardingConcern(models.Model):
    """A worry that someone is at risk: about a post, or told privately. Leads only."""

    class Category(models.TextChoices):
        HARM = "harm", "Someone says they are being hurt or abused"
        WEAPONS = "weapons", "Weapons or a threat to someone's safety"
        EXPLOITATION = "exploitation", "Exploitation or grooming"
        SELF_HARM = "self_harm", "Self-harm or suicide"
        OTHER = "other", "Another worry about someone's safety"

    category = models.CharField(max_length=20, choices=Category.choices)
    idea = models.ForeignKey(
        "dialogues.Idea", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        "dialogues.Comment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # For "Tell us privately": only safeguarding leads ever read it.
    message = models.TextField(blank=True, max_length=5000)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handling_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["handled_at", "-created_at"]

    def __str__(self) -> str:
        return f"Safeguarding concern {self.pk}"

    @property
    def is_private_message(self) -> bool:
        return self.idea_id is None and self.comment_id is None


class AlertDelivery(models.Model):
    """One urgent email to one safeguarding lead about one concern, and what became of it.

    A concern raised when no lead could be reached gets one failed row without a lead, so the
    record shows that nobody was told. No address is kept here: the lead's current address
    is read when sending, and only the class of an error is stored (SMTP messages quote
    addresses).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    concern = models.ForeignKey(
        SafeguardingConcern, on_delete=models.CASCADE, related_name="alert_deliveries"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When a pending delivery is due; beat resends any left overdue (a lost task message).
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker is sending it until then; another leaves it alone.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "alert deliveries"
        constraints = [
            models.UniqueConstraint(fields=["concern", "lead"], name="alert_delivery_once_per_lead")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="alert_delivery_due")]

    def __str__(self) -> str:
        return f"Alert {self.pk} for concern {self.concern_id}: {self.status}"
