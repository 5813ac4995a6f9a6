"""Exports of a dialogue (or every dialogue) as rows for a spreadsheet, and the audited service
that starts one.

Each dataset is a generator of rows, header first, read from the database in chunks
(`.iterator(chunk_size=...)`) with every join and count done in SQL, so an export of any size
keeps memory flat. Who may see a post publicly is decided by the same rules as the public
pages (`dialogues.selectors.idea_rule`/`comment_rule`): a post that is not public is exported
with its true state and its text withheld, never as published. People appear only as a
pseudonym, an HMAC of the site and their id, never a username or an email address.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import DemographicAnswer, DemographicQuestion, User
from billing.entitlements import Feature, entitlement_check
from dialogues.models import Comment, Dialogue, Idea, Rating, StatusChange
from dialogues.selectors import comment_rule, idea_rule
from insights.models import Theme
from moderation.models import AuditEntry, Visibility
from townsquare.lib.spreadsheets import Cell
from townsquare.lib.tenancy import tenant_scope

# Rows fetched from PostgreSQL at a time: enough to keep round trips few, small enough that
# memory does not grow with the export.
CHUNK = 2000
FORMATS = ("csv", "xlsx")
ALL_DIALOGUES = "all-dialogues"
AUDIT_ACTION = "export"

Row = Sequence[Cell]

# What replaces the text of a post the public cannot see, by its state in the export.
WITHHELD = {
    Visibility.HELD.value: "[withheld: held for review]",
    Visibility.HIDDEN.value: "[withheld: hidden by a moderator or by reports]",
    Visibility.REJECTED.value: "[withheld: rejected by a moderator]",
    "withdrawn": "[withheld: withdrawn by its author]",
    "dialogue draft": "[withheld: its dialogue is a draft]",
}
NOT_PUBLIC_WITHHELD = "[withheld: not public]"


def _withheld(state: str) -> str:
    return WITHHELD.get(state, NOT_PUBLIC_WITHHELD)


def _when(moment: datetime | None) -> str:
    """A time in the site's time zone, to the second (ISO 8601, with its offset)."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def _hours(span: timedelta | None) -> float | None:
    return round(span.total_seconds() / 3600, 1) if span is not None else None


def pseudonym_of(user_id: int, *, scope: str | None = None) -> str:
    """A participant's stable name in exports: the same person gets the same one in every
    export of this site, a different one on every other site, and it cannot be turned back
    into the account without the server's secret."""
    message = f"insights.pseudonym:{scope or tenant_scope()}:{user_id}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"P-{digest[:10]}"


class _Pseudonyms:
    """Pseudonyms for one export: the site is looked up once, not once per row."""

    def __init__(self) -> None:
        self.scope = tenant_scope()

    def __call__(self, user_id: int | None) -> str:
        return pseudonym_of(user_id, scope=self.scope) if user_id is not None else ""


@dataclass(frozen=True)
class Scope:
    """What an export covers: one dialogue, or every dialogue of the site (None)."""

    dialogue: Dialogue | None

    @property
    def slug(self) -> str:
        return self.dialogue.slug if self.dialogue else ALL_DIALOGUES

    def q(self, path: str = "dialogue") -> Q:
        """A filter naming the dialogue through this path (nothing for every dialogue)."""
        return Q(**{path: self.dialogue}) if self.dialogue else Q()

    @property
    def target_id(self) -> int:
        return self.dialogue.pk if self.dialogue else 0


def _public(rule: Q) -> Case:
    """True where the public pages would show the row (the rule is theirs)."""
    return Case(When(rule, then=Value(True)), default=Value(False), output_field=BooleanField())


def _idea_state(*, public: bool, visibility: str, withdrawn: bool, dialogue_state: str) -> str:
    if visibility != Visibility.PUBLISHED:
        return visibility
    if withdrawn:
        return "withdrawn"
    if not public and dialogue_state == Dialogue.State.DRAFT:
        return "dialogue draft"
    return "published" if public else "not public"


def _comment_state(
    *, public: bool, visibility: str, idea_visibility: str, parent_visibility: str | None
) -> str:
    if public:
        return "published"
    if visibility != Visibility.PUBLISHED:
        return visibility
    if idea_visibility != Visibility.PUBLISHED:
        return f"idea {idea_visibility}"
    if parent_visibility not in (None, Visibility.PUBLISHED):
        return f"reply to a {parent_visibility} comment"
    return "dialogue draft"


