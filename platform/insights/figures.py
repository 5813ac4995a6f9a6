"""Reads behind the insights dashboard and report: a dialogue's figures, activity over time,
tags, ideas that stand out, responses, moderation, and who took part (in groups of five or more)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    F,
    FloatField,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, TruncDate, TruncWeek
from django.utils import timezone

from accounts.models import DemographicAnswer, DemographicQuestion, User
from dialogues.models import Comment, Dialogue, Gathering, Idea, Rating, StatusChange, Tag
from dialogues.selectors import comment_rule, ideas_listed
from insights.suppression import groups_shown
from moderation.models import WAITING

# Past this many days a day-by-day chart has too many bars to read: it counts weeks instead.
DAILY_UP_TO_DAYS = 92
# An idea needs this many ratings before it can be called top-rated.
TOP_RATED_MIN_RATINGS = 3
NOT_ANSWERED = "Not answered"
# Figures are kept this long: on a busy dialogue every view would otherwise recount tens of
# thousands of rows, and a board's figures do not need to be newer than a minute.
CACHE_SECONDS = 60
CACHE_KEY = "insights:figures:{}"


class Median(Aggregate):
    """PostgreSQL's exact median, which also works on intervals."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


@dataclass(frozen=True)
class Series:
    """Counts per period (day or week, local time) for one kind of activity."""

    name: str
    unit: str
    points: list[tuple[date, int]]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.points)


@dataclass(frozen=True)
class Activity:
    period: str  # "day" or "week"
    series: list[Series]


@dataclass(frozen=True)
class Breakdown:
    """One demographic question among the dialogue's participants, as it may be shown."""

    question: str
    groups: list[tuple[str, int]]  # empty when fewer than five answered in all


@dataclass(frozen=True)
class Responses:
    ideas: int
    responded: int
    official_comments: int
    status_changes: int
    median_time_to_respond: timedelta | None

    @property
    def percent_responded(self) -> int:
        return round(100 * self.responded / self.ideas) if self.ideas else 0


@dataclass(frozen=True)
class Moderation:
    waiting: int
    oldest_waiting_since: datetime | None
    reviewed: int
    median_time_to_first_review: timedelta | None


@dataclass(frozen=True)
class KeyFigures:
    participants: int
    ideas: int
    comments: int
    ratings: int
    # In-person sessions recorded, and the ideas and comments gathered at them (public ones).
    sessions: int = 0
    gathered: int = 0


@dataclass
class DialogueInsights:
    dialogue: Dialogue
    figures: KeyFigures
    activity: Activity
    top_tags: list[tuple[str, int]]
    most_discussed: list[Idea]
    top_rated: list[Idea]
    responses: Responses
    moderation: Moderation
    breakdowns: list[Breakdown] = field(default_factory=list)
    computed_at: datetime = field(default_factory=timezone.now)


def _published_ideas(dialogue: Dialogue) -> QuerySet[Idea]:
    """Ideas that count: what the public sees in the dialogue's lists (not withdrawn)."""
    return ideas_listed().filter(dialogue=dialogue)


def _published_comments(dialogue: Dialogue) -> QuerySet[Comment]:
    """Comments the public sees: the public pages' rule (a reply under a hidden comment is
    hidden too), on ideas that count."""
    return Comment.objects.filter(
        comment_rule(None), idea__dialogue=dialogue, idea__withdrawn_at__isnull=True
    )


def _first_contributions(dialogue: Dialogue) -> dict[int, datetime]:
    """Each resident who took part (an idea, a comment or a rating, whatever became of it)
    and when they first did: staff writing as the organisation are not participants."""
    resident = Q(author__role=User.Role.RESIDENT)
    firsts: dict[int, datetime] = {}
    sources = (
        Idea.objects.filter(resident, dialogue=dialogue)
        .values_list("author_id")
        .annotate(first=Min("created_at")),
        Comment.objects.filter(resident, idea__dialogue=dialogue)
        .values_list("author_id")
        .annotate(first=Min("created_at")),
        Rating.objects.filter(idea__dialogue=dialogue, user__role=User.Role.RESIDENT)
        .values_list("user_id")
        .annotate(first=Min("updated_at")),
    )
    for rows in sources:
        for user_id, first in rows:
            if user_id is not None and (user_id not in firsts or first < firsts[user_id]):
                firsts[user_id] = first
    return firsts


