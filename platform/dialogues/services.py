"""Writes for dialogues and ideas."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from dialogues.models import Dialogue, Idea


@transaction.atomic
def dialogue_create(
    *,
    title: str,
    slug: str,
    question: str,
    description: str = "",
    state: str = Dialogue.State.DRAFT,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Dialogue:
    dialogue = Dialogue(
        title=title,
        slug=slug,
        question=question,
        description=description,
        state=state,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    dialogue.full_clean()
    dialogue.save()
    return dialogue


@transaction.atomic
def idea_create(*, dialogue: Dialogue, author: User | None, title: str, body: str) -> Idea:
    if dialogue.state != Dialogue.State.OPEN:
        raise ValidationError("Ideas can only be posted while a dialogue is open.")
    idea = Idea(dialogue=dialogue, author=author, title=title, body=body)
    idea.full_clean()
    idea.save()
    return idea


@transaction.atomic
def dialogues_apply_schedule(*, now: datetime | None = None) -> tuple[int, int]:
    """Opens drafts whose opening time has come and closes open ones past their closing time."""
    now = now or timezone.now()
    opened = (
        Dialogue.objects.filter(
            state=Dialogue.State.DRAFT, opens_at__isnull=False, opens_at__lte=now
        )
        .exclude(closes_at__lte=now)
        .update(state=Dialogue.State.OPEN)
    )
    closed = Dialogue.objects.filter(
        state=Dialogue.State.OPEN, closes_at__isnull=False, closes_at__lte=now
    ).update(state=Dialogue.State.CLOSED)
    return opened, closed
