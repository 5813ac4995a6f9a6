"""Moderators hide, redact, ban and act in bulk; every action is audited."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.models import Comment, Dialogue, Idea
from dialogues.services import idea_create
from moderation.models import AuditEntry, Visibility
from moderation.services import REDACTED
from tenants.models import Tenant
from tests.factories import CommentFactory, DialogueFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client_for: Callable[..., Client], tenant_a: Tenant) -> tuple[Client, User]:
    client = client_for(tenant_a)
    with tenant_context(tenant_a):
        moderator = UserFactory.create(role=User.Role.MODERATOR)
        client.force_login(moderator)
    return client, moderator


def test_a_moderator_hides_a_published_comment_from_its_page(
    desk: tuple[Client, User], client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    client, _ = desk
    with tenant_context(tenant_a):
        comment = CommentFactory.create(body="Rude remark")
        url = comment.idea.get_absolute_url()
    assert "Hide comment" in client.get(url).content.decode()
    assert "Hide comment" not in client_for(tenant_a).get(url).content.decode()
    client.post(f"/manage/moderation/comment/{comment.pk}/hide/", {"reason": "", "next": url})
    with tenant_context(tenant_a):
        assert Comment.objects.get(pk=comment.pk).is_published  # no reason, no change
    client.post(f"/manage/moderation/comment/{comment.pk}/hide/", {"reason": "Rude", "next": url})
    assert "Rude remark" not in client_for(tenant_a).get(url).content.decode()
    assert "Rude remark" in client.get("/manage/moderation/?reason=moderator").content.decode()


def test_redacting_removes_only_the_passage_and_the_audit_keeps_the_original(
    desk: tuple[Client, User], tenant_a: Tenant
) -> None:
    client, moderator = desk
    with tenant_context(tenant_a):
        idea = IdeaFactory.create(body="Great idea. Ring 07700 900123 for more.")
        Idea.objects.filter(pk=idea.pk).update(visibility=Visibility.HELD)
    client.post(
        f"/manage/moderation/idea/{idea.pk}/redact/", {"text": "07700 900123", "reason": "phone"}
    )
    missing = client.post(
        f"/manage/moderation/idea/{idea.pk}/redact/",
        {"text": "not there", "reason": "x"},
        follow=True,
    )
    assert "Those words are not in the post" in missing.content.decode()
    with tenant_context(tenant_a):
        idea.refresh_from_db()
        assert idea.body == f"Great idea. Ring {REDACTED} for more."
        entry = AuditEntry.objects.get(action="redact")
        assert "07700 900123" in entry.before["body"]
        assert entry.actor == moderator


def test_a_banned_resident_can_read_but_not_post(
    desk: tuple[Client, User], client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    client, _ = desk
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug="ban-here", moderation=Dialogue.Moderation.PRE)
        troll = UserFactory.create()
        held = idea_create(dialogue=dialogue, author=troll, title="Bait", body="Bait")
    client.post(f"/manage/moderation/idea/{held.pk}/ban/", {"days": "7", "reason": "Trolling"})
    banned = client_for(tenant_a)
    with tenant_context(tenant_a):
        banned.force_login(troll)
        assert User.objects.get(pk=troll.pk).is_banned
        assert AuditEntry.objects.filter(action="ban", target_id=troll.pk).exists()
    assert banned.get("/dialogues/ban-here/").status_code == 200
    response = banned.post(
        "/dialogues/ban-here/ideas/new/",
        {"title": "Again", "body": "x", "submission_key": str(uuid.uuid4())},
        follow=True,
    )
    assert "paused your posting" in response.content.decode()
    with tenant_context(tenant_a):
        assert Idea.objects.filter(dialogue=dialogue).count() == 1
        staff = UserFactory.create(role=User.Role.ADMIN)
        staff_idea = IdeaFactory.create(author=staff)
        Idea.objects.filter(pk=staff_idea.pk).update(visibility=Visibility.HELD)
    refused = client.post(
        f"/manage/moderation/idea/{staff_idea.pk}/ban/", {"days": "", "reason": "x"}, follow=True
    )
    assert "Staff cannot be banned" in refused.content.decode()


def test_a_ban_length_that_is_no_number_bans_nobody(
    desk: tuple[Client, User], tenant_a: Tenant
) -> None:
    client, _ = desk
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(moderation=Dialogue.Moderation.PRE)
        resident = UserFactory.create()
        held = idea_create(dialogue=dialogue, author=resident, title="Hm", body="Hm")
    for days in ("²", "9" * 5000, "-3", "99999999"):
        response = client.post(
            f"/manage/moderation/idea/{held.pk}/ban/", {"days": days, "reason": "x"}, follow=True
        )
        assert response.status_code == 200
        assert "Choose how long the ban lasts" in response.content.decode()
    with tenant_context(tenant_a):
        assert not User.objects.get(pk=resident.pk).is_banned


def test_bulk_decisions_decide_each_post_and_report_what_was_already_done(
    desk: tuple[Client, User], tenant_a: Tenant
) -> None:
    client, _ = desk
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(moderation=Dialogue.Moderation.PRE)
        author = UserFactory.create()
        ideas = [
            idea_create(dialogue=dialogue, author=author, title=f"T{n}", body="Fine")
            for n in range(3)
        ]
    client.post(f"/manage/moderation/idea/{ideas[0].pk}/", {"decision": "approve"})
    response = client.post(
        "/manage/moderation/bulk/",
        {"decision": "approve", "selected": [f"idea:{idea.pk}" for idea in ideas]},
        follow=True,
    )
    page = response.content.decode()
    assert "2 posts approved." in page
    assert "1 had already been decided by someone else." in page
    with tenant_context(tenant_a):
        assert all(Idea.objects.get(pk=i.pk).is_published for i in ideas)
        assert AuditEntry.objects.filter(outcome="superseded").count() == 1
