"""Residents download everything held about them, and delete their account their way."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.models import Comment, Idea
from dialogues.services import comment_create, idea_create, post_escalate, rating_set
from moderation.models import AuditEntry
from tenants.models import Tenant
from tests.factories import PASSWORD, DialogueFactory, UserFactory

pytestmark = pytest.mark.django_db


def _resident_with_history(tenant: Tenant) -> tuple[User, Idea, Idea]:
    with tenant_context(tenant):
        dialogue = DialogueFactory.create()
        resident = UserFactory.create(username="LeavingLark", email="lark@example.org")
        other = UserFactory.create()
        mine = idea_create(dialogue=dialogue, author=resident, title="My idea", body="Mine")
        theirs = idea_create(dialogue=dialogue, author=other, title="Their idea", body="Theirs")
        comment_create(idea=theirs, author=resident, body="My comment")
        comment_create(idea=mine, author=other, body="A reply from someone else")
        rating_set(idea=theirs, user=resident, stars=5)
        worrying = idea_create(dialogue=dialogue, author=other, title="Worrying", body="Hm")
        post_escalate(category="other", raised_by=resident, item=worrying, message="A worry")
    return resident, mine, theirs


def test_the_download_holds_everything_about_the_resident(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    resident, _, _ = _resident_with_history(tenant_a)
    client = client_for(tenant_a)
    with tenant_context(tenant_a):
        client.force_login(resident)
    response = client.get("/accounts/my-data/download/")
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(response.content)
    assert data["account"]["username"] == "LeavingLark"
    assert data["email_addresses"][0]["email"] == "lark@example.org"
    assert [i["title"] for i in data["ideas"]] == ["My idea"]
    assert [c["body"] for c in data["comments"]] == ["My comment"]
    assert data["ratings"] == [{"idea": "Their idea", "stars": 5}]
    assert data["safeguarding_concerns_raised"][0]["message"] == "A worry"
    assert client_for(tenant_a).get("/accounts/my-data/download/").status_code == 302


@pytest.mark.parametrize("choice", ["keep", "remove"])
def test_deleting_an_account_keeps_or_removes_posts_but_never_others_replies(
    client_for: Callable[..., Client], tenant_a: Tenant, choice: str
) -> None:
    resident, mine, theirs = _resident_with_history(tenant_a)
    client = client_for(tenant_a)
    with tenant_context(tenant_a):
        client.force_login(resident)
    wrong = client.post("/accounts/delete/", {"content": choice, "password": "not-it"})
    assert wrong.status_code == 400
    assert "That is not your password" in wrong.content.decode()
    done = client.post("/accounts/delete/", {"content": choice, "password": PASSWORD})
    assert "Your account is deleted" in done.content.decode()
    with tenant_context(tenant_a):
        assert not User.objects.filter(username="LeavingLark").exists()
        theirs.refresh_from_db()
        mine.refresh_from_db()
        assert (theirs.rating_count, theirs.rating_total) == (0, 0)
        assert Comment.objects.filter(body="A reply from someone else").exists()
        if choice == "keep":
            assert mine.author is None
            assert mine.body == "Mine"
            assert Comment.objects.filter(body="My comment", author__isnull=True).exists()
            assert theirs.comment_count == 1
        else:
            assert mine.body == "[removed by its author]"
            assert mine.is_withdrawn
            assert not Comment.objects.filter(body="My comment").exists()
            assert theirs.comment_count == 0
        entry = AuditEntry.objects.get(action="account deleted")
        assert entry.target_id == resident.pk
        # The concern they raised keeps its audit trail with the name, without the link.
        assert AuditEntry.objects.filter(actor_name="LeavingLark", actor__isnull=True).exists()
    page = (
        client_for(tenant_a)
        .get(mine.get_absolute_url() if choice == "keep" else "/")
        .content.decode()
    )
    assert "lark@example.org" not in page


def test_removing_my_content_keeps_every_reply_by_others_and_true_counts(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create()
        leaving = UserFactory.create(username="LeavingWren")
        other, third = UserFactory.create(), UserFactory.create()
        idea = idea_create(dialogue=dialogue, author=other, title="Skate park", body="Please")
        answered = comment_create(idea=idea, author=leaving, body="My answered comment")
        comment_create(idea=idea, author=other, body="Reply kept one", parent=answered)
        comment_create(idea=idea, author=third, body="Reply kept two", parent=answered)
        comment_create(idea=idea, author=leaving, body="My own reply", parent=answered)
        lonely = comment_create(idea=idea, author=leaving, body="My unanswered comment")
        theirs = comment_create(idea=idea, author=third, body="Their top comment")
        comment_create(idea=idea, author=leaving, body="My reply to them", parent=theirs)
        assert Idea.objects.get(pk=idea.pk).comment_count == 7
    client = client_for(tenant_a)
    with tenant_context(tenant_a):
        client.force_login(leaving)
    client.post("/accounts/delete/", {"content": "remove", "password": PASSWORD})

    page = client_for(tenant_a).get(idea.get_absolute_url()).content.decode()
    for kept in ("Reply kept one", "Reply kept two", "Their top comment"):
        assert kept in page
    for gone in ("My answered comment", "My own reply", "My unanswered comment", "My reply to"):
        assert gone not in page
    assert "[removed by its author]" in page
    with tenant_context(tenant_a):
        assert not Comment.objects.filter(pk=lonely.pk).exists()
        shown = Comment.objects.filter(idea=idea).count()
        assert shown == 4  # the emptied comment, its two replies, their top comment
        assert Idea.objects.get(pk=idea.pk).comment_count == shown
