"""Under-18s can be pre-moderated on the same dialogue as adults; emails and ages are purged
once a resident's dialogues are long closed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
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
