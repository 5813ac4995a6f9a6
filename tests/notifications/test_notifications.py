"""Residents hear about what they follow: on the site, by email now or daily, or not at all."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.models import Dialogue
from dialogues.services import comment_create, idea_create, idea_status_set
from notifications.models import EmailPreference, Notification
from notifications.services import email_preference_set, follow_set
from notifications.tasks import notifications_email_digest, notifications_email_immediate
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory
from tests.harness.smtp_sink import SmtpSink
from tests.harness.worker import Worker


def _messages(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


@pytest.mark.django_db
def test_followers_and_authors_hear_of_comments_responses_and_status(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(title="Parks")
        author, follower, commenter = (UserFactory.create() for _ in range(3))
        follow_set(user=follower, dialogue=dialogue, following=True)
        idea = idea_create(dialogue=dialogue, author=author, title="Benches", body="More")
        assert _messages(follower) == ["New idea in “Parks”: Benches"]
        assert _messages(author) == []  # nobody is told of their own actions

        comment_create(idea=idea, author=commenter, body="Yes please")
        assert _messages(author) == [f"{commenter.username} commented on “Benches”"]

        admin = UserFactory.create(role=User.Role.ADMIN)
        comment_create(idea=idea, author=admin, body="We will.", official=True)
        idea_status_set(idea=idea, by=admin, status="accepted", explanation="Funded.")
        for person in (author, commenter):  # commenting follows the idea
            assert "The organisation responded to “Benches”" in _messages(person)
            assert "“Benches” is now: Accepted" in _messages(person)
        assert _messages(admin) == []


@pytest.mark.django_db
def test_emails_follow_each_residents_choice_and_carry_a_working_unsubscribe_link(
    tenant_a: Tenant, client_for: Callable[..., Client]
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create(title="Buses")
        now_user, daily_user, quiet_user = (UserFactory.create() for _ in range(3))
        email_preference_set(user=daily_user, mode=EmailPreference.Mode.DAILY)
        email_preference_set(user=quiet_user, mode=EmailPreference.Mode.OFF)
        assert idea.author is not None
        email_preference_set(user=idea.author, mode=EmailPreference.Mode.OFF)
        for user in (now_user, daily_user, quiet_user):
            follow_set(user=user, idea=idea, following=True)
        comment_create(idea=idea, author=UserFactory.create(), body="Secret body text")
        ids = list(Notification.objects.values_list("pk", flat=True))

        assert notifications_email_immediate(notification_ids=ids) == 1
        assert notifications_email_immediate(notification_ids=ids) == 0  # idempotent
        assert [m.to for m in mail.outbox] == [[now_user.email]]
        assert notifications_email_digest() == 1
        assert notifications_email_digest() == 0
        assert [m.to for m in mail.outbox][1:] == [[daily_user.email]]
        assert "daily summary" in mail.outbox[1].subject

    message = mail.outbox[0]
    assert "Secret body text" not in message.body
    assert "commented on “Buses”" in message.body
    link = re.search(
        r"http://alpha\.localhost(?::\d+)?(/notifications/unsubscribe/[^/\s]+/)", str(message.body)
    )
    assert link, message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    visitor = client_for(tenant_a)  # not signed in
    assert "Stop all emails" in visitor.get(link.group(1)).content.decode()
    assert "no more emails" in visitor.post(link.group(1)).content.decode()
    with tenant_context(tenant_a):
        assert EmailPreference.objects.get(user=now_user).mode == EmailPreference.Mode.OFF


@pytest.mark.django_db
def test_an_unsubscribe_token_from_one_tenant_does_nothing_on_another(
    tenant_a: Tenant, tenant_b: Tenant, client_for: Callable[..., Client]
) -> None:
    from notifications.tokens import unsubscribe_token

    with tenant_context(tenant_a):
        user = UserFactory.create()
        token = unsubscribe_token(user=user)
    response = client_for(tenant_b).post(f"/notifications/unsubscribe/{token}/")
    assert response.status_code == 400
    garbage = client_for(tenant_a).post("/notifications/unsubscribe/not-a-token/")
    assert garbage.status_code == 400
    with tenant_context(tenant_a):
        assert not EmailPreference.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_the_notification_page_lists_and_marks_read(
    tenant_a: Tenant, client_for: Callable[..., Client]
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create(title="Skate park")
        assert idea.author is not None
        comment_create(idea=idea, author=UserFactory.create(username="Skater9"), body="Yes")
        client = client_for(tenant_a)
        client.force_login(idea.author)
    home = client.get("/").content.decode()
    assert "(1 new)" in home
    page = client.get("/notifications/").content.decode()
    assert "Skater9 commented on “Skate park”" in page
    client.post("/notifications/read/")
    assert "(1 new)" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_follow_and_unfollow_from_the_page(
    tenant_a: Tenant, client_for: Callable[..., Client]
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug="follow-me")
        resident = UserFactory.create()
        client = client_for(tenant_a)
        client.force_login(resident)
    client.post("/notifications/follow/dialogue/follow-me/", {"following": "1"})
    assert 'aria-pressed="true"' in client.get("/dialogues/follow-me/").content.decode()
    client.post("/notifications/follow/dialogue/follow-me/", {"following": "0"})
    assert 'aria-pressed="false"' in client.get("/dialogues/follow-me/").content.decode()
    assert (
        client.post("/notifications/follow/dialogue/no-such/", {"following": "1"}).status_code
        == 404
    )
    assert client.post("/notifications/follow/tenant/1/", {"following": "1"}).status_code == 404
    with tenant_context(tenant_a):
        assert not dialogue.follows.exists()


@pytest.fixture
def open_dialogue(committed_db: None, tenant_a: Tenant) -> Iterator[Dialogue]:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug=f"mail-{time.monotonic_ns()}")
    yield dialogue
    with tenant_context(tenant_a):
        dialogue.delete()


@pytest.mark.worker
def test_the_worker_emails_the_author_after_the_comment_commits(
    celery_worker: Worker, smtp_sink: SmtpSink, open_dialogue: Dialogue, tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        author = UserFactory.create(username=f"Author{time.monotonic_ns() % 10**6}")
        idea = idea_create(dialogue=open_dialogue, author=author, title="Late buses", body="B")
        comment_create(idea=idea, author=UserFactory.create(), body="Agreed")
    deadline = time.monotonic() + 30
    while not any(author.email in str(m["To"]) for m in smtp_sink.messages):
        assert time.monotonic() < deadline, celery_worker.log()
        time.sleep(0.2)
    message = next(m for m in smtp_sink.messages if author.email in str(m["To"]))
    assert "[Alpha Community Partnership]" in str(message["Subject"])
    assert "Late buses" in str(message["Subject"])
    with tenant_context(tenant_a):
        assert Notification.objects.get(recipient=author).emailed_at is not None
        User.objects.filter(pk=author.pk).delete()
