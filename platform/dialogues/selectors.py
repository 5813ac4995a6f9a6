"""Reads for dialogues and ideas, shaped for the pages and the API with a fixed query count.

Who may see a post is decided here and nowhere else: every read path (pages, live polls,
search, the API, follows, notifications, the admin figures) builds on `ideas_visible` and
`comments_visible`, or on the `idea_rule`/`comment_rule` they are made of.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.postgres.search import SearchQuery
from django.db.models import Case, Count, F, FloatField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Lower
from django.utils import timezone

from accounts.models import User
from accounts.roles import Capability, user_can
from billing.entitlements import Feature, PlanLimitError, entitlement_check
from dialogues.gathering_upload import CheckedRow, UploadRow, rows_check
from dialogues.models import (
    IDEA_SEARCH_VECTOR,
    Comment,
    Dialogue,
    Gathering,
    GatheringUpload,
    Idea,
    Rating,
    Tag,
)
from moderation.models import SAFEGUARDING, WAITING, Report, Visibility

SORTS = {
    "newest": "Newest",
    "top_rated": "Top rated",
    "most_discussed": "Most discussed",
    "responded": "Responded to",
}


PUBLIC_STATES = [Dialogue.State.OPEN, Dialogue.State.CLOSED, Dialogue.State.ARCHIVED]


def _signed_in(viewer: object) -> User | None:
    return viewer if isinstance(viewer, User) and viewer.is_authenticated else None


def _post_rule(viewer: object, *, prefix: str = "", review: bool = False) -> Q:
    """Which ideas or comments (under `prefix`) a viewer sees in the conversation.

    Everyone sees published posts; authors also see their own posts while they wait for a
    moderator. With `review`, moderators also see posts waiting or decided, except those held
    for safeguarding, which only safeguarding leads see.
    """
    rule = Q(**{f"{prefix}visibility": Visibility.PUBLISHED})
    user = _signed_in(viewer)
    if user is None:
        return rule
    rule |= Q(**{f"{prefix}author": user, f"{prefix}visibility": Visibility.HELD})
    if review and user_can(user, Capability.SAFEGUARD):
        return Q(**{f"{prefix}pk__isnull": False})
    if review and user_can(user, Capability.MODERATE):
        held_for_safeguarding = Q(**{f"{prefix}hold_reasons__contains": [{"kind": SAFEGUARDING}]})
        waiting = Q(**{f"{prefix}visibility__in": [*WAITING, Visibility.REJECTED]})
        rule |= waiting & ~held_for_safeguarding
    return rule


def idea_rule(viewer: object = None, *, prefix: str = "", review: bool = False) -> Q:
    """Ideas this viewer may see: the post rule, in a dialogue that is public."""
    # Positive terms only: a negated term on a to-many path would mean "no such idea".
    public_dialogue = Q(**{f"{prefix}dialogue__state__in": PUBLIC_STATES})
    return public_dialogue & _post_rule(viewer, prefix=prefix, review=review)


def comment_rule(viewer: object = None, *, prefix: str = "") -> Q:
    """Comments this viewer may see in a conversation: visible themselves, on a visible idea,
    and (for replies) under a visible comment."""
    parent_visible = Q(**{f"{prefix}parent__isnull": True}) | _post_rule(
        viewer, prefix=f"{prefix}parent__"
    )
    return (
        _post_rule(viewer, prefix=prefix)
        & idea_rule(viewer, prefix=f"{prefix}idea__")
        & parent_visible
    )


def ideas_visible(*, viewer: object = None, review: bool = False) -> QuerySet[Idea]:
    """Every idea this viewer may open (withdrawn ones included: their page says so)."""
    return Idea.objects.filter(idea_rule(viewer, review=review))


def ideas_listed(*, viewer: object = None) -> QuerySet[Idea]:
    """Ideas that count and appear in lists, search and figures: visible, not withdrawn."""
    return ideas_visible(viewer=viewer).filter(withdrawn_at__isnull=True)


def comments_visible(*, viewer: object = None) -> QuerySet[Comment]:
    return Comment.objects.filter(comment_rule(viewer))


def dialogue_list_public() -> QuerySet[Dialogue]:
    """What the tenant home page lists: open and closed dialogues that are listed."""
    return (
        Dialogue.objects.filter(listed=True, state__in=[Dialogue.State.OPEN, Dialogue.State.CLOSED])
        .annotate(
            idea_count=Count(
                "ideas", filter=idea_rule(prefix="ideas__") & Q(ideas__withdrawn_at__isnull=True)
            )
        )
        .order_by("state", "-created_at")
    )


def dialogue_list_with_figures() -> QuerySet[Dialogue]:
    """Every dialogue, for staff, with the ideas that count (public, not withdrawn), those of
    them still awaiting a response, and posts waiting for a moderator."""
    counted = _post_rule(None, prefix="ideas__") & Q(ideas__withdrawn_at__isnull=True)
    return Dialogue.objects.annotate(
        idea_total=Count("ideas", filter=counted),
        awaiting=Count("ideas", filter=counted & Q(ideas__responded_at__isnull=True)),
    ).order_by("-created_at")


# The staff list's sortable columns; ties fall back to newest first.
DIALOGUE_SORTS: dict[str, Lower | F] = {
    "title": Lower("title"),
    "state": F("state"),
    "closes": F("closes_at"),
    "ideas": F("idea_total"),
    "awaiting": F("awaiting"),
}


def dialogues_sorted(
    *, rows: QuerySet[Dialogue], key: str, descending: bool = False
) -> QuerySet[Dialogue]:
    """The staff list ordered by one of DIALOGUE_SORTS' columns, empty values last."""
    column = DIALOGUE_SORTS[key]
    order = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    return rows.order_by(order, "-created_at")


