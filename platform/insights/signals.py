"""Receivers that keep idea vectors fresh for suggestions (connected in InsightsConfig.ready)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from dialogues.models import Idea
from insights import tasks
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
    # Only public ideas are ever suggested; the task checks again, and skips a fresh vector.
    if instance.visibility == Visibility.PUBLISHED and instance.withdrawn_at is None:
        idea_id = instance.pk
        transaction.on_commit(lambda: tasks.insights_idea_embed.delay(idea_id=idea_id))
