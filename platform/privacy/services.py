"""Writes for privacy: deleting an account (keeping or removing what it posted) and the
retention purge that forgets residents' emails and ages once their dialogues are long closed."""

from __future__ import annotations

from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.models import DemographicAnswer, User
from dialogues.models import Comment, Dialogue, Idea, Rating
from moderation.models import AuditEntry, Visibility
from sitesettings.selectors import site_settings_get

REMOVED = "[removed by its author]"


def _comments_remove(user: User) -> None:
    """Deletes the resident's comments, except those others have replied to: those keep
    their place as a removed comment, so every reply stays in its thread. Counters follow."""
    own = Comment.objects.filter(author=user)
    answered = set(
        Comment.objects.filter(parent__author=user)
        .exclude(author=user)
        .values_list("parent_id", flat=True)
    )
    own.filter(pk__in=answered).update(body=REMOVED)
    going = own.exclude(pk__in=answered)
    # Only published comments were counted; the resident's own replies under a kept comment
    # are among those going.
    counted = (
        going.filter(visibility=Visibility.PUBLISHED)
        .values("idea_id")
        .annotate(gone=Count("pk"))
        .order_by()
    )
    for row in counted:
        Idea.objects.filter(pk=row["idea_id"]).update(
            comment_count=Greatest(F("comment_count") - row["gone"], 0)
        )
    going.delete()


@transaction.atomic
def account_delete(*, user: User, remove_content: bool) -> None:
    """Deletes the account. Posts stay as a former participant's, or are removed.

    Removing never touches other people's words: the resident's ideas are withdrawn and
    emptied (their comments stay), and their comments are deleted or, where someone replied,
    emptied in place; counters follow.
    """
    for rating in Rating.objects.filter(user=user).select_related("idea"):
        Idea.objects.filter(pk=rating.idea_id).update(
            rating_count=Greatest(F("rating_count") - 1, 0),
            rating_total=Greatest(F("rating_total") - rating.stars, 0),
        )
    if remove_content:
        _comments_remove(user)
        Idea.objects.filter(author=user).update(
            title=REMOVED, body=REMOVED, withdrawn_at=timezone.now()
        )
    AuditEntry.objects.create(
        actor=None,
        actor_name="system",
        action="account deleted",
        target_type="user",
        target_id=user.pk,
        reason="content removed" if remove_content else "content kept as a former participant's",
    )
    user.delete()


def retention_purge(*, now: datetime | None = None) -> int:
    """Deletes residents' emails and ages once their dialogues are long closed.

    A resident's clock starts when the last dialogue they posted, commented or rated in
    closed (or, if they never took part, when they last signed in or joined). Posts stay,
    under their username. Returns how many residents were purged.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=site_settings_get().retention_days)
    closed = {Dialogue.State.CLOSED, Dialogue.State.ARCHIVED}
    purged = 0
    candidates = User.objects.filter(
        Q(role=""), ~Q(email="") | ~Q(age_band="") | Q(demographic_answers__isnull=False)
    ).distinct()
    for user in candidates.iterator():
        dialogues = list(
            Dialogue.objects.filter(
                Q(ideas__author=user)
                | Q(ideas__comments__author=user)
                | Q(ideas__ratings__user=user)
            )
            .distinct()
            .values_list("state", "closes_at", "updated_at")
        )
        if any(state not in closed for state, _, _ in dialogues):
            continue
        if dialogues:
            last = max((closes_at or updated_at) for _, closes_at, updated_at in dialogues)
        else:
            last = user.last_login or user.date_joined
        if last > cutoff:
            continue
        with transaction.atomic():
            EmailAddress.objects.filter(user=user).delete()
            DemographicAnswer.objects.filter(user=user).delete()
            User.objects.filter(pk=user.pk).update(email="", age_band="")
        purged += 1
    return purged
