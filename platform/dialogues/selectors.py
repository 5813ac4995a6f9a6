"""Reads for dialogues and ideas, shaped for the pages and the API."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from dialogues.models import Dialogue, Idea


def dialogue_list_public() -> QuerySet[Dialogue]:
    """What the tenant home page lists: open and closed dialogues that are listed."""
    return (
        Dialogue.objects.filter(listed=True, state__in=[Dialogue.State.OPEN, Dialogue.State.CLOSED])
        .annotate(idea_count=Count("ideas"))
        .order_by("state", "-created_at")
    )


def dialogue_get_public(*, slug: str) -> Dialogue | None:
    """Any non-draft dialogue, listed or not: unlisted ones are reachable by their link."""
    return Dialogue.objects.exclude(state=Dialogue.State.DRAFT).filter(slug=slug).first()


def idea_list_for_dialogue(*, dialogue: Dialogue) -> QuerySet[Idea]:
    return Idea.objects.filter(dialogue=dialogue).select_related("author").order_by("-created_at")
