"""Reads for a resident's notifications and follows."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from dialogues.models import Dialogue, Idea
from dialogues.selectors import PUBLIC_STATES, comment_rule, idea_rule, ideas_visible
from notifications.models import EmailPreference, Follow, Notification


def notification_visible() -> Q:
    """Notifications about a post count only while the post is public: one hidden, held
    for safeguarding or rejected after the fact is neither listed nor emailed."""
    return (Q(idea__isnull=True) | idea_rule(prefix="idea__")) & (
        Q(comment__isnull=True) | comment_rule(prefix="comment__")
    )


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(notification_visible(), recipient=user).order_by(
        "-created_at"
    )


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(
        notification_visible(), recipient=user, read_at__isnull=True
    ).count()


def is_following(*, user: User, idea: Idea | None = None, dialogue: Dialogue | None = None) -> bool:
    if not user.is_authenticated:
        return False
    if idea is not None:
        return Follow.objects.filter(user=user, idea=idea).exists()
    return Follow.objects.filter(user=user, dialogue=dialogue).exists()


def email_mode(*, user: User) -> str:
    preference = EmailPreference.objects.filter(user=user).first()
    return preference.mode if preference else EmailPreference.Mode.IMMEDIATE


def pending_for_email(*, mode: str) -> Q:
    """Notifications not yet emailed whose recipient wants this delivery mode."""
    if mode == EmailPreference.Mode.IMMEDIATE:
        # No preference row means the default, immediate.
        wants = Q(recipient__email_preference__isnull=True) | Q(
            recipient__email_preference__mode=mode
        )
    else:
        wants = Q(recipient__email_preference__mode=mode)
    return Q(emailed_at__isnull=True) & wants & ~Q(recipient__email="") & notification_visible()


def follow_list(*, user: User) -> QuerySet[Follow]:
    """What this person follows, of what they may still see: public ideas and dialogues."""
    return (
        Follow.objects.filter(user=user)
        .filter(
            Q(idea__in=ideas_visible(viewer=user))
            | Q(dialogue__state__in=PUBLIC_STATES, idea__isnull=True)
        )
        .select_related("idea", "dialogue")
    )