def dialogues_due_to_open(*, now: datetime | None = None) -> list[Dialogue]:
    """Drafts whose opening time has come (and whose closing time has not), earliest first:
    what the schedule opens next."""
    now = now or timezone.now()
    return list(
        Dialogue.objects.filter(
            state=Dialogue.State.DRAFT, opens_at__isnull=False, opens_at__lte=now
        )
        .exclude(closes_at__lte=now)
        .order_by("opens_at", "pk")
    )


@dataclass(frozen=True)
class PlanHold:
    """Scheduled dialogues the plan kept from opening, and the refusal that says why."""

    dialogues: list[Dialogue]
    refusal: PlanLimitError


def dialogues_held_by_plan(*, now: datetime | None = None) -> PlanHold | None:
    """Drafts past their opening time that stay closed because the plan's open dialogues are
    all in use; None when there are none (with room, the schedule opens them within a
    minute)."""
    due = dialogues_due_to_open(now=now)
    if not due:
        return None
    try:
        entitlement_check(
            Feature.OPEN_DIALOGUES,
            in_use=Dialogue.objects.filter(state=Dialogue.State.OPEN).count(),
        )
    except PlanLimitError as refusal:
        return PlanHold(dialogues=due, refusal=refusal)
    return None


def ideas_awaiting_response(*, limit: int = 200) -> list[Idea]:
    """Public ideas nobody has answered yet, oldest first: rejected, held, hidden and
    withdrawn ones are not waiting for the organisation."""
    return list(
        ideas_listed()
        .filter(responded_at__isnull=True)
        .select_related("dialogue", "author")
        .order_by("created_at")[:limit]
    )


def dialogue_get_public(*, slug: str) -> Dialogue | None:
    """Any non-draft dialogue, listed or not: unlisted ones are reachable by their link."""
    return Dialogue.objects.exclude(state=Dialogue.State.DRAFT).filter(slug=slug).first()


def tag_list_for_dialogue(*, dialogue: Dialogue) -> QuerySet[Tag]:
    """Tags used by the dialogue's ideas, for the filter."""
    return (
        Tag.objects.filter(
            idea_rule(prefix="ideas__"), ideas__dialogue=dialogue, ideas__withdrawn_at__isnull=True
        )
        .distinct()
        .order_by("name")
    )


def tags_public() -> QuerySet[Tag]:
    """Tags on public dialogues or on ideas anyone can see."""
    return (
        Tag.objects.filter(Q(dialogues__state__in=PUBLIC_STATES) | idea_rule(prefix="ideas__"))
        .distinct()
        .order_by("name")
    )


