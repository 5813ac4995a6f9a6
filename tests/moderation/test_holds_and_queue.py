"""Held posts: invisible to others, explained to their author, decided by moderators, audited."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.models import Dialogue, Idea
from dialogues.services import comment_create, idea_create, idea_update, post_decide
from moderation.models import AuditEntry, Visibility
from notifications.models import Notification
from sitesettings.selectors import site_settings_get
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory
from townsquare.errors import NotAllowed

pytestmark = pytest.mark.django_db


def _client(client_for: Callable[..., Client], tenant: Tenant, user: User | None) -> Client:
    client = client_for(tenant)
    if user is not None:
        with tenant_context(tenant):
            client.force_login(user)
    return client


def test_an_idea_with_a_phone_number_is_held_and_its_author_told_why(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        DialogueFactory.create(slug="held")
        author = UserFactory.create()
    client = _client(client_for, tenant_a, author)
    response = client.post(
        "/dialogues/held/ideas/new/",
        {
            "title": "Call me",
            "body": "Ring 07700 900123 after school",
            "submission_key": str(uuid.uuid4()),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "waiting for a moderator because it seems to contain personal details" in page
    assert "phone number (07700 900123)" in page
    assert "Only you can see this idea for now" in page
    idea_url = response.redirect_chain[-1][0]
    with tenant_context(tenant_a):
        resident = UserFactory.create()
    for other in (client_for(tenant_a), _client(client_for, tenant_a, resident)):
        assert other.get(idea_url).status_code == 404
        assert "Call me" not in other.get("/dialogues/held/").content.decode()


def test_editing_the_details_out_releases_the_hold(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        dialogue, author = DialogueFactory.create(), UserFactory.create()
        follower = UserFactory.create()
        from notifications.services import follow_set

        follow_set(user=follower, dialogue=dialogue, following=True)
        idea = idea_create(dialogue=dialogue, author=author, title="Hi", body="me@example.org")
        assert idea.visibility == Visibility.HELD
        assert not Notification.objects.filter(recipient=follower).exists()
        idea_update(idea=idea, editor=author, title="Hi", body="No details now")
        assert idea.visibility == Visibility.PUBLISHED
        assert Notification.objects.filter(recipient=follower).count() == 1


def test_pre_moderated_dialogues_hold_everything_but_staff_posts(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(moderation=Dialogue.Moderation.PRE)
        idea = idea_create(dialogue=dialogue, author=UserFactory.create(), title="T", body="Plain")
        assert idea.visibility == Visibility.HELD
        assert idea.hold_summary == "pre-moderation"
        staff = UserFactory.create(role=User.Role.ADMIN)
        assert idea_create(dialogue=dialogue, author=staff, title="T2", body="B").is_published


def test_held_comments_show_only_to_their_author_and_do_not_count(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create()
        author = UserFactory.create()
        site_settings = site_settings_get()
        site_settings.blocked_words = "shank"
        site_settings.save()
        comment = comment_create(idea=idea, author=author, body="bring a shank")
        assert comment.visibility == Visibility.HELD
        idea.refresh_from_db()
        assert idea.comment_count == 0
        url = idea.get_absolute_url()
    mine = _client(client_for, tenant_a, author).get(url).content.decode()
    assert "bring a shank" in mine
    assert "Only you can see this comment" in mine
    theirs = client_for(tenant_a).get(url).content.decode()
    assert "bring a shank" not in theirs


def test_moderators_approve_or_reject_and_every_attempt_is_audited(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug="queue", moderation=Dialogue.Moderation.PRE)
        author = UserFactory.create()
        keep = idea_create(dialogue=dialogue, author=author, title="Keep", body="Fine idea")
        drop = idea_create(dialogue=dialogue, author=author, title="Drop", body="07700 900123")
        moderator = UserFactory.create(role=User.Role.MODERATOR)
        second = UserFactory.create(role=User.Role.MODERATOR)
    desk = _client(client_for, tenant_a, moderator)
    page = desk.get("/manage/moderation/").content.decode()
    assert "2 posts waiting" in page
    assert '<mark title="phone number">07700 900123</mark>' in page
    assert "phone number" in desk.get("/manage/moderation/?reason=phone+number").content.decode()

    desk.post(f"/manage/moderation/idea/{keep.pk}/", {"decision": "approve"})
    refused = desk.post(f"/manage/moderation/idea/{drop.pk}/", {"decision": "reject"}, follow=True)
    assert "a reason is needed to reject" in refused.content.decode()
    desk.post(
        f"/manage/moderation/idea/{drop.pk}/",
        {"decision": "reject", "reason": "Please do not share phone numbers."},
    )
    late = _client(client_for, tenant_a, second).post(
        f"/manage/moderation/idea/{keep.pk}/", {"decision": "approve"}, follow=True
    )
    assert "Another moderator got there first" in late.content.decode()

    with tenant_context(tenant_a):
        keep.refresh_from_db()
        drop.refresh_from_db()
        assert (keep.visibility, drop.visibility) == (Visibility.PUBLISHED, Visibility.REJECTED)
        entries = list(
            AuditEntry.objects.order_by("id").values_list("actor_name", "action", "outcome")
        )
        assert entries == [
            (moderator.username, "approve", "done"),
            (moderator.username, "reject", "done"),
            (second.username, "approve", "superseded"),
        ]
        assert Notification.objects.filter(
            recipient=author,
            kind="moderation",
            message__contains="Please do not share phone numbers",
        ).exists()
    assert "Keep" in client_for(tenant_a).get("/dialogues/queue/").content.decode()
    audit = desk.get("/manage/moderation/audit/").content.decode()
    assert "superseded" in audit


def test_the_audit_log_cannot_be_changed_or_deleted(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        idea = idea_create(
            dialogue=DialogueFactory.create(),
            author=UserFactory.create(),
            title="T",
            body="a@b.org",
        )
        post_decide(item=idea, by=UserFactory.create(role=User.Role.MODERATOR), approve=True)
        entry = AuditEntry.objects.get()
        for attempt in (
            lambda: AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten"),
            lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                attempt()
        assert AuditEntry.objects.get().reason == ""


@pytest.mark.parametrize("role", ["", "analyst"])
def test_people_without_the_moderate_capability_cannot_moderate(
    client_for: Callable[..., Client], tenant_a: Tenant, role: str
) -> None:
    with tenant_context(tenant_a):
        idea = idea_create(
            dialogue=DialogueFactory.create(),
            author=UserFactory.create(),
            title="T",
            body="a@b.org",
        )
        someone = UserFactory.create(role=role)
        with pytest.raises(NotAllowed):
            post_decide(item=idea, by=someone, approve=True)
    client = _client(client_for, tenant_a, someone)
    assert client.get("/manage/moderation/").status_code == 403
    assert (
        client.post(f"/manage/moderation/idea/{idea.pk}/", {"decision": "approve"}).status_code
        == 403
    )


def test_a_moderator_cannot_act_on_another_tenants_post(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    with tenant_context(tenant_b):
        held = idea_create(
            dialogue=DialogueFactory.create(),
            author=UserFactory.create(),
            title="B",
            body="a@b.org",
        )
    with tenant_context(tenant_a):
        moderator = UserFactory.create(role=User.Role.MODERATOR)
        assert not Idea.objects.filter(pk=held.pk, title="B").exists()
    response = _client(client_for, tenant_a, moderator).post(
        f"/manage/moderation/idea/{held.pk}/", {"decision": "approve"}
    )
    assert response.status_code in {302, 404}
    with tenant_context(tenant_b):
        held.refresh_from_db()
        assert held.visibility == Visibility.HELD
