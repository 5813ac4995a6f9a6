"""Writes for themes: embeddings kept fresh, grouping runs, staff edits, similar-idea lookups."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import timedelta

import numpy as np
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from dialogues.models import Dialogue, Idea
from insights import embedding, grouping, tasks
from insights.models import Embedding, Theme, ThemeMember, ThemeRun
from insights.selectors import (
    COMMENT,
    IDEA,
    Contribution,
    contributions_for_grouping,
    embeddings_of,
    idea_text,
    ideas_by_pk,
    ideas_public,
    member_visible,
)

logger = logging.getLogger(__name__)

ACTIVE = [ThemeRun.State.QUEUED, ThemeRun.State.RUNNING]
# A run waiting or running longer than this was lost (its worker killed): it no longer
# blocks a new one.
STALE_RUN = timedelta(minutes=30)
# Progress is written at most this often (seconds): each write is a query.
PROGRESS_EVERY = 0.5
# Suggestions: how many, how alike (cosine) at least, after how much typing, and how many
# missing idea vectors one request may compute (the receiver's task normally has them ready).
SUGGEST_LIMIT = 3
SUGGEST_FLOOR = 0.45
SUGGEST_MIN_CHARS = 12
SUGGEST_LAZY_CAP = 40
LABEL_MAX = 120

FAILED_MESSAGE = (
    "Grouping stopped because of an internal error ({name}). The themes shown are from the "
    "last grouping that finished. Try again later; if it keeps happening, contact support."
)
TOO_LONG_MESSAGE = (
    "Grouping took too long and was stopped. The themes shown are from the last grouping "
    "that finished. Try again later; if it keeps happening, contact support."
)
LOST_MESSAGE = "This grouping stopped without finishing (the server restarted). Group again."


class ThemeError(Exception):
    """A refusal whose message is safe to show staff."""


# --- embeddings -------------------------------------------------------------------------


def _store(*, dialogue_id: int, rows: Sequence[tuple[Contribution, str, np.ndarray]]) -> None:
    """Saves vectors, replacing stale ones (one row per idea or comment)."""
    for kind, field in ((IDEA, "idea"), (COMMENT, "comment")):
        objects = [
            Embedding(
                dialogue_id=dialogue_id,
                model_name=embedding.MODEL_NAME,
                text_digest=digest,
                vector=embedding.vector_to_bytes(vector),
                **{f"{field}_id": item.pk},
            )
            for item, digest, vector in rows
            if item.kind == kind
        ]
        if objects:
            Embedding.objects.bulk_create(
                objects,
                batch_size=500,
                update_conflicts=True,
                unique_fields=[field],
                update_fields=["text_digest", "vector", "model_name", "created_at"],
            )


def vectors_ensure(
    *,
    dialogue_id: int,
    items: Sequence[Contribution],
    progress: Callable[[int], None] | None = None,
    cap: int | None = None,
) -> tuple[np.ndarray, list[int]]:
    """Each contribution's vector: stored ones whose text is unchanged, the rest embedded now
    and stored (at most `cap` of them). Returns the vectors and the indexes that have one.

    `progress` hears how many are ready so far (stored ones count at once).
    """
    vectors = np.zeros((len(items), embedding.DIMENSIONS), dtype=np.float32)
    digests = [embedding.text_digest(item.text) for item in items]
    stored = {
        kind: embeddings_of(kind=kind, pks=[item.pk for item in items if item.kind == kind])
        for kind in (IDEA, COMMENT)
    }
    ready: list[int] = []
    missing: list[int] = []
    for i, item in enumerate(items):
        row = stored[item.kind].get(item.pk)
        if row and row.text_digest == digests[i] and row.model_name == embedding.MODEL_NAME:
            vectors[i] = embedding.vector_from_bytes(row.vector)
            ready.append(i)
        else:
            missing.append(i)
    if cap is not None:
        missing = missing[:cap]
    if progress:
        progress(len(ready))
    if missing:
        made = embedding.embed(
            [items[i].text for i in missing],
            progress=(lambda done: progress(len(ready) + done)) if progress else None,
        )
        vectors[missing] = made
        _store(
            dialogue_id=dialogue_id,
            rows=[(items[i], digests[i], made[j]) for j, i in enumerate(missing)],
        )
        ready = sorted(ready + missing)
    return vectors, ready


def idea_embed(*, idea_id: int) -> bool:
    """Embeds one public idea if its stored vector is missing or stale; True if it did."""
    idea = Idea.objects.filter(pk=idea_id).select_related("dialogue").first()
    if idea is None or not ideas_public(dialogue=idea.dialogue).filter(pk=idea_id).exists():
        return False
    item = Contribution(IDEA, idea.pk, idea_text(title=idea.title, body=idea.body))
    existing = embeddings_of(kind=IDEA, pks=[idea.pk]).get(idea.pk)
    if existing and existing.text_digest == embedding.text_digest(item.text):
        return False
    vectors_ensure(dialogue_id=idea.dialogue_id, items=[item])
    return True


# --- suggestions ---------------------------------------------------------------------------


def suggestions_find(*, dialogue: Dialogue, text: str, limit: int = SUGGEST_LIMIT) -> list[Idea]:
    """Public ideas of the dialogue most like what a resident is typing (best first).

    Idea vectors come from storage; any missing are made now, up to a cap per request, so a
    first visit to a dialogue nobody has grouped still gets suggestions.
    """
    text = text.strip()
    if len(text) < SUGGEST_MIN_CHARS:
        return []
    items = [
        Contribution(IDEA, pk, idea_text(title=title, body=body))
        for pk, title, body in ideas_public(dialogue=dialogue)
        .order_by("-pk")
        .values_list("pk", "title", "body")
    ]
    if not items:
        return []
    vectors, ready = vectors_ensure(dialogue_id=dialogue.pk, items=items, cap=SUGGEST_LAZY_CAP)
    query = embedding.embed([text])[0]
    best = grouping.nearest(query, vectors[ready], limit=limit, floor=SUGGEST_FLOOR)
    return ideas_by_pk(dialogue=dialogue, pks=[items[ready[i]].pk for i in best])


# --- grouping runs -------------------------------------------------------------------------


@transaction.atomic
def theme_run_request(*, dialogue: Dialogue, by: User | None) -> ThemeRun:
    """Queues a grouping of the dialogue; refused while one is waiting or running."""
    now = timezone.now()
    ThemeRun.objects.filter(
        dialogue=dialogue, state__in=ACTIVE, created_at__lt=now - STALE_RUN
    ).update(state=ThemeRun.State.FAILED, error=LOST_MESSAGE, finished_at=now)
    try:
        with transaction.atomic():
            run = ThemeRun.objects.create(dialogue=dialogue, requested_by=by)
    except IntegrityError:
        raise ThemeError(
            "Grouping is already waiting or running for this dialogue. Its progress is shown "
            "below; you can group again once it has finished."
        ) from None
    transaction.on_commit(lambda: tasks.insights_theme_run.delay(run_id=run.pk))
    return run


def theme_run_execute(*, run_id: int) -> ThemeRun | None:
    """Runs one grouping: embeds (reporting progress), clusters and saves the themes.

    A failure marks the run failed with a message naming no contribution and leaves the
    previous themes as they were (they are replaced in one transaction at the very end).
    """
    run = ThemeRun.objects.select_related("dialogue").filter(pk=run_id).first()
    # Gone (its dialogue deleted while it waited) or already finished: nothing to do.
    if run is None or run.state not in ACTIVE:
        return run
    dialogue = run.dialogue
    try:
        items = contributions_for_grouping(dialogue=dialogue)
        ThemeRun.objects.filter(pk=run.pk).update(
            state=ThemeRun.State.RUNNING,
            started_at=timezone.now(),
            total_count=len(items),
            done_count=0,
        )
        last = [0.0]

        def report(done: int) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY or done == len(items):
                last[0] = now
                ThemeRun.objects.filter(pk=run.pk).update(done_count=done)

        vectors, _ = vectors_ensure(dialogue_id=dialogue.pk, items=items, progress=report)
        _themes_replace(dialogue=dialogue, items=items, vectors=vectors)
    except Exception as error:
        # The class name only: messages of database errors can quote row values.
        name = type(error).__name__
        logger.error("theme run %s failed: %s", run.pk, name)
        too_long = name == "SoftTimeLimitExceeded"
        ThemeRun.objects.filter(pk=run.pk).update(
            state=ThemeRun.State.FAILED,
            error=(TOO_LONG_MESSAGE if too_long else FAILED_MESSAGE.format(name=name))[:200],
            finished_at=timezone.now(),
        )
    else:
        ThemeRun.objects.filter(pk=run.pk).update(
            state=ThemeRun.State.DONE, done_count=len(items), finished_at=timezone.now()
        )
    run.refresh_from_db()
    return run


def _root(theme: Theme, by_pk: dict[int, Theme]) -> Theme:
    """The live theme a theme was (perhaps repeatedly) merged into."""
    seen = {theme.pk}
    while theme.merged_into_id is not None and theme.merged_into_id in by_pk:
        theme = by_pk[theme.merged_into_id]
        if theme.pk in seen:
            break
        seen.add(theme.pk)
    return theme


def _themes_replace(*, dialogue: Dialogue, items: list[Contribution], vectors: np.ndarray) -> None:
    """Clusters the contributions and saves themes, keeping what staff did.

    Rules: members staff pinned (by a split) stay in their theme. Each new group joins a
    staff-edited theme (keeping its label) if at least half its members were in that theme
    before, or else if its centroid is at least MATCH_THRESHOLD similar to the theme's
    centroid or to that of a theme merged into it. Other groups become new themes; themes
    staff never touched are replaced (a group mostly of one such theme's old members takes
    over its row, so its address stays the same, with a fresh label).
    """
    index = {item.key: i for i, item in enumerate(items)}
    pinned_keys = ThemeMember.objects.filter(theme__dialogue=dialogue, pinned=True).values_list(
        "idea_id", "comment_id"
    )
    pinned_before = {
        index[key]
        for key in ((IDEA, i) if i else (COMMENT, c) for i, c in pinned_keys)
        if key in index
    }
    free = [i for i in range(len(items)) if i not in pinned_before]
    labels = grouping.cluster(vectors[free]) if free else np.zeros(0, dtype=np.int64)

    with transaction.atomic():
        themes = list(Theme.objects.select_for_update().filter(dialogue=dialogue).order_by("pk"))
        by_pk = {theme.pk: theme for theme in themes}
        # Read again under the lock: a split made while clustering ran is honoured.
        pinned_rows = list(
            ThemeMember.objects.filter(theme__dialogue=dialogue, pinned=True).select_related(
                "theme"
            )
        )
        place: dict[int, int] = {}
        gone_pinned: list[int] = []
        for row in pinned_rows:
            key = _key_of(row)
            if key in index and row.theme_id in by_pk:
                place[index[key]] = _root(by_pk[row.theme_id], by_pk).pk
            else:
                gone_pinned.append(row.pk)

        groups: dict[int, list[int]] = {}
        for position, i in enumerate(free):
            if i not in place:
                groups.setdefault(int(labels[position]), []).append(i)
        group_ids = sorted(groups)
        group_centroids = (
            np.vstack([grouping.centroid(vectors[groups[g]]) for g in group_ids])
            if group_ids
            else np.zeros((0, embedding.DIMENSIONS), dtype=np.float32)
        )
        kept = [theme for theme in themes if theme.edited_by_staff]
        targets = [theme for theme in kept if len(bytes(theme.centroid)) > 0]
        matched = grouping.match(
            group_centroids,
            [embedding.vector_from_bytes(theme.centroid) for theme in targets],
            [_root(theme, by_pk).pk for theme in targets],
        )
        # Before centroids: a group most of whose members were in a staff-edited theme
        # stays with it (a merge target's centroid has moved between its parts, so centroids
        # alone could lose one part).
        kept_pks = {theme.pk for theme in kept}
        before: dict[int, int] = {}
        previous = ThemeMember.objects.filter(theme__dialogue=dialogue).values_list(
            "idea_id", "comment_id", "theme_id"
        )
        for idea_id, comment_id, theme_id in previous:
            key = (IDEA, idea_id) if idea_id else (COMMENT, comment_id)
            if key in index and theme_id in by_pk:
                before[index[key]] = _root(by_pk[theme_id], by_pk).pk
        reusable: dict[int, int] = {}
        for position, g in enumerate(group_ids):
            counts = Counter(before[i] for i in groups[g] if i in before)
            if not counts:
                continue
            theme_pk, n = counts.most_common(1)[0]
            if n * 2 < len(groups[g]):
                continue
            if theme_pk in kept_pks:
                matched[position] = theme_pk
            elif position not in matched and theme_pk not in reusable.values():
                # A theme nobody edited is replaced, but a group that is mostly its old
                # members keeps its row, so links to it still work after a re-run.
                reusable[position] = theme_pk

        ThemeMember.objects.filter(theme__dialogue=dialogue, pinned=False).delete()
        ThemeMember.objects.filter(pk__in=gone_pinned).delete()
        Theme.objects.filter(dialogue=dialogue, edited_by_staff=False).exclude(
            pk__in=list(reusable.values())
        ).delete()
        live = [theme for theme in kept if theme.merged_into_id is None]
        for position, g in enumerate(group_ids):
            if position in matched:
                target = matched[position]
            elif position in reusable:
                live.append(by_pk[reusable[position]])
                target = reusable[position]
            else:
                theme = Theme.objects.create(dialogue=dialogue, label="New theme")
                live.append(theme)
                target = theme.pk
            for i in groups[g]:
                place[i] = target

        members_of: dict[int, list[int]] = {theme.pk: [] for theme in live}
        for i, theme_pk in place.items():
            members_of.setdefault(theme_pk, []).append(i)
        similarity = _describe(live, members_of, items, vectors)
        pinned_by_index = {
            index[_key_of(row)]: row for row in pinned_rows if row.pk not in gone_pinned
        }
        new_members = []
        for i, theme_pk in place.items():
            if i in pinned_by_index:
                row = pinned_by_index[i]
                row.theme_id, row.similarity = theme_pk, similarity[i]
                continue
            item = items[i]
            new_members.append(
                ThemeMember(
                    theme_id=theme_pk,
                    similarity=similarity[i],
                    idea_id=item.pk if item.kind == IDEA else None,
                    comment_id=item.pk if item.kind == COMMENT else None,
                )
            )
        ThemeMember.objects.bulk_update(
            list(pinned_by_index.values()), ["theme", "similarity"], batch_size=500
        )
        ThemeMember.objects.bulk_create(new_members, batch_size=1000)


def _key_of(member: ThemeMember) -> tuple[str, int]:
    if member.idea_id is not None:
        return (IDEA, member.idea_id)
    return (COMMENT, member.comment_id or 0)


def _describe(
    themes: list[Theme],
    members_of: dict[int, list[int]],
    items: Sequence[Contribution],
    vectors: np.ndarray,
) -> dict[int, float]:
    """Saves each theme's centroid, size, key phrases and (unless staff named it) label;
    returns each member's similarity to its theme's centroid, by item index."""
    phrases = grouping.key_phrases(
        [[items[i].text for i in members_of.get(theme.pk, [])] for theme in themes]
    )
    similarity: dict[int, float] = {}
    for theme, theme_phrases in zip(themes, phrases, strict=True):
        members = members_of.get(theme.pk, [])
        theme.size = len(members)
        theme.key_phrases = theme_phrases
        if members:
            centre = grouping.centroid(vectors[members])
            # A theme left empty keeps its old centroid, so a later run can still find it.
            theme.centroid = embedding.vector_to_bytes(centre)
            scores = vectors[members] @ centre
            similarity.update({i: float(s) for i, s in zip(members, scores, strict=True)})
        if not theme.label_by_staff:
            theme.label = grouping.label_from(theme_phrases)[:LABEL_MAX]
        theme.save(update_fields=["size", "key_phrases", "centroid", "label", "updated_at"])
    return similarity


# --- staff edits ---------------------------------------------------------------------------


def _clean_label(label: str) -> str:
    label = " ".join(label.split())
    if not label:
        raise ValidationError({"label": "Enter a name for the theme."})
    if len(label) > LABEL_MAX:
        raise ValidationError({"label": f"Use at most {LABEL_MAX} characters."})
    return label


@transaction.atomic
def theme_rename(*, theme: Theme, label: str) -> Theme:
    """Names a theme; the name is kept on every later run."""
    theme = Theme.objects.select_for_update().get(pk=theme.pk)
    theme.label = _clean_label(label)
    theme.label_by_staff = True
    theme.edited_by_staff = True
    theme.save(update_fields=["label", "label_by_staff", "edited_by_staff", "updated_at"])
    return theme


@transaction.atomic
def theme_merge(*, source: Theme, target: Theme) -> Theme:
    """Merges source into target: target keeps the members of both, and source stays as an
    alias (merged_into) that still draws a later run's similar groups to target."""
    if source.pk == target.pk:
        raise ValidationError({"target": "Choose a different theme to merge into."})
    if source.dialogue_id != target.dialogue_id:
        raise ValidationError({"target": "Both themes must belong to the same dialogue."})
    locked = {
        theme.pk: theme
        for theme in Theme.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    }
    source, target = locked[source.pk], locked[target.pk]
    if source.merged_into_id or target.merged_into_id:
        raise ValidationError({"target": "That theme has already been merged into another."})
    ThemeMember.objects.filter(theme=source).update(theme=target)
    # Themes merged into the source earlier now point at the target too: one hop, always.
    Theme.objects.filter(merged_into=source).update(merged_into=target)
    source.merged_into = target
    source.edited_by_staff = True
    source.size = 0
    source.save(update_fields=["merged_into", "edited_by_staff", "size", "updated_at"])
    target.edited_by_staff = True
    target.save(update_fields=["edited_by_staff", "updated_at"])
    _dialogue_redescribe(dialogue_id=target.dialogue_id)
    target.refresh_from_db()
    return target