def ideas_rows(scope: Scope) -> Iterator[Row]:
    # django-stubs does not follow an annotate() after values(): the ignores below say so.
    tag_names = (
        Idea.tags.through.objects.filter(idea_id=OuterRef("pk"))  # type: ignore[misc]
        .values("idea_id")
        .annotate(names=StringAgg("tag__name", delimiter="; ", order_by="tag__name"))
        .values("names")
    )
    ideas = (
        Idea.objects.filter(scope.q())
        .annotate(public=_public(idea_rule()), tag_names=Subquery(tag_names))
        .order_by("pk")
        .values_list(
            "pk",
            "dialogue__slug",
            "created_at",
            "title",
            "body",
            "tag_names",
            "status",
            "rating_count",
            "rating_total",
            "comment_count",
            "visibility",
            "withdrawn_at",
            "dialogue__state",
            "public",
            "gathering_id",
            named=True,
        )
    )
    yield [
        "id",
        "dialogue",
        "created_at",
        "title",
        "body",
        "tags",
        "status",
        "rating_count",
        "rating_average",
        "comment_count",
        "visibility",
        "gathered_at_session",
    ]
    for idea in ideas.iterator(chunk_size=CHUNK):
        state = _idea_state(
            public=idea.public,
            visibility=idea.visibility,
            withdrawn=idea.withdrawn_at is not None,
            dialogue_state=idea.dialogue__state,
        )
        shown = state == "published"
        line: list[Cell] = [
            idea.pk,
            idea.dialogue__slug,
            _when(idea.created_at),
            idea.title if shown else _withheld(state),
            idea.body if shown else _withheld(state),
            idea.tag_names or "",
            Idea.Status(idea.status).label if idea.status else "",
            idea.rating_count,
            round(idea.rating_total / idea.rating_count, 2) if idea.rating_count else None,
            idea.comment_count,
            state,
            "yes" if idea.gathering_id is not None else "no",
        ]
        yield line


def comments_rows(scope: Scope) -> Iterator[Row]:
    comments = (
        Comment.objects.filter(scope.q("idea__dialogue"))
        .annotate(public=_public(comment_rule()))
        .order_by("pk")
        .values_list(
            "pk",
            "idea__dialogue__slug",
            "idea_id",
            "parent_id",
            "created_at",
            "body",
            "is_official",
            "visibility",
            "idea__visibility",
            "parent__visibility",
            "public",
            "gathering_id",
            named=True,
        )
    )
    yield [
        "id",
        "dialogue",
        "idea_id",
        "parent_id",
        "created_at",
        "body",
        "official",
        "visibility",
        "gathered_at_session",
    ]
    for comment in comments.iterator(chunk_size=CHUNK):
        state = _comment_state(
            public=comment.public,
            visibility=comment.visibility,
            idea_visibility=comment.idea__visibility,
            parent_visibility=comment.parent__visibility,
        )
        line: list[Cell] = [
            comment.pk,
            comment.idea__dialogue__slug,
            comment.idea_id,
            comment.parent_id,
            _when(comment.created_at),
            comment.body if comment.public else _withheld(state),
            "yes" if comment.is_official else "no",
            state,
            "yes" if comment.gathering_id is not None else "no",
        ]
        yield line


def ratings_rows(scope: Scope) -> Iterator[Row]:
    names = _Pseudonyms()
    ratings = (
        Rating.objects.filter(scope.q("idea__dialogue"))
        .order_by("idea_id", "pk")
        .values_list("idea_id", "idea__dialogue__slug", "user_id", "stars", "updated_at")
    )
    yield ["idea_id", "dialogue", "participant", "stars", "updated_at"]
    for idea_id, dialogue, user_id, stars, updated in ratings.iterator(chunk_size=CHUNK):
        yield [idea_id, dialogue, names(user_id), stars, _when(updated)]


def tags_rows(scope: Scope) -> Iterator[Row]:
    """Each tag with the dialogue's ideas carrying it: the public ones (as the tag filter
    counts them) and all of them, whatever their state."""
    public = idea_rule(prefix="idea__") & Q(idea__withdrawn_at__isnull=True)
    tallies = (
        Idea.tags.through.objects.filter(scope.q("idea__dialogue"))  # type: ignore[misc]
        .values("tag__name", "idea__dialogue__slug")
        .annotate(public_ideas=Count("idea", filter=public), all_ideas=Count("idea"))
        .order_by("idea__dialogue__slug", "tag__name")
        .values_list("tag__name", "idea__dialogue__slug", "public_ideas", "all_ideas")
    )
    yield ["tag", "dialogue", "published_ideas", "all_ideas"]
    for name, dialogue, public_ideas, all_ideas in tallies.iterator(chunk_size=CHUNK):
        yield [name, dialogue, public_ideas, all_ideas]


