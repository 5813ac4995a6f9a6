"""Receivers that keep idea vectors fresh for suggestions and themes free of words the public
cannot see (connected in InsightsConfig.ready)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from dialogues.models import Comment, Idea
from insights import tasks
from insights.figures import CACHE_KEY
from insights.models import ThemeMember
from moderation.models import Visibility

# A save that changes none of these cannot change what is suggested.
_RELEVANT = frozenset({"title", "body", "visibility", "withdrawn_at"})


@receiver(post_save, sender=Idea)
def _idea_saved(
    sender: type[Idea],
    *,
    instance: Idea,
    update_fields: Iterable[str] | None = None,
    **kwargs: Any,
) -> None:
    """A public idea posted, edited, approved or restored (moderators' decisions save the
    model too) gets its vector made after commit, ready for suggestions and grouping."""
    if update_fields is not None and not _RELEVANT & set(update_fields):
        return
    _themes_follow(idea=instance)
    _figures_follow(instance.dialogue_id, instance, update_fields)
    # Only public ideas are ever suggested; the task checks again, and skips a fresh vector.
    if instance.visibility == Visibility.PUBLISHED and instance.withdrawn_at is None:
        idea_id = instance.pk
        transaction.on_commit(lambda: tasks.insights_idea_embed.delay(idea_id=idea_id))


@receiver(post_save, sender=Comment)
def _comment_saved(
    sender: type[Comment],
    *,
    instance: Comment,
    update_fields: Iterable[str] | None = None,
    **kwargs: Any,
) -> None:
    if update_fields is not None and not _RELEVANT & set(update_fields):
        return
    _themes_follow(comment=instance)
    if instance.visibility != Visibility.PUBLISHED or update_fields is not None:
        _figures_follow(instance.idea.dialogue_id, instance, update_fields)


def _themes_follow(*, idea: Idea | None = None, comment: Comment | None = None) -> None:
    """A theme member hidden, withdrawn or redacted: its themes are described again after
    commit, from what is public then, so its words leave key phrases and labels."""
    members = (
        ThemeMember.objects.filter(idea=idea)
        if idea is not None
        else ThemeMember.objects.filter(comment=comment)
    )
    dialogue_id = members.values_list("theme__dialogue_id", flat=True).first()
    if dialogue_id is not None:
        transaction.on_commit(
            lambda: tasks.insights_themes_redescribe.delay(dialogue_id=dialogue_id)
        )


def _figures_follow(
    dialogue_id: int, post: Idea | Comment, update_fields: Iterable[str] | None
) -> None:
    """Figures are cached for a minute; a post leaving public view (or its text edited or
    redacted) drops them at once, so no report made in that minute still shows it."""
    withdrawn = isinstance(post, Idea) and post.withdrawn_at is not None
    if post.visibility == Visibility.PUBLISHED and not withdrawn and update_fields is None:
        return
    key = CACHE_KEY.format(dialogue_id)
    transaction.on_commit(lambda: cache.delete(key))