@transaction.atomic
def theme_split(*, theme: Theme, member_ids: Sequence[int], label: str) -> Theme:
    """Moves the chosen members of a theme into a new named theme, pinned there: a later
    run leaves them where staff put them."""
    label = _clean_label(label)
    theme = Theme.objects.select_for_update().get(pk=theme.pk)
    chosen = list(ThemeMember.objects.filter(theme=theme, pk__in=list(member_ids)))
    if not chosen or len(chosen) != len(set(member_ids)):
        raise ValidationError({"members": "Tick at least one contribution of this theme."})
    if len(chosen) >= ThemeMember.objects.filter(theme=theme).count():
        raise ValidationError(
            {"members": "Leave at least one contribution in this theme (or rename it instead)."}
        )
    new = Theme.objects.create(
        dialogue_id=theme.dialogue_id, label=label, label_by_staff=True, edited_by_staff=True
    )
    ThemeMember.objects.filter(pk__in=[m.pk for m in chosen]).update(theme=new, pinned=True)
    theme.edited_by_staff = True
    theme.save(update_fields=["edited_by_staff", "updated_at"])
    _dialogue_redescribe(dialogue_id=theme.dialogue_id)
    new.refresh_from_db()
    return new


@transaction.atomic
def themes_redescribe(*, dialogue_id: int) -> None:
    """After a member was hidden, withdrawn or redacted: the dialogue's themes described again
    from what is public now, so no key phrase or label carries words the public cannot see."""
    list(Theme.objects.select_for_update().filter(dialogue_id=dialogue_id).values_list("pk"))
    _dialogue_redescribe(dialogue_id=dialogue_id)