def themes_rows(scope: Scope) -> Iterator[Row]:
    """One row per member of each current theme (a theme with no members gets one row)."""
    themes = (
        Theme.objects.filter(scope.q(), merged_into__isnull=True)
        .order_by("dialogue_id", "-size", "pk", "-members__similarity", "members__pk")
        .values_list(
            "pk",
            "dialogue__slug",
            "label",
            "size",
            "key_phrases",
            "members__idea_id",
            "members__comment_id",
            named=True,
        )
    )
    yield ["theme_id", "dialogue", "label", "size", "key_phrases", "member_type", "member_id"]
    for theme in themes.iterator(chunk_size=CHUNK):
        idea_id, comment_id = theme.members__idea_id, theme.members__comment_id
        yield [
            theme.pk,
            theme.dialogue__slug,
            theme.label,
            theme.size,
            "; ".join(str(phrase) for phrase in theme.key_phrases or []),
            "idea" if idea_id else "comment" if comment_id else "",
            idea_id or comment_id,
        ]


def responses_rows(scope: Scope) -> Iterator[Row]:
    """The organisation's answers: official comments, then status changes with their
    explanation, each with the hours from the idea being posted to the answer."""
    waited = ExpressionWrapper(
        F("created_at") - F("idea__created_at"), output_field=DurationField()
    )
    yield [
        "kind",
        "dialogue",
        "idea_id",
        "created_at",
        "status",
        "text",
        "hours_to_respond",
        "visibility",
    ]
    official = (
        Comment.objects.filter(scope.q("idea__dialogue"), is_official=True)
        .annotate(public=_public(comment_rule()), waited=waited)
        .order_by("pk")
        .values_list(
            "idea__dialogue__slug",
            "idea_id",
            "created_at",
            "body",
            "waited",
            "visibility",
            "idea__visibility",
            "parent__visibility",
            "public",
            named=True,
        )
    )
    for comment in official.iterator(chunk_size=CHUNK):
        state = _comment_state(
            public=comment.public,
            visibility=comment.visibility,
            idea_visibility=comment.idea__visibility,
            parent_visibility=comment.parent__visibility,
        )
        yield [
            "official comment",
            comment.idea__dialogue__slug,
            comment.idea_id,
            _when(comment.created_at),
            "",
            comment.body if comment.public else _withheld(state),
            _hours(comment.waited),
            state,
        ]
    changes = (
        StatusChange.objects.filter(scope.q("idea__dialogue"))
        .annotate(public=_public(idea_rule(prefix="idea__")), waited=waited)
        .order_by("pk")
        .values_list(
            "idea__dialogue__slug",
            "idea_id",
            "created_at",
            "status",
            "explanation",
            "waited",
            "idea__visibility",
            "idea__dialogue__state",
            "public",
            named=True,
        )
    )
    for change in changes.iterator(chunk_size=CHUNK):
        # The explanation is shown on the idea's page, so it is public while that page is
        # (a withdrawn idea's page still shows it, so withdrawal does not withhold it).
        idea_state = _idea_state(
            public=change.public,
            visibility=change.idea__visibility,
            withdrawn=False,
            dialogue_state=change.idea__dialogue__state,
        )
        shown = idea_state == "published"
        yield [
            "status change",
            change.idea__dialogue__slug,
            change.idea_id,
            _when(change.created_at),
            Idea.Status(change.status).label,
            change.explanation if shown else _withheld(idea_state),
            _hours(change.waited),
            "published" if shown else f"idea {idea_state}",
        ]


