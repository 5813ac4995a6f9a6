"""A notification about a post is shown and emailed only while the post is public."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.services import comment_create, idea_create, post_hide
from notifications.models import EmailPreference
from notifications.services import email_preference_set, follow_set
from notifications.tasks import notifications_email_digest
from tenants.models import Tenant
from tests.factories import DialogueFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_hiding_a_post_takes_its_notifications_off_the_list_and_out_of_the_digest(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(title="Night buses")
        follower = UserFactory.create(username="DigestFollower")
        email_preference_set(user=follower, mode=EmailPreference.Mode.DAILY)
        follow_set(user=follower, dialogue=dialogue, following=True)
        moderator = UserFactory.create(role=User.Role.MODERATOR)
        shown = idea_create(
            dialogue=dialogue, author=UserFactory.create(), title="Later buses", body="x"
        )
        hidden = idea_create(
            dialogue=dialogue,
            author=UserFactory.create(),
            title="Rude about a named driver",
            body="x",
        )
        follow_set(user=follower, idea=shown, following=True)
        reply = comment_create(idea=shown, author=UserFactory.create(), body="Nasty reply")
        post_hide(item=hidden, by=moderator, reason="Names someone")
        post_hide(item=reply, by=moderator, reason="Unkind")
    client = client_for(tenant_a)
    with tenant_context(tenant_a):
        client.force_login(follower)
    page = client.get("/notifications/").content.decode()
    assert "Later buses" in page
    assert "Rude about a named driver" not in page
    assert "commented on" not in page
    assert "(1 new)" in client.get("/").content.decode()

    mail.outbox.clear()
    with tenant_context(tenant_a):
        notifications_email_digest()
    digest = "\n".join(str(message.body) for message in mail.outbox)
    assert "Later buses" in digest
    assert "Rude about a named driver" not in digest
    assert "commented on" not in digest
