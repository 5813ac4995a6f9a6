"""Reads for the moderation queue."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from dialogues.models import Comment, Idea
from moderation.models import AuditEntry, SafeguardingConcern, Visibility

WAITING = [Visibility.HELD, Visibility.HIDDEN]


@dataclass
class QueueItem:
    kind: str  # "idea" or "comment"
    item: Idea | Comment

    @property
    def idea(self) -> Idea:
        return self.item if isinstance(self.item, Idea) else self.item.idea

    @property
    def text(self) -> str:
        if isinstance(self.item, Idea):
            return f"{self.item.title}\n\n{self.item.body}"
        return self.item.body


UNDER_18 = ["under_16", "16_17"]


def queue(*, reason: str = "", dialogue_slug: str = "", under_18: bool = False) -> list[QueueItem]:
    """Everything waiting for a moderator, oldest first."""
    ideas: QuerySet[Idea] = Idea.objects.filter(visibility__in=WAITING).select_related(
        "author", "dialogue"
    )
    comments: QuerySet[Comment] = Comment.objects.filter(visibility__in=WAITING).select_related(
        "author", "idea__dialogue"
    )
    if dialogue_slug:
        ideas = ideas.filter(dialogue__slug=dialogue_slug)
        comments = comments.filter(idea__dialogue__slug=dialogue_slug)
    if reason:
        ideas = ideas.filter(hold_reasons__contains=[{"kind": reason}])
        comments = comments.filter(hold_reasons__contains=[{"kind": reason}])
    if under_18:
        ideas = ideas.filter(author__age_band__in=UNDER_18)
        comments = comments.filter(author__age_band__in=UNDER_18)
    # Safeguarding concerns go to the leads' own queue, never the moderators'.
    ideas = ideas.exclude(hold_reasons__contains=[{"kind": "safeguarding"}])
    comments = comments.exclude(hold_reasons__contains=[{"kind": "safeguarding"}])
    items = [QueueItem("idea", idea) for idea in ideas[:200]]
    items += [QueueItem("comment", comment) for comment in comments[:200]]
    return sorted(items, key=lambda entry: entry.item.held_at or entry.item.created_at)


def median_time_to_first_review(*, days: int = 30) -> timedelta | None:
    since = timezone.now() - timedelta(days=days)
    waits = [
        (reviewed - held).total_seconds()
        for model in (Idea, Comment)
        for held, reviewed in model.objects.filter(
            reviewed_at__gte=since, held_at__isnull=False
        ).values_list("held_at", "reviewed_at")[:1000]
        if held is not None and reviewed is not None
    ]
    return timedelta(seconds=statistics.median(waits)) if waits else None


def audit_log(*, limit: int = 100) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.all()[:limit]


def safeguarding_queue() -> list[SafeguardingConcern]:
    """Open concerns first (newest first), then the last 50 handled ones."""
    related = ("idea__dialogue", "comment__idea__dialogue", "raised_by", "handled_by")
    open_concerns = (
        SafeguardingConcern.objects.filter(handled_at__isnull=True)
        .select_related(*related)
        .order_by("-created_at")
    )
    handled = (
        SafeguardingConcern.objects.filter(handled_at__isnull=False)
        .select_related(*related)
        .order_by("-handled_at")[:50]
    )
    return [*open_concerns, *handled]


def post_get(*, kind: str, post_id: int, published_only: bool = False) -> Idea | Comment | None:
    """An idea or comment by its kind ("idea"/"comment") and id, or None."""
    posts: QuerySet[Idea] | QuerySet[Comment]
    if kind == "idea":
        posts = Idea.objects.select_related("author", "dialogue")
    elif kind == "comment":
        posts = Comment.objects.select_related("author", "idea__dialogue")
    else:
        return None
    if published_only:
        posts = posts.filter(visibility=Visibility.PUBLISHED)
    return posts.filter(pk=post_id).first()
