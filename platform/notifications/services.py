"""Writes for follows and notifications; emails go out through Celery after commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from dialogues.models import Comment, Dialogue, Idea, StatusChange
from notifications.models import EmailPreference, Follow, Notification
from notifications.tasks import notifications_email_immediate
from notifications.tokens import unsubscribe_token_user_id


@transaction.atomic
def follow_set(
    *, user: User, following: bool, idea: Idea | None = None, dialogue: Dialogue | None = None
) -> None:
    if (idea is None) == (dialogue is None):
        raise ValueError("Follow exactly one idea or one dialogue.")
    target = {"idea": idea} if idea is not None else {"dialogue": dialogue}
    if following:
        Follow.objects.get_or_create(user=user, **target)
    else:
        Follow.objects.filter(user=user, **target).delete()


def _notify(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    message: str,
    url: str,
    actor: User | None,
    idea: Idea | None = None,
    comment: Comment | None = None,
) -> list[Notification]:
    ids = {pk for pk in recipient_ids if pk is not None and (actor is None or pk != actor.pk)}
    active = User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True)
    created = Notification.objects.bulk_create(
        Notification(
            recipient_id=pk, kind=kind, message=message[:300], url=url, idea=idea, comment=comment
        )
        for pk in sorted(active)
    )
    if created:
        pks = [n.pk for n in created]
        transaction.on_commit(lambda: notifications_email_immediate.delay(notification_ids=pks))
    return created


def _idea_audience(idea: Idea) -> set[int]:
    followers = Follow.objects.filter(idea=idea).values_list("user_id", flat=True)
    return {*followers, *([idea.author_id] if idea.author_id else [])}


def notify_new_idea(*, idea: Idea) -> list[Notification]:
    followers = Follow.objects.filter(dialogue=idea.dialogue).values_list("user_id", flat=True)
    return _notify(
        recipient_ids=followers,
        kind=Notification.Kind.NEW_IDEA,
        message=f"New idea in “{idea.dialogue.title}”: {idea.title}",
        url=idea.get_absolute_url(),
        actor=idea.author,
        idea=idea,
    )


def notify_comment(*, comment: Comment) -> list[Notification]:
    idea = comment.idea
    if comment.is_official:
        kind, message = Notification.Kind.RESPONSE, f"The organisation responded to “{idea.title}”"
    else:
        name = comment.author.get_username() if comment.author else "Someone"
        kind, message = Notification.Kind.NEW_COMMENT, f"{name} commented on “{idea.title}”"
    return _notify(
        recipient_ids=_idea_audience(idea),
        kind=kind,
        message=message,
        url=f"{idea.get_absolute_url()}#comment-{comment.pk}",
        actor=comment.author,
        idea=idea,
        comment=comment,
    )


def notify_status(*, change: StatusChange) -> list[Notification]:
    idea = change.idea
    return _notify(
        recipient_ids=_idea_audience(idea),
        kind=Notification.Kind.STATUS,
        message=f"“{idea.title}” is now: {change.get_status_display()}",
        url=idea.get_absolute_url(),
        actor=change.changed_by,
        idea=idea,
    )


def notify_moderation(*, user: User, message: str, url: str) -> list[Notification]:
    return _notify(
        recipient_ids=[user.pk],
        kind=Notification.Kind.MODERATION,
        message=message,
        url=url,
        actor=None,
    )


@transaction.atomic
def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def email_preference_set(*, user: User, mode: str) -> EmailPreference:
    if mode not in EmailPreference.Mode.values:
        raise ValueError(f"Unknown email mode {mode!r}")
    preference, _ = EmailPreference.objects.update_or_create(user=user, defaults={"mode": mode})
    return preference


@transaction.atomic
def email_unsubscribe(*, token: str) -> User | None:
    user_id = unsubscribe_token_user_id(token=token)
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    if user is not None:
        email_preference_set(user=user, mode=EmailPreference.Mode.OFF)
    return user