def _count_of(model: type[Model], *, author_field: str, scope_q: Q) -> Coalesce:
    counted = (
        model._default_manager.filter(scope_q, **{author_field: OuterRef("pk")})
        .order_by()
        .values(author_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def participants_rows(scope: Scope) -> Iterator[Row]:
    """Residents who took part in scope (an idea, a comment or a rating, in any state), each
    under their pseudonym with their optional answers; staff are not participants."""
    names = _Pseudonyms()
    questions = list(DemographicQuestion.objects.order_by("position", "pk"))
    answers = {
        f"q{question.pk}": Subquery(
            DemographicAnswer.objects.filter(user_id=OuterRef("pk"), question=question).values(
                "answer"
            )[:1]
        )
        for question in questions
    }
    people = (
        User.objects.filter(role=User.Role.RESIDENT)
        .annotate(
            idea_n=_count_of(Idea, author_field="author", scope_q=scope.q()),
            comment_n=_count_of(Comment, author_field="author", scope_q=scope.q("idea__dialogue")),
            rating_n=_count_of(Rating, author_field="user", scope_q=scope.q("idea__dialogue")),
            **answers,
        )
        .filter(Q(idea_n__gt=0) | Q(comment_n__gt=0) | Q(rating_n__gt=0))
        .order_by("pk")
        .values_list("pk", "date_joined", "age_band", "idea_n", "comment_n", "rating_n", *answers)
    )
    bands = dict(User.AgeBand.choices)
    yield [
        "participant", "joined_month", "ideas", "comments", "ratings", "age_band",
        *(question.text for question in questions),
    ]  # fmt: skip
    for pk, joined, band, ideas, comments, ratings, *replies in people.iterator(chunk_size=CHUNK):
        month = timezone.localtime(joined).strftime("%Y-%m") if joined else ""
        yield [
            names(pk), month, ideas, comments, ratings, str(bands.get(band, "")) if band else "",
            *(reply or "" for reply in replies),
        ]  # fmt: skip


@dataclass(frozen=True)
class Dataset:
    key: str
    label: str
    description: str
    rows: Callable[[Scope], Iterator[Row]]


DATASETS: dict[str, Dataset] = {
    dataset.key: dataset
    for dataset in (
        Dataset(
            "ideas",
            "Ideas",
            "Each idea with its tags, status, ratings, comment count and visibility.",
            ideas_rows,
        ),
        Dataset(
            "comments",
            "Comments",
            "Each comment and reply, whether it is the organisation's, and its visibility.",
            comments_rows,
        ),
        Dataset(
            "ratings",
            "Ratings",
            "Each rating: the idea, the participant's pseudonym and the stars.",
            ratings_rows,
        ),
        Dataset("tags", "Tags", "How many ideas carry each tag, per dialogue.", tags_rows),
        Dataset(
            "themes",
            "Themes",
            "Each theme with its size and key phrases, one row per idea or comment in it.",
            themes_rows,
        ),
        Dataset(
            "responses",
            "Responses",
            "Official comments and status changes, with the time taken to respond.",
            responses_rows,
        ),
        Dataset(
            "participants",
            "Participants",
            "Each resident who took part, under a pseudonym, with their counts and their "
            "answers to the optional sign-up questions.",
            participants_rows,
        ),
    )
}


@dataclass(frozen=True)
class Export:
    """An export the service has allowed and recorded: its rows are read as it is written."""

    dataset: Dataset
    file_format: str
    scope: Scope
    rows: Iterator[Row]

    @property
    def filename(self) -> str:
        day = f"{timezone.localdate():%Y-%m-%d}"
        return f"{self.scope.slug}-{self.dataset.key}-{day}.{self.file_format}"


def export_create(
    *, actor: User, dialogue: Dialogue | None, dataset: str, file_format: str
) -> Export:
    """Starts an export: refuses a format the plan does not include (PlanLimitError) and
    records who exported what in the audit log (never any of the data)."""
    if dataset not in DATASETS:
        raise ValueError(f"No such dataset: {dataset}")
    if file_format not in FORMATS:
        raise ValueError(f"No such format: {file_format}")
    entitlement_check(Feature.EXPORT_FORMAT, value=file_format)
    chosen = DATASETS[dataset]
    scope = Scope(dialogue)
    with transaction.atomic():
        AuditEntry.objects.create(
            actor=actor,
            actor_name=actor.get_username(),
            action=AUDIT_ACTION,
            target_type="dialogue",
            target_id=scope.target_id,
            # The audit page shows the reason column: say what was exported there too.
            reason=f"{chosen.label} of {scope.dialogue or 'every dialogue'} "
            f"as {file_format.upper()}",
            after={"dataset": chosen.key, "format": file_format},
        )
    return Export(dataset=chosen, file_format=file_format, scope=scope, rows=chosen.rows(scope))


@dataclass(frozen=True)
class ExportRecord:
    when: datetime
    who: str
    dialogue: str
    dataset: str
    file_format: str


def exports_recent(*, limit: int = 20) -> list[ExportRecord]:
    """The latest exports from the audit log, newest first, for the exports page."""
    entries: QuerySet[AuditEntry] = AuditEntry.objects.filter(action=AUDIT_ACTION).order_by(
        "-created_at", "-pk"
    )[:limit]
    listed = list(entries)
    titles = dict(
        Dialogue.objects.filter(pk__in={entry.target_id for entry in listed}).values_list(
            "pk", "title"
        )
    )
    records = []
    for entry in listed:
        after: dict[str, Any] = entry.after if isinstance(entry.after, dict) else {}
        dataset = DATASETS.get(str(after.get("dataset", "")))
        records.append(
            ExportRecord(
                when=entry.created_at,
                who=entry.actor_name,
                dialogue=titles.get(entry.target_id, "a deleted dialogue")
                if entry.target_id
                else "Every dialogue",
                dataset=dataset.label if dataset else str(after.get("dataset", "")),
                file_format=str(after.get("format", "")).upper(),
            )
        )
    return records