def idea_list(
    *, dialogue: Dialogue, sort: str = "newest", tag: str = "", query: str = ""
) -> QuerySet[Idea]:
    """The dialogue's live ideas, filtered and sorted; authors and tags fetched up front."""
    ideas = (
        ideas_listed()
        .filter(dialogue=dialogue)
        .select_related("author", "gathering")
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


def idea_get(*, dialogue: Dialogue, idea_id: int, viewer: object = None) -> Idea | None:
    """The idea at this address, if this viewer may open its page."""
    return (
        ideas_visible(viewer=viewer, review=True)
        .filter(dialogue=dialogue, pk=idea_id)
        .select_related("author", "dialogue", "gathering")
        .prefetch_related("tags")
        .first()
    )


def comment_threads(*, idea: Idea, viewer: object = None) -> list[Comment]:
    """Top-level comments in order, each with its visible replies, authors fetched up front."""
    visible = comments_visible(viewer=viewer)
    replies = visible.select_related("author", "gathering").order_by("created_at")
    return list(
        visible.filter(idea=idea, parent__isnull=True)
        .select_related("author", "gathering")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at")
    )


def rating_of(*, idea: Idea, user: User) -> int | None:
    if not user.is_authenticated:
        return None
    return Rating.objects.filter(idea=idea, user=user).values_list("stars", flat=True).first()


def idea_get_visible(*, idea_id: int, viewer: object = None) -> Idea | None:
    """An idea by id alone (live polls, follows), only if this viewer may see it."""
    return ideas_visible(viewer=viewer).select_related("dialogue").filter(pk=idea_id).first()


def dialogue_get_public_by_id(*, dialogue_id: int) -> Dialogue | None:
    return Dialogue.objects.exclude(state=Dialogue.State.DRAFT).filter(pk=dialogue_id).first()


def idea_count_since(*, dialogue: Dialogue, since: datetime) -> int:
    return ideas_listed().filter(dialogue=dialogue, created_at__gt=since).count()


def comments_after(*, idea: Idea, after: int, viewer: object = None) -> list[Comment]:
    """Comments posted since the viewer's last look, oldest first, capped to stay cheap."""
    visible = comments_visible(viewer=viewer)
    return list(
        visible.filter(idea=idea, pk__gt=after)
        .select_related("author", "gathering")
        .prefetch_related(
            Prefetch("replies", queryset=visible.select_related("author", "gathering"))
        )
        .order_by("pk")[:50]
    )


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
    ideas = ideas.exclude(hold_reasons__contains=[{"kind": SAFEGUARDING}])
    comments = comments.exclude(hold_reasons__contains=[{"kind": SAFEGUARDING}])
    items = [QueueItem("idea", idea) for idea in ideas[:200]]
    items += [QueueItem("comment", comment) for comment in comments[:200]]
    return sorted(items, key=lambda entry: entry.item.held_at or entry.item.created_at)


def queue_count() -> int:
    """How many posts wait for a moderator (the queue's own rule, without loading them)."""
    not_safeguarding = ~Q(hold_reasons__contains=[{"kind": SAFEGUARDING}])
    return (
        Idea.objects.filter(not_safeguarding, visibility__in=WAITING).count()
        + Comment.objects.filter(not_safeguarding, visibility__in=WAITING).count()
    )


def ideas_awaiting_response_count() -> int:
    """How many public ideas nobody has answered (ideas_awaiting_response's rule, counted)."""
    return ideas_listed().filter(responded_at__isnull=True).count()


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


def post_get(*, kind: str, post_id: int, public: bool = False) -> Idea | Comment | None:
    """An idea or comment by its kind ("idea"/"comment") and id, or None.

    `public` limits it to what any visitor sees (for reports and concerns); staff actions
    take any post and their services check the role.
    """
    posts: QuerySet[Idea] | QuerySet[Comment]
    if kind == "idea":
        posts = Idea.objects.select_related("author", "dialogue")
        rule = idea_rule()
    elif kind == "comment":
        posts = Comment.objects.select_related("author", "idea__dialogue")
        rule = comment_rule()
    else:
        return None
    if public:
        posts = posts.filter(rule)
    return posts.filter(pk=post_id).first()


@dataclass
class ReportedPost:
    """A public post with reports nobody has looked at yet (fewer than the hiding threshold)."""

    kind: str
    item: Idea | Comment
    reasons: list[str]
    count: int

    @property
    def idea(self) -> Idea:
        return self.item if isinstance(self.item, Idea) else self.item.idea

    @property
    def text(self) -> str:
        return QueueItem(self.kind, self.item).text


def posts_reported(*, limit: int = 100) -> list[ReportedPost]:
    """Public posts with open reports, most reported first, so no report goes unseen."""
    reasons: dict[tuple[str, int], list[str]] = defaultdict(list)
    for idea_id, comment_id, reason in Report.objects.filter(resolved_at__isnull=True).values_list(
        "idea_id", "comment_id", "reason"
    )[:1000]:
        key = ("idea", idea_id) if idea_id else ("comment", comment_id)
        reasons[key].append(Report.Reason(reason).label)
    posts: list[tuple[str, Idea | Comment]] = [
        ("idea", idea)
        for idea in Idea.objects.select_related("author", "dialogue").filter(
            pk__in=[pk for kind, pk in reasons if kind == "idea"], visibility=Visibility.PUBLISHED
        )
    ]
    posts += [
        ("comment", comment)
        for comment in Comment.objects.select_related("author", "idea__dialogue").filter(
            pk__in=[pk for kind, pk in reasons if kind == "comment"],
            visibility=Visibility.PUBLISHED,
        )
    ]
    found = [
        ReportedPost(kind, post, sorted(set(reasons[kind, post.pk])), len(reasons[kind, post.pk]))
        for kind, post in posts
    ]
    found.sort(key=lambda entry: (-entry.count, entry.item.created_at))
    return found[:limit]


# In-person sessions (staff pages only; the public sees a session through its posts).


def dialogues_with_gatherings() -> QuerySet[Dialogue]:
    """Open dialogues (sessions can be added to them) and any dialogue that has sessions,
    each with its number of sessions."""
    return (
        Dialogue.objects.annotate(gathering_total=Count("gatherings"))
        .filter(Q(state=Dialogue.State.OPEN) | Q(gathering_total__gt=0))
        .order_by("state", "-created_at")
    )


def gatherings_of_dialogue(*, dialogue: Dialogue) -> QuerySet[Gathering]:
    """A dialogue's sessions, latest first, with how many ideas and comments each gave."""
    return (
        Gathering.objects.filter(dialogue=dialogue)
        .annotate(
            idea_total=Count("ideas", distinct=True),
            comment_total=Count("comments", distinct=True),
        )
        .order_by("-held_on", "-created_at")
    )


def gathering_get(*, gathering_id: int) -> Gathering | None:
    return (
        Gathering.objects.select_related("dialogue", "entered_by").filter(pk=gathering_id).first()
    )


@dataclass(frozen=True)
class GatheringContributions:
    ideas: list[Idea]
    comments: list[Comment]


def gathering_contributions(*, gathering: Gathering, viewer: User) -> GatheringContributions:
    """Everything entered for a session, whatever a moderator decided, newest first; a post
    held for safeguarding only for safeguarding leads, as everywhere else."""
    ideas = gathering.ideas.all()
    comments = gathering.comments.all()
    if not user_can(viewer, Capability.SAFEGUARD):
        ideas = ideas.exclude(hold_reasons__contains=[{"kind": SAFEGUARDING}])
        comments = comments.exclude(hold_reasons__contains=[{"kind": SAFEGUARDING}])
    return GatheringContributions(
        ideas=list(
            ideas.select_related("entered_by")
            .prefetch_related("tags")
            .order_by("-created_at")[:500]
        ),
        comments=list(comments.select_related("entered_by", "idea").order_by("-created_at")[:500]),
    )


def ideas_open_to_comments(*, dialogue: Dialogue, limit: int = 500) -> list[Idea]:
    """Public, not withdrawn ideas of a dialogue: what a session's comment may answer."""
    return list(
        Idea.objects.filter(
            dialogue=dialogue, visibility=Visibility.PUBLISHED, withdrawn_at__isnull=True
        ).order_by("-created_at")[:limit]
    )


def gathering_uploads_staged(*, gathering: Gathering) -> QuerySet[GatheringUpload]:
    return GatheringUpload.objects.filter(
        gathering=gathering, status=GatheringUpload.Status.STAGED
    ).order_by("-created_at")


def gathering_upload_get(*, gathering: Gathering, upload_id: int) -> GatheringUpload | None:
    return GatheringUpload.objects.filter(gathering=gathering, pk=upload_id).first()


def gathering_upload_preview(*, upload: GatheringUpload) -> list[CheckedRow]:
    """Each staged row with what is wrong with it, checked against the dialogue as it is now."""
    return rows_check(
        dialogue=upload.gathering.dialogue,
        rows=[UploadRow.from_json(row) for row in upload.rows],
    )
