"""A post taken out of public view leaves every insight at once: theme key phrases and
labels, the cached figures, and the report's official responses."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.models import Dialogue
from dialogues.services import post_hide
from insights.models import Theme, ThemeMember
from insights.services import themes_redescribe
from moderation.models import Visibility
from tenants.models import Tenant
from tests.factories import CommentFactory, DialogueFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], object]]]]


@pytest.fixture
def dialogue(tenant_a: Tenant) -> Dialogue:
    with tenant_context(tenant_a):
        return DialogueFactory.create()


def test_a_hidden_members_words_leave_the_themes_key_phrases(
    tenant_a: Tenant, dialogue: Dialogue
) -> None:
    with tenant_context(tenant_a):
        theme = Theme.objects.create(dialogue=dialogue, label="Lighting", label_by_staff=True)
        kept = [
            IdeaFactory.create(
                dialogue=dialogue,
                title=f"Brighter street lamps {n}",
                body="Street lamps on the canal path are out; brighter street lamps please.",
            )
            for n in range(4)
        ]
        named = [
            IdeaFactory.create(
                dialogue=dialogue,
                title="Smithson again",
                body="Smithson from number nine, Smithson keeps breaking the lamps.",
            )
            for _ in range(3)
        ]
        for idea in kept + named:
            ThemeMember.objects.create(theme=theme, idea=idea)
        themes_redescribe(dialogue_id=dialogue.pk)
        theme.refresh_from_db()
        assert any("smithson" in phrase.lower() for phrase in theme.key_phrases)
        moderator = UserFactory.create(role=User.Role.MODERATOR)
        for idea in named:
            post_hide(item=idea, by=moderator, reason="Names a person")
        themes_redescribe(dialogue_id=dialogue.pk)
        theme.refresh_from_db()
        assert theme.key_phrases
        assert not any("smithson" in phrase.lower() for phrase in theme.key_phrases)
        assert theme.size == 4


def test_hiding_a_themed_post_queues_the_themes_redescription(
    tenant_a: Tenant,
    dialogue: Dialogue,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with tenant_context(tenant_a):
        theme = Theme.objects.create(dialogue=dialogue, label="Lighting")
        idea = IdeaFactory.create(dialogue=dialogue)
        ThemeMember.objects.create(theme=theme, idea=idea)
        moderator = UserFactory.create(role=User.Role.MODERATOR)
        with django_capture_on_commit_callbacks() as callbacks:
            post_hide(item=idea, by=moderator, reason="Names a person")
    # One to describe the themes again, one to drop the cached figures.
    assert len(callbacks) >= 2


def test_a_just_hidden_idea_leaves_the_cached_figures_and_report(
    client_as: Callable[..., Client],
    tenant_a: Tenant,
    dialogue: Dialogue,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with tenant_context(tenant_a):
        analyst = UserFactory.create(role=User.Role.ANALYST)
        idea = IdeaFactory.create(dialogue=dialogue, title="A title naming someone")
        idea.comment_count = 3
        idea.save(update_fields=["comment_count"])
        moderator = UserFactory.create(role=User.Role.MODERATOR)
    client = client_as(tenant_a, analyst)
    report = f"/manage/insights/{dialogue.slug}/report/"
    assert "A title naming someone" in client.get(report).content.decode()
    with tenant_context(tenant_a), django_capture_on_commit_callbacks(execute=True):
        post_hide(item=idea, by=moderator, reason="Names a person")
    assert "A title naming someone" not in client.get(report).content.decode()


def test_an_official_reply_under_a_hidden_comment_stays_out_of_the_report(
    client_as: Callable[..., Client], tenant_a: Tenant, dialogue: Dialogue
) -> None:
    with tenant_context(tenant_a):
        analyst = UserFactory.create(role=User.Role.ANALYST)
        staff = UserFactory.create(role=User.Role.ADMIN)
        idea = IdeaFactory.create(dialogue=dialogue)
        hidden = CommentFactory.create(idea=idea, visibility=Visibility.HIDDEN)
        CommentFactory.create(
            idea=idea, parent=hidden, author=staff, is_official=True, body="Replying to Smithson"
        )
        CommentFactory.create(idea=idea, author=staff, is_official=True, body="We hear you")
    html = client_as(tenant_a, analyst).get(f"/manage/insights/{dialogue.slug}/report/")
    text = html.content.decode()
    assert "We hear you" in text
    assert "Replying to Smithson" not in text
    assert "<dt>Comments</dt><dd>1</dd>" in text
