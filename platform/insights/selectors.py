"""Reads for themes and suggestions: what is grouped, what staff see, what residents are shown."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from dialogues.models import Dialogue, Idea
from dialogues.selectors import PUBLIC_STATES, comment_rule, comments_visible, idea_rule
from dialogues.selectors import ideas_listed as dialogue_ideas_listed
from insights.models import Embedding, Theme, ThemeMember, ThemeRun
from privacy.services import REMOVED

IDEA = "idea"
COMMENT = "comment"
REPRESENTATIVES = 3


@dataclass(frozen=True)
class Contribution:
    """One idea or comment as grouping sees it: what it is and the text that is embedded."""

    kind: str
    pk: int
    text: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.pk)


def idea_text(*, title: str, body: str) -> str:
    """What an idea's embedding is made from: its title and body."""
    return f"{title}\n{body}"


def ideas_public(*, dialogue: Dialogue) -> QuerySet[Idea]:
    """The dialogue's ideas anyone can see: published, not withdrawn, in a public dialogue.
    The only ideas ever grouped or suggested."""
    return dialogue_ideas_listed(viewer=None).filter(dialogue=dialogue)


def contributions_for_grouping(*, dialogue: Dialogue) -> list[Contribution]:
    """Every idea and comment residents can see in the dialogue, never a hidden, held,
    rejected or withdrawn one; official responses and removed comments left out (they are
    the organisation's words, or nobody's)."""
    ideas = ideas_public(dialogue=dialogue).order_by("pk").values_list("pk", "title", "body")
    comments = (
        comments_visible(viewer=None)
        .filter(idea__dialogue=dialogue, idea__withdrawn_at__isnull=True, is_official=False)
        .exclude(body=REMOVED)
        .order_by("pk")
        .values_list("pk", "body")
    )
    found = [Contribution(IDEA, pk, idea_text(title=t, body=b)) for pk, t, b in ideas]
    found += [Contribution(COMMENT, pk, body) for pk, body in comments]
    return found


def embeddings_of(*, kind: str, pks: list[int]) -> dict[int, Embedding]:
    """Stored embeddings of these ideas or comments, by their id (fresh or not)."""
    field = "idea_id" if kind == IDEA else "comment_id"
    rows = Embedding.objects.filter(**{f"{field}__in": pks}).only(
        field, "text_digest", "vector", "model_name"
    )
    return {getattr(row, field): row for row in rows}


def member_visible() -> Q:
    """Members staff see on theme pages: only contributions that are public now (a post
    hidden after the last run drops out at once, not at the next run)."""
    idea_member = (
        Q(idea__isnull=False) & idea_rule(None, prefix="idea__") & Q(idea__withdrawn_at=None)
    )
    comment_member = Q(comment__isnull=False) & comment_rule(None, prefix="comment__")
    return idea_member | comment_member


def dialogues_for_themes() -> QuerySet[Dialogue]:
    """Dialogues whose contributions can be grouped: those the public can see."""
    return Dialogue.objects.filter(state__in=PUBLIC_STATES).order_by("-created_at")


def dialogue_get(*, slug: str) -> Dialogue | None:
    return dialogues_for_themes().filter(slug=slug).first()


def themes_of(*, dialogue: Dialogue) -> list[Theme]:
    """The dialogue's themes (not those merged away), largest first, each with its count of
    visible members and up to three representative ideas (`representatives`)."""
    themes: list[Theme] = list(
        Theme.objects.filter(dialogue=dialogue, merged_into__isnull=True)
        .annotate(visible_size=Count("members", filter=_member_visible_prefixed()))
        .order_by("-visible_size", "label")
    )
    members = (
        ThemeMember.objects.filter(theme__in=themes, idea__isnull=False)
        .filter(member_visible())
        .select_related("idea", "idea__dialogue")
        .order_by("theme_id", "-similarity")
    )
    by_theme: dict[int, list[Idea]] = {}
    for member in members:
        chosen = by_theme.setdefault(member.theme_id, [])
        if len(chosen) < REPRESENTATIVES and member.idea is not None:
            chosen.append(member.idea)
    for theme in themes:
        theme.representatives = by_theme.get(theme.pk, [])  # type: ignore[attr-defined]
    return themes


def _member_visible_prefixed() -> Q:
    idea_member = (
        Q(members__idea__isnull=False)
        & idea_rule(None, prefix="members__idea__")
        & Q(members__idea__withdrawn_at=None)
    )
    comment_member = Q(members__comment__isnull=False) & comment_rule(
        None, prefix="members__comment__"
    )
    return idea_member | comment_member


def theme_get(*, dialogue: Dialogue, theme_id: int) -> Theme | None:
    return Theme.objects.filter(dialogue=dialogue, pk=theme_id, merged_into__isnull=True).first()


def theme_members(*, theme: Theme) -> list[ThemeMember]:
    """A theme's visible members, most typical first, with what they belong to."""
    return list(
        ThemeMember.objects.filter(theme=theme)
        .filter(member_visible())
        .select_related("idea", "idea__dialogue", "comment", "comment__idea__dialogue")
        .order_by("-similarity", "pk")
    )


def merged_into_names(*, theme: Theme) -> list[str]:
    """Labels of the themes staff merged into this one."""
    return list(Theme.objects.filter(merged_into=theme).values_list("label", flat=True))


def theme_run_latest(*, dialogue: Dialogue) -> ThemeRun | None:
    return ThemeRun.objects.filter(dialogue=dialogue).order_by("-created_at", "-pk").first()


def theme_run_last_failed(*, dialogue: Dialogue) -> ThemeRun | None:
    """The latest run, if it failed (its error is shown above the themes it left alone)."""
    run = theme_run_latest(dialogue=dialogue)
    return run if run is not None and run.state == ThemeRun.State.FAILED else None


def theme_counts() -> dict[int, int]:
    """Number of themes per dialogue id, for the dialogue picker."""
    rows = (
        Theme.objects.filter(merged_into__isnull=True)
        .values("dialogue_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["dialogue_id"]: row["n"] for row in rows}


def ideas_by_pk(*, dialogue: Dialogue, pks: list[int]) -> list[Idea]:
    """These ideas, in this order, if they are still public (for suggestions)."""
    found = {idea.pk: idea for idea in ideas_public(dialogue=dialogue).filter(pk__in=pks)}
    return [found[pk] for pk in pks if pk in found]
