"""Notifications react to what happens in dialogues (connected in NotificationsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from dialogues import signals
from dialogues.models import Comment, Idea, StatusChange
from notifications import services


@receiver(signals.idea_posted)
def _author_follows_their_idea(sender: type[Idea], *, idea: Idea, **kwargs: Any) -> None:
    if idea.author is not None:
        services.follow_set(user=idea.author, idea=idea, following=True)


@receiver(signals.comment_posted)
def _commenter_follows_the_idea(sender: type[Comment], *, comment: Comment, **kwargs: Any) -> None:
    # Staff speaking for the organisation do not follow every idea they answer.
    if comment.author is not None and not comment.is_official:
        services.follow_set(user=comment.author, idea=comment.idea, following=True)


@receiver(signals.post_published)
def _followers_hear_of_a_new_post(sender: type, *, item: Idea | Comment, **kwargs: Any) -> None:
    if isinstance(item, Idea):
        services.notify_new_idea(idea=item)
    else:
        services.notify_comment(comment=item)


@receiver(signals.post_rejected)
def _author_hears_why(sender: type, *, item: Idea | Comment, **kwargs: Any) -> None:
    if item.author is None:
        return
    idea = item if isinstance(item, Idea) else item.idea
    services.notify_moderation(
        user=item.author,
        message=f"Your {'idea' if isinstance(item, Idea) else 'comment'} on “{idea.title}” "
        f"was not published: {item.moderation_note}",
        url=idea.get_absolute_url(),
    )


@receiver(signals.status_changed)
def _followers_hear_of_a_status(
    sender: type[StatusChange], *, change: StatusChange, **kwargs: Any
) -> None:
    services.notify_status(change=change)
