"""Follows, in-site notifications, and each resident's choice of email delivery."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dialogues.models import Comment, Dialogue, Idea


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(idea__isnull=True) ^ models.Q(dialogue__isnull=True),
                name="follow_one_target",
            ),
            models.UniqueConstraint(fields=["user", "idea"], name="follow_idea_once"),
            models.UniqueConstraint(fields=["user", "dialogue"], name="follow_dialogue_once"),
        ]

    def __str__(self) -> str:
        target = f"idea {self.idea_id}" if self.idea_id else f"dialogue {self.dialogue_id}"
        return f"{self.user_id} follows {target}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        NEW_IDEA = "new_idea", "New idea"
        NEW_COMMENT = "new_comment", "New comment"
        RESPONSE = "response", "Official response"
        STATUS = "status", "Status change"
        MODERATION = "moderation", "Moderation"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # A one-line summary that never contains the body of a post.
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    # What it is about, so it is shown and emailed only while that is still public.
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["emailed_at", "created_at"], name="notification_unsent"),
        ]

    def __str__(self) -> str:
        return self.message


class EmailPreference(models.Model):
    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", "As things happen"
        DAILY = "daily", "A daily summary"
        OFF = "off", "No emails"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IMMEDIATE)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.mode}"