def _span(dialogue: Dialogue, firsts: dict[int, datetime]) -> tuple[date, date]:
    today = timezone.localdate()
    starts = [timezone.localtime(moment).date() for moment in firsts.values()]
    if dialogue.opens_at:
        starts.append(timezone.localtime(dialogue.opens_at).date())
    start = min(starts) if starts else timezone.localtime(dialogue.created_at).date()
    end = today
    if dialogue.closes_at and dialogue.closes_at < timezone.now():
        end = max(start, timezone.localtime(dialogue.closes_at).date())
    return min(start, end), end


def _periods(start: date, end: date, period: str) -> list[date]:
    if period == "week":
        start -= timedelta(days=start.weekday())
        step = timedelta(days=7)
    else:
        step = timedelta(days=1)
    periods = []
    current = start
    while current <= end:
        periods.append(current)
        current += step
    return periods


def _per_period(queryset: QuerySet[Any], moment: str, period: str) -> Counter[date]:
    tz = timezone.get_current_timezone()
    trunc = TruncWeek(moment, tzinfo=tz) if period == "week" else TruncDate(moment, tzinfo=tz)
    counts: Counter[date] = Counter()
    for bucket, count in (
        queryset.annotate(bucket=trunc).values_list("bucket").annotate(n=Count("pk"))
    ):
        key = bucket.date() if isinstance(bucket, datetime) else bucket
        counts[key] += count
    return counts


def activity(dialogue: Dialogue, firsts: dict[int, datetime]) -> Activity:
    """New participants, ideas, comments and ratings per day (or week, for long dialogues)."""
    start, end = _span(dialogue, firsts)
    period = "day" if (end - start).days <= DAILY_UP_TO_DAYS else "week"
    periods = _periods(start, end, period)

    def bucket(day: date) -> date:
        return day - timedelta(days=day.weekday()) if period == "week" else day

    joined: Counter[date] = Counter(bucket(timezone.localtime(m).date()) for m in firsts.values())
    counted = {
        "New participants": ("people", joined),
        "Ideas": ("ideas", _per_period(_published_ideas(dialogue), "created_at", period)),
        "Comments": (
            "comments",
            _per_period(_published_comments(dialogue), "created_at", period),
        ),
        # Ratings keep only their last change: a changed rating counts on its new day.
        "Ratings": (
            "ratings",
            _per_period(Rating.objects.filter(idea__dialogue=dialogue), "updated_at", period),
        ),
    }
    series = []
    for name, (unit, counts) in counted.items():
        # Anything dated outside the span (a post before opening, say) goes to its edge.
        clipped: Counter[date] = Counter()
        for day, count in counts.items():
            clipped[min(max(day, periods[0]), periods[-1])] += count
        series.append(Series(name, unit, [(day, clipped.get(day, 0)) for day in periods]))
    return Activity(period, series)


def top_tags(dialogue: Dialogue, *, limit: int = 10) -> list[tuple[str, int]]:
    rows = (
        Tag.objects.filter(ideas__in=_published_ideas(dialogue))
        .annotate(n=Count("ideas"))
        .order_by("-n", "name")
        .values_list("name", "n")[:limit]
    )
    return list(rows)


def most_discussed(dialogue: Dialogue, *, limit: int = 5) -> list[Idea]:
    return list(
        _published_ideas(dialogue)
        .filter(comment_count__gt=0)
        .order_by("-comment_count", "-created_at")[:limit]
    )


def top_rated(dialogue: Dialogue, *, limit: int = 5) -> list[Idea]:
    average = Case(
        When(rating_count=0, then=Value(None)),
        default=Cast(F("rating_total"), FloatField()) / F("rating_count"),
        output_field=FloatField(),
    )
    return list(
        _published_ideas(dialogue)
        .filter(rating_count__gte=TOP_RATED_MIN_RATINGS)
        .order_by(average.desc(), "-rating_count", "-created_at")[:limit]
    )


def responses(dialogue: Dialogue) -> Responses:
    ideas = _published_ideas(dialogue)
    summary = ideas.aggregate(
        total=Count("pk"),
        responded=Count("pk", filter=Q(responded_at__isnull=False)),
        median=Median(
            F("responded_at") - F("created_at"),
            filter=Q(responded_at__isnull=False),
            output_field=DurationField(),
        ),
    )
    official = _published_comments(dialogue).filter(is_official=True).count()
    changes = StatusChange.objects.filter(idea__in=ideas).count()
    return Responses(summary["total"], summary["responded"], official, changes, summary["median"])


