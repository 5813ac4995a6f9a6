"""Data minimisation: residents' emails and ages are forgotten once their dialogues are long
closed; what they posted stays under their username."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import DemographicAnswer, DemographicQuestion, User
from dialogues.models import Dialogue, Idea
from privacy.services import retention_purge
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_retention_purges_emails_and_ages_only_after_dialogues_are_long_closed(
    tenant_a: Tenant,
) -> None:
    now = timezone.now()
    with tenant_context(tenant_a):
        long_closed = DialogueFactory.create(
            state=Dialogue.State.CLOSED,
            opens_at=now - timedelta(days=500),
            closes_at=now - timedelta(days=400),
        )
        recently_closed = DialogueFactory.create(
            state=Dialogue.State.CLOSED,
            opens_at=now - timedelta(days=40),
            closes_at=now - timedelta(days=30),
        )
        still_open = DialogueFactory.create()
        old = UserFactory.create(username="OldTimer", age_band=User.AgeBand.AGE_25_PLUS)
        recent = UserFactory.create(username="Recent")
        busy = UserFactory.create(username="Busy")
        IdeaFactory.create(dialogue=long_closed, author=old, title="Old idea")
        borough = DemographicQuestion.objects.create(text="Borough", choices="A\nB")
        DemographicAnswer.objects.create(user=old, question=borough, answer="A")
        IdeaFactory.create(dialogue=recently_closed, author=recent)
        IdeaFactory.create(dialogue=long_closed, author=busy)
        IdeaFactory.create(dialogue=still_open, author=busy)

        assert retention_purge(now=now) == 1
        old.refresh_from_db()
        assert (old.email, old.age_band) == ("", "")
        assert not EmailAddress.objects.filter(user=old).exists()
        assert not DemographicAnswer.objects.filter(user=old).exists()
        assert Idea.objects.get(title="Old idea").author == old  # posts stay, under the name
        for kept in (recent, busy):
            kept.refresh_from_db()
            assert kept.email
        assert retention_purge(now=now) == 0
