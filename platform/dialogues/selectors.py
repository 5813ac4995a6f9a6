"""Reads for dialogues and ideas, shaped for the pages and the API with a fixed query count."""

from __future__ import annotations

from datetime import datetime

from django.contrib.postgres.search import SearchQuery
from django.db.models import Case, Count, F, FloatField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Cast

from accounts.models import User
from accounts.roles import Capability, user_can
from dialogues.models import IDEA_SEARCH_VECTOR, Comment, Dialogue, Idea, Rating, Tag
from moderation.models import Visibility

SORTS = {
    "newest": "Newest",
    "top_rated": "Top rated",
    "most_discussed": "Most discussed",
    "responded": "Responded to",
}


def dialogue_list_public() -> QuerySet[Dialogue]:
    """What the tenant home page lists: open and closed dialogues that are listed."""
    return (
        Dialogue.objects.filter(listed=True, state__in=[Dialogue.State.OPEN, Dialogue.State.CLOSED])
        .annotate(
            idea_count=Count(
                "ideas",
                filter=Q(ideas__withdrawn_at__isnull=True, ideas__visibility=Visibility.PUBLISHED),
            )
        )
        .order_by("state", "-created_at")
    )


def dialogue_get_public(*, slug: str) -> Dialogue | None:
    """Any non-draft dialogue, listed or not: unlisted ones are reachable by their link."""
    return Dialogue.objects.exclude(state=Dialogue.State.DRAFT).filter(slug=slug).first()


def tag_list_for_dialogue(*, dialogue: Dialogue) -> QuerySet[Tag]:
    """Tags used by the dialogue's ideas, for the filter."""
    return (
        Tag.objects.filter(ideas__dialogue=dialogue, ideas__visibility=Visibility.PUBLISHED)
        .distinct()
        .order_by("name")
    )


def idea_list(
    *, dialogue: Dialogue, sort: str = "newest", tag: str = "", query: str = ""
) -> QuerySet[Idea]:
    """The dialogue's live ideas, filtered and sorted; authors and tags fetched up front."""
    ideas = (
        Idea.objects.filter(
            dialogue=dialogue, withdrawn_at__isnull=True, visibility=Visibility.PUBLISHED
        )
        .select_related("author")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
    )
    if tag:
        ideas = ideas.filter(tags__slug=tag)
    if query.strip():
        ideas = ideas.annotate(search=IDEA_SEARCH_VECTOR).filter(
            search=SearchQuery(query, config="english", search_type="websearch")
        )
    if sort == "top_rated":
        average = Case(
            When(rating_count=0, then=Value(None)),
            default=Cast(F("rating_total"), FloatField()) / F("rating_count"),
            output_field=FloatField(),
        )
        return ideas.order_by(average.desc(nulls_last=True), "-rating_count", "-created_at")
    if sort == "most_discussed":
        return ideas.order_by("-comment_count", "-created_at")
    if sort == "responded":
        return ideas.order_by(F("responded_at").desc(nulls_last=True), "-created_at")
    return ideas.order_by("-created_at")


def idea_get(*, dialogue: Dialogue, idea_id: int) -> Idea | None:
    return (
        Idea.objects.filter(dialogue=dialogue, pk=idea_id)
        .select_related("author", "dialogue")
        .prefetch_related("tags")
        .first()
    )


def _visible_to(viewer: object) -> Q:
    """Published posts, plus the viewer's own posts while they wait for a moderator."""
    visible = Q(visibility=Visibility.PUBLISHED)
    if isinstance(viewer, User) and viewer.is_authenticated:
        visible |= Q(author=viewer, visibility=Visibility.HELD)
    return visible


def idea_visible_to(*, idea: Idea, viewer: object) -> bool:
    if idea.is_published:
        return True
    if not isinstance(viewer, User):
        return False
    own_held = idea.author_id == viewer.pk and idea.visibility == Visibility.HELD
    return own_held or user_can(viewer, Capability.MODERATE)


def comment_threads(*, idea: Idea, viewer: object = None) -> list[Comment]:
    """Top-level comments in order, each with its replies, authors fetched in the same go."""
    visible = _visible_to(viewer)
    replies = Comment.objects.filter(visible).select_related("author").order_by("created_at")
    return list(
        Comment.objects.filter(visible, idea=idea, parent__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at")
    )


def rating_of(*, idea: Idea, user: User) -> int | None:
    if not user.is_authenticated:
        return None
    return Rating.objects.filter(idea=idea, user=user).values_list("stars", flat=True).first()


def idea_get_any(*, idea_id: int) -> Idea | None:
    """An idea in any public dialogue, by id."""
    return (
        Idea.objects.exclude(dialogue__state=Dialogue.State.DRAFT)
        .select_related("dialogue")
        .filter(pk=idea_id)
        .first()
    )


def dialogue_get_public_by_id(*, dialogue_id: int) -> Dialogue | None:
    return Dialogue.objects.exclude(state=Dialogue.State.DRAFT).filter(pk=dialogue_id).first()


def idea_count_since(*, dialogue: Dialogue, since: datetime) -> int:
    return Idea.objects.filter(
        dialogue=dialogue,
        created_at__gt=since,
        withdrawn_at__isnull=True,
        visibility=Visibility.PUBLISHED,
    ).count()


def comments_after(*, idea: Idea, after: int) -> list[Comment]:
    """Comments posted since the viewer's last look, oldest first, capped to stay cheap."""
    return list(
        Comment.objects.filter(idea=idea, pk__gt=after, visibility=Visibility.PUBLISHED)
        .select_related("author")
        .prefetch_related("replies")
        .order_by("pk")[:50]
    )
