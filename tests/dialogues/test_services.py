"""Dialogue writes: creation rules, posting only while open, the opening/closing schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import tenant_context

from dialogues.models import Dialogue
from dialogues.services import dialogue_create, dialogues_apply_schedule, idea_create
from tenants.models import Tenant
from tests.factories import DialogueFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_dialogue_must_close_after_it_opens(tenant_a: Tenant) -> None:
    now = timezone.now()
    with tenant_context(tenant_a), pytest.raises(ValidationError, match="close after it opens"):
        dialogue_create(title="T", slug="t", question="Q?", opens_at=now, closes_at=now)
    with tenant_context(tenant_a):
        assert not Dialogue.objects.filter(slug="t").exists()


def test_ideas_are_refused_unless_the_dialogue_is_open(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        closed = DialogueFactory.create(state=Dialogue.State.CLOSED)
        with pytest.raises(ValidationError, match="only be posted while a dialogue is open"):
            idea_create(dialogue=closed, author=UserFactory.create(), title="Late", body="Too late")
        assert closed.ideas.count() == 0


def test_the_schedule_opens_due_drafts_and_closes_expired_dialogues(tenant_a: Tenant) -> None:
    now = timezone.now()
    with tenant_context(tenant_a):
        due = DialogueFactory.create(
            state=Dialogue.State.DRAFT, opens_at=now - timedelta(minutes=5)
        )
        later = DialogueFactory.create(state=Dialogue.State.DRAFT, opens_at=now + timedelta(days=1))
        expired = DialogueFactory.create(
            state=Dialogue.State.OPEN,
            opens_at=now - timedelta(days=2),
            closes_at=now - timedelta(minutes=1),
        )
        assert dialogues_apply_schedule(now=now) == (1, 1)
        for dialogue in (due, later, expired):
            dialogue.refresh_from_db()
        assert due.state == Dialogue.State.OPEN
        assert later.state == Dialogue.State.DRAFT
        assert expired.state == Dialogue.State.CLOSED
        assert dialogues_apply_schedule(now=now) == (0, 0)
