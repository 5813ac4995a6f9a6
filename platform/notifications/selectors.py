"""Reads for a resident's notifications and follows."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from dialogues.models import Dialogue, Idea
from notifications.models import EmailPreference, Follow, Notification


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at")


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def is_following(*, user: User, idea: Idea | None = None, dialogue: Dialogue | None = None) -> bool:
    if not user.is_authenticated:
        return False
    if idea is not None:
        return Follow.objects.filter(user=user, idea=idea).exists()
    return Follow.objects.filter(user=user, dialogue=dialogue).exists()


def email_mode(*, user: User) -> str:
    preference = EmailPreference.objects.filter(user=user).first()
    return preference.mode if preference else EmailPreference.Mode.IMMEDIATE