def _median_first_review(dialogue: Dialogue) -> timedelta | None:
    """Median time from a post being held to its first review, ideas and comments together."""
    idea_table = connection.ops.quote_name(Idea._meta.db_table)
    comment_table = connection.ops.quote_name(Comment._meta.db_table)
    query = f"""
        SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY waited) FROM (
            SELECT reviewed_at - held_at AS waited FROM {idea_table}
             WHERE dialogue_id = %s AND reviewed_at >= held_at
            UNION ALL
            SELECT c.reviewed_at - c.held_at FROM {comment_table} c
              JOIN {idea_table} i ON i.id = c.idea_id
             WHERE i.dialogue_id = %s AND c.reviewed_at >= c.held_at
        ) AS waits
    """  # noqa: S608 (table names come from the models, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(query, [dialogue.pk, dialogue.pk])
        row = cursor.fetchone()
    return row[0] if row else None


def moderation(dialogue: Dialogue) -> Moderation:
    """Posts waiting for a moderator now, and how long first reviews took (all time)."""
    waiting = 0
    oldest: datetime | None = None
    reviewed = 0
    for queryset in (
        Idea.objects.filter(dialogue=dialogue),
        Comment.objects.filter(idea__dialogue=dialogue),
    ):
        row = queryset.aggregate(
            waiting=Count("pk", filter=Q(visibility__in=WAITING)),
            oldest=Min("held_at", filter=Q(visibility__in=WAITING)),
            reviewed=Count("pk", filter=Q(held_at__isnull=False, reviewed_at__isnull=False)),
        )
        waiting += row["waiting"]
        reviewed += row["reviewed"]
        if row["oldest"] and (oldest is None or row["oldest"] < oldest):
            oldest = row["oldest"]
    return Moderation(waiting, oldest, reviewed, _median_first_review(dialogue))


def breakdowns(participants: set[int]) -> list[Breakdown]:
    """Age band and each sign-up question among these participants, in groups of five or
    more; an answer given by fewer is folded into "other" (see insights.suppression)."""
    ages: Counter[str] = Counter()
    labels = dict(User.AgeBand.choices)
    for band, count in (
        User.objects.filter(pk__in=participants).values_list("age_band").annotate(n=Count("pk"))
    ):
        ages[str(labels.get(band, NOT_ANSWERED)) if band else NOT_ANSWERED] += count
    result = [Breakdown("Age", groups_shown(ages))]
    answers: dict[int, Counter[str]] = {}
    for question_id, answer, count in (
        DemographicAnswer.objects.filter(user_id__in=participants)
        .values_list("question_id", "answer")
        .annotate(n=Count("pk"))
    ):
        answers.setdefault(question_id, Counter())[answer] += count
    for question in DemographicQuestion.objects.all():
        counts = answers.get(question.pk, Counter())
        unanswered = len(participants) - sum(counts.values())
        if unanswered > 0:
            counts[NOT_ANSWERED] += unanswered
        result.append(Breakdown(question.text, groups_shown(counts)))
    return result


def dialogue_insights(dialogue: Dialogue) -> DialogueInsights:
    firsts = _first_contributions(dialogue)
    act = activity(dialogue, firsts)
    totals = {series.name: series.total for series in act.series}
    return DialogueInsights(
        dialogue=dialogue,
        figures=KeyFigures(
            participants=len(firsts),
            ideas=totals["Ideas"],
            comments=totals["Comments"],
            ratings=totals["Ratings"],
            sessions=Gathering.objects.filter(dialogue=dialogue).count(),
            gathered=_published_ideas(dialogue).filter(gathering__isnull=False).count()
            + _published_comments(dialogue).filter(gathering__isnull=False).count(),
        ),
        activity=act,
        top_tags=top_tags(dialogue),
        most_discussed=most_discussed(dialogue),
        top_rated=top_rated(dialogue),
        responses=responses(dialogue),
        moderation=moderation(dialogue),
        breakdowns=breakdowns(set(firsts)),
    )


def dialogue_insights_cached(dialogue: Dialogue) -> DialogueInsights:
    """The dialogue's insights, computed at most once a minute. The cache's keys carry the
    tenant's schema (django_tenants.cache.make_key), so sites never share them."""
    key = CACHE_KEY.format(dialogue.pk)
    found = cache.get(key)
    if isinstance(found, DialogueInsights) and found.dialogue.pk == dialogue.pk:
        found.dialogue = dialogue
        return found
    computed = dialogue_insights(dialogue)
    cache.set(key, computed, timeout=CACHE_SECONDS)
    return computed


def dialogues_for_insights() -> QuerySet[Dialogue]:
    """Dialogues staff can look into, newest first (drafts have nothing to show yet)."""
    return Dialogue.objects.exclude(state=Dialogue.State.DRAFT).order_by("-created_at")
