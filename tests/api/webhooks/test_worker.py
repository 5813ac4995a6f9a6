"""A real worker delivers webhooks: signed, retried after a failure, paused after many."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from standardwebhooks.webhooks import Webhook

from accounts.models import User
from api.webhooks import services
from api.webhooks.models import Delivery, Endpoint, EventType
from dialogues.models import Dialogue
from dialogues.services import comment_create, idea_create
from tenants.models import Tenant
from tests.api.webhooks.receiver import Receiver
from tests.factories import DialogueFactory, UserFactory
from tests.harness.smtp_sink import SmtpSink
from tests.harness.worker import Worker, worker_wait

pytestmark = [
    pytest.mark.worker,
    pytest.mark.usefixtures("committed_db", "endpoints_removed", "private_ok"),
]


@pytest.fixture
def dialogue(tenant_a: Tenant) -> Iterator[Dialogue]:
    """A committed dialogue of its own, removed with its ideas and their authors."""
    stamp = uuid.uuid4().hex[:8]
    with tenant_context(tenant_a):
        made = DialogueFactory.create(slug=f"hooks-{stamp}", title=f"Hooks {stamp}")
    yield made
    with tenant_context(tenant_a):
        authors = list(made.ideas.values_list("author_id", flat=True))
        Dialogue.objects.filter(pk=made.pk).delete()
        User.objects.filter(pk__in=authors).delete()


def _status(tenant: Tenant, delivery_id: int) -> str:
    with tenant_context(tenant):
        return str(Delivery.objects.get(pk=delivery_id).status)


def test_published_posts_reach_the_endpoint_and_failures_are_retried(
    hooks_worker: Worker, tenant_a: Tenant, receiver: Receiver, dialogue: Dialogue
) -> None:
    receiver.fail_next(1)
    with tenant_context(tenant_a):
        endpoint = services.endpoint_create(
            url=receiver.url(),
            description="",
            event_types=[EventType.IDEA_PUBLISHED, EventType.COMMENT_PUBLISHED],
            by=None,
        )
        author = UserFactory.create(username=f"Hooker{uuid.uuid4().hex[:6]}")
        idea = idea_create(dialogue=dialogue, author=author, title="Lights", body="In the park")
        comment_create(idea=idea, author=author, body="And on the path")
    receiver.wait_for(lambda: len(receiver.received) >= 3)
    by_id: dict[str, list[dict]] = {}
    for received in receiver.received:
        event = Webhook(endpoint.secret).verify(received.body, received.headers)
        by_id.setdefault(received.headers["webhook-id"], []).append(event)
    # The first attempt was answered 500; the retry carries the same id and payload.
    assert sorted((events[0]["type"], len(events)) for events in by_id.values()) == [
        ("comment.published", 1),
        ("idea.published", 2),
    ]
    with tenant_context(tenant_a):
        delivery = Delivery.objects.get(endpoint=endpoint, event_type=EventType.IDEA_PUBLISHED)
    worker_wait(lambda: _status(tenant_a, delivery.pk) == "sent", hooks_worker)
    with tenant_context(tenant_a):
        delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (2, 200)


def test_repeated_failures_pause_the_endpoint_and_email_every_admin(
    hooks_worker: Worker,
    tenant_a: Tenant,
    receiver: Receiver,
    dialogue: Dialogue,
    smtp_sink: SmtpSink,
) -> None:
    """The worker tries 3 times per delivery and pauses after 2 failed deliveries."""
    receiver.fail_next(1000)
    stamp = uuid.uuid4().hex[:8]
    addresses = [f"hooks-admin-{stamp}-{n}@example.org" for n in range(2)]
    with tenant_context(tenant_a):
        admins = [
            UserFactory.create(username=f"HookAdmin{stamp}{n}", role=User.Role.ADMIN, email=a)
            for n, a in enumerate(addresses)
        ]
        endpoint = services.endpoint_create(
            url=receiver.url(), description="Case system", event_types=["idea.published"], by=None
        )
        author = UserFactory.create(username=f"Hooked{stamp}")
        for title in ("First", "Second"):
            idea_create(dialogue=dialogue, author=author, title=title, body="Private thoughts")
    try:

        def paused() -> bool:
            with tenant_context(tenant_a):
                return not Endpoint.objects.get(pk=endpoint.pk).is_active

        worker_wait(paused, hooks_worker, seconds=60)
        assert len(receiver.received) == 6  # 2 deliveries x 3 attempts
        worker_wait(
            lambda: all(any(a in str(m["To"]) for m in smtp_sink.messages) for a in addresses),
            hooks_worker,
        )
        for address in addresses:
            [message] = [m for m in smtp_sink.messages if address in str(m["To"])]
            assert str(message["To"]) == address
            body = message.get_content()
            assert "Case system" in body
            assert "paused" in body
            assert f"/manage/webhooks/{endpoint.pk}/" in body
            assert "Private thoughts" not in body
            assert "First" not in body

        # Paused: a new post sends nothing at all.
        with tenant_context(tenant_a):
            idea_create(dialogue=dialogue, author=author, title="Third", body="B")
            assert Delivery.objects.filter(endpoint=endpoint).count() == 2
        time.sleep(1.5)
        assert len(receiver.received) == 6
    finally:
        with tenant_context(tenant_a):
            User.objects.filter(pk__in=[a.pk for a in admins]).delete()


def test_a_lost_task_message_is_sent_by_the_sweep(
    hooks_worker: Worker, tenant_a: Tenant, receiver: Receiver
) -> None:
    from datetime import timedelta

    from api.webhooks.tasks import webhooks_sweep

    with tenant_context(tenant_a):
        endpoint = services.endpoint_create(
            url=receiver.url(), description="", event_types=["idea.published"], by=None
        )
        # Recorded, its message never sent (as if the web process died after the commit).
        delivery = Delivery.objects.create(
            endpoint=endpoint,
            event_type=EventType.PING,
            payload={"type": "ping", "data": {}},
        )
        Delivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=delivery.created_at - timedelta(minutes=10)
        )
        webhooks_sweep.delay()
    worker_wait(lambda: _status(tenant_a, delivery.pk) == "sent", hooks_worker)
    assert json.loads(receiver.received[0].body)["type"] == "ping"