def _dialogue_redescribe(*, dialogue_id: int) -> None:
    """After an edit: every live theme's size, centroid, key phrases and similarities again,
    from the stored vectors of its current members (no embedding is made)."""
    themes = list(
        Theme.objects.filter(dialogue_id=dialogue_id, merged_into__isnull=True).order_by("pk")
    )
    # Only what the public can see now describes a theme: a post hidden or withdrawn since the
    # run must not lend its words to key phrases or a label.
    members = list(
        ThemeMember.objects.filter(theme__in=themes)
        .filter(member_visible())
        .select_related("idea", "comment")
    )
    items: list[Contribution] = []
    rows: list[ThemeMember] = []
    members_of: dict[int, list[int]] = {theme.pk: [] for theme in themes}
    for member in members:
        if member.idea is not None:
            text = idea_text(title=member.idea.title, body=member.idea.body)
            items.append(Contribution(IDEA, member.idea.pk, text))
        elif member.comment is not None:
            items.append(Contribution(COMMENT, member.comment.pk, member.comment.body))
        else:
            continue
        members_of[member.theme_id].append(len(rows))
        rows.append(member)
    vectors = np.zeros((len(items), embedding.DIMENSIONS), dtype=np.float32)
    for kind in (IDEA, COMMENT):
        stored = embeddings_of(kind=kind, pks=[item.pk for item in items if item.kind == kind])
        for i, item in enumerate(items):
            if item.kind == kind and item.pk in stored:
                vectors[i] = embedding.vector_from_bytes(stored[item.pk].vector)
    similarity = _describe(themes, members_of, items, vectors)
    for i, row in enumerate(rows):
        row.similarity = similarity.get(i, 0.0)
    ThemeMember.objects.bulk_update(rows, ["similarity"], batch_size=500)
