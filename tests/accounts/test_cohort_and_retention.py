"""Under-18s can be pre-moderated on the same dialogue as adults; emails and ages are purged
once a resident's dialogues are long closed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import DemographicAnswer, DemographicQuestion, User
from accounts.services import retention_purge
from dialogues.models import Dialogue, Idea
from dialogues.services import comment_create, idea_create
from moderation.models import Visibility
from sitesettings.selectors import site_settings_get
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_under_18s_are_held_and_adults_are_not_on_the_same_dialogue(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create()
        young = UserFactory.create(age_band=User.AgeBand.AGE_16_17)
        adult = UserFactory.create(age_band=User.AgeBand.AGE_18_24)
        unsaid = UserFactory.create()
        held = idea_create(dialogue=dialogue, author=young, title="Y", body="Fine")
        assert held.visibility == Visibility.HELD
        assert held.hold_summary == "pre-moderation"
        assert (
            comment_create(
                idea=IdeaFactory.create(dialogue=dialogue), author=young, body="ok"
            ).visibility
            == Visibility.HELD
        )
        assert idea_create(dialogue=dialogue, author=adult, title="A", body="Fine").is_published
        assert idea_create(dialogue=dialogue, author=unsaid, title="U", body="Fine").is_published
        settings = site_settings_get()
        settings.premoderate_under_18 = False
        settings.save()
        assert idea_create(dialogue=dialogue, author=young, title="Y2", body="Fine").is_published


def test_age_is_asked_at_sign_up_optionally_and_never_shown(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    password = "a-long-memorable-passphrase"
    client = client_for(tenant_a)
    client.post(
        "/accounts/signup/",
        {
            "username": "YoungWren16",
            "email": "wren16@example.org",
            "password1": password,
            "password2": password,
            "age_band": "16_17",
        },
    )
    with tenant_context(tenant_a):
        user = User.objects.get(username="YoungWren16")
        assert user.is_under_18
        idea = IdeaFactory.create(author=user)
        url = idea.get_absolute_url()
    assert "16 or 17" not in client_for(tenant_a).get(url).content.decode()
    bad = client_for(tenant_a).post(
        "/accounts/signup/",
        {"username": "Other99", "email": "o@example.org", "password1": password,
         "password2": password, "age_band": "ancient"},
    )  # fmt: skip
    assert "Select a valid choice" in bad.content.decode()


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
