"""Notification emails go out once each, outside any transaction: a refused address spoils no
one else's email, and running a task again sends nothing twice."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.models import Dialogue, Idea
from dialogues.services import comment_create
from notifications.models import EmailPreference, Notification
from notifications.services import email_preference_set, follow_set, notify_moderation
from notifications.tasks import notifications_email_digest, notifications_email_immediate
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory
from tests.harness.smtp_sink import SmtpSink
from tests.harness.worker import Worker, worker_wait

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("committed_db")]


@pytest.fixture
def people(tenant_a: Tenant) -> Iterator[list[User]]:
    """Residents a test commits in alpha; removed (with their notifications) afterwards."""
    made: list[User] = []
    yield made
    with tenant_context(tenant_a):
        User.objects.filter(pk__in=[user.pk for user in made]).delete()


@pytest.fixture
def idea(tenant_a: Tenant, people: list[User]) -> Iterator[Idea]:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug=f"mail-once-{time.monotonic_ns()}")
        idea = IdeaFactory.create(dialogue=dialogue, title="Night buses")
        assert idea.author is not None
        people.append(idea.author)
        email_preference_set(user=idea.author, mode=EmailPreference.Mode.OFF)
    yield idea
    with tenant_context(tenant_a):
        Dialogue.objects.filter(pk=dialogue.pk).delete()


def _residents(people: list[User], prefix: str, count: int) -> list[User]:
    stamp = time.monotonic_ns() % 10**8
    made = [UserFactory.create(username=f"{prefix}{stamp}x{n}") for n in range(count)]
    people.extend(made)
    return made


def _worker_caught_up(
    tenant: Tenant, smtp_sink: SmtpSink, worker: Worker, people: list[User]
) -> None:
    """Waits until the worker has run every task queued before now: one solo worker takes
    one queue in order, so an email queued last arrives last."""
    with tenant_context(tenant):
        [marker] = _residents(people, "Marker", 1)
        notify_moderation(user=marker, message="Marker", url="/")
    worker_wait(lambda: smtp_sink.to(marker.email), worker)


def test_a_digest_mails_everyone_else_once_when_one_address_is_refused(
    celery_worker: Worker,
    smtp_sink: SmtpSink,
    tenant_a: Tenant,
    idea: Idea,
    people: list[User],
) -> None:
    with tenant_context(tenant_a):
        first, refused, last = _residents(people, "Daily", 3)
        smtp_sink.refuse(refused.email)
        for resident in (first, refused, last):
            email_preference_set(user=resident, mode=EmailPreference.Mode.DAILY)
            follow_set(user=resident, idea=idea, following=True)
        [commenter] = _residents(people, "Talker", 1)
        comment_create(idea=idea, author=commenter, body="Every hour, please")
        notifications_email_digest.delay()

    worker_wait(lambda: smtp_sink.to(first.email) and smtp_sink.to(last.email), celery_worker)
    _worker_caught_up(tenant_a, smtp_sink, celery_worker, people)
    with tenant_context(tenant_a):
        notifications_email_digest.delay()
    _worker_caught_up(tenant_a, smtp_sink, celery_worker, people)

    for resident in (first, last):
        [digest] = smtp_sink.to(resident.email)
        assert "daily summary" in str(digest["Subject"])
        assert "commented on “Night buses”" in digest.get_content()
    assert smtp_sink.to(refused.email) == []
    # Each notification is emailed at most once: the refused one is not tried again.
    assert smtp_sink.refusals_of(refused.email) == 1


def test_immediate_emails_are_not_sent_twice_when_their_task_runs_again(
    celery_worker: Worker,
    smtp_sink: SmtpSink,
    tenant_a: Tenant,
    idea: Idea,
    people: list[User],
) -> None:
    with tenant_context(tenant_a):
        first, refused, last = _residents(people, "Now", 3)
        smtp_sink.refuse(refused.email)
        for resident in (first, refused, last):
            follow_set(user=resident, idea=idea, following=True)
        [commenter] = _residents(people, "Speaker", 1)
        comment = comment_create(idea=idea, author=commenter, body="Yes")
        ids = list(
            Notification.objects.filter(url__endswith=f"#comment-{comment.pk}").values_list(
                "pk", flat=True
            )
        )
    assert len(ids) == 4  # the three followers and the idea's author

    worker_wait(lambda: smtp_sink.to(first.email) and smtp_sink.to(last.email), celery_worker)
    with tenant_context(tenant_a):
        # What a retried or redelivered task does: the same notifications again.
        notifications_email_immediate.delay(notification_ids=ids)
    _worker_caught_up(tenant_a, smtp_sink, celery_worker, people)

    for resident in (first, last):
        [message] = smtp_sink.to(resident.email)
        assert "Speaker" in str(message["Subject"])
    assert smtp_sink.to(refused.email) == []
    assert smtp_sink.refusals_of(refused.email) == 1
