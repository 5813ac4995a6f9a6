"""What happens on the site reaches subscribed endpoints, signed, and only what is public."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import tenant_context
from pytest_django.fixtures import Settings
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from accounts.models import User
from api.webhooks import services
from api.webhooks.models import SUBSCRIBABLE, Delivery, Endpoint, EventType
from api.webhooks.tasks import webhook_endpoint_paused_tell
from billing.plans import TRIAL
from dialogues.models import Dialogue, Gathering
from dialogues.services import (
    comment_create,
    gathered_idea_create,
    idea_create,
    idea_status_set,
    post_decide,
)
from tenants.models import Tenant
from tests.api.webhooks.receiver import Receiver
from tests.factories import DialogueFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_ok")]


def _endpoint(
    receiver: Receiver, events: list[str] | None = None, path: str = "/hooks"
) -> Endpoint:
    return services.endpoint_create(
        url=receiver.url(path),
        description="Our CRM",
        event_types=events or [t.value for t in SUBSCRIBABLE],
        by=None,
    )


def _send_due() -> list[str]:
    """What the worker would do with each queued delivery, in this process."""
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING).order_by("pk")
    return [
        services.delivery_attempt(delivery_id=pk).status
        for pk in pending.values_list("pk", flat=True)
    ]


def _verified(receiver: Receiver, endpoint: Endpoint) -> list[dict]:
    return [Webhook(endpoint.secret).verify(r.body, r.headers) for r in receiver.received]


def test_idea_comment_response_and_status_reach_the_endpoint_signed(
    tenant_a: Tenant, receiver: Receiver
) -> None:
    with tenant_context(tenant_a):
        endpoint = _endpoint(receiver)
        dialogue = DialogueFactory.create(slug="hooks-parks", title="Parks")
        resident = UserFactory.create(username="Robin", email="robin@example.org")
        admin = UserFactory.create(role=User.Role.ADMIN)
        idea = idea_create(dialogue=dialogue, author=resident, title="Benches", body="More benches")
        comment = comment_create(idea=idea, author=UserFactory.create(username="Kim"), body="Yes")
        reply = comment_create(idea=idea, author=resident, body="Thanks", parent=comment)
        comment_create(idea=idea, author=admin, body="We will add six.", official=True)
        idea_status_set(idea=idea, by=admin, status="accepted", explanation="Funded.")
        assert _send_due() == ["sent"] * 5

    events = _verified(receiver, endpoint)
    assert [e["type"] for e in events] == [
        "idea.published",
        "comment.published",
        "comment.published",
        "response.published",
        "idea.status_changed",
    ]
    first = events[0]
    assert first["site"] == {"name": tenant_a.name, "url": f"http://alpha.{_root()}"}
    assert first["id"] == receiver.received[0].headers["webhook-id"]
    idea_data = first["data"]["idea"]
    assert idea_data["title"] == "Benches"
    assert idea_data["body"] == "More benches"
    assert idea_data["author"] == {"type": "resident", "username": "Robin"}
    assert idea_data["url"] == first["site"]["url"] + idea.get_absolute_url()
    assert idea_data["dialogue"]["slug"] == "hooks-parks"
    assert events[2]["data"]["comment"]["reply_to"] == comment.pk
    assert events[2]["data"]["comment"]["id"] == reply.pk
    response = events[3]["data"]["comment"]
    assert response["official"] is True
    assert response["author"] == {"type": "organisation", "name": tenant_a.name}
    status = events[4]["data"]
    assert status["status_change"]["status"] == "accepted"
    assert status["status_change"]["explanation"] == "Funded."
    assert status["idea"]["status"]["label"] == "Accepted"
    for received in receiver.received:
        assert received.headers["content-type"] == "application/json"
        assert received.headers["webhook-signature"].startswith("v1,")


def _root() -> str:
    from django.conf import settings

    return str(settings.ROOT_DOMAIN)


def test_a_forged_or_other_secret_signature_fails_verification(
    tenant_a: Tenant, receiver: Receiver
) -> None:
    with tenant_context(tenant_a):
        endpoint = _endpoint(receiver)
        services.endpoint_ping(endpoint=endpoint)
        assert _send_due() == ["sent"]
    received = receiver.received[0]
    with pytest.raises(WebhookVerificationError):
        Webhook(services.secret_new()).verify(received.body, received.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(received.body + b" ", received.headers)


def test_after_rotation_both_secrets_sign_for_a_day(tenant_a: Tenant, receiver: Receiver) -> None:
    with tenant_context(tenant_a):
        endpoint = _endpoint(receiver)
        old = endpoint.secret
        new = services.endpoint_secret_rotate(endpoint=endpoint)
        services.endpoint_ping(endpoint=endpoint)
        assert _send_due() == ["sent"]
    received = receiver.received[0]
    assert new != old
    Webhook(new).verify(received.body, received.headers)
    Webhook(old).verify(received.body, received.headers)


def test_a_held_post_sends_nothing_until_a_moderator_approves_it(
    tenant_a: Tenant, receiver: Receiver
) -> None:
    with tenant_context(tenant_a):
        _endpoint(receiver)
        dialogue = DialogueFactory.create(moderation=Dialogue.Moderation.PRE)
        idea = idea_create(
            dialogue=dialogue, author=UserFactory.create(), title="Held", body="Wait for it"
        )
        assert not idea.is_published
        assert Delivery.objects.count() == 0
        moderator = UserFactory.create(role=User.Role.MODERATOR)
        assert post_decide(item=idea, by=moderator, approve=True, reason="")
        assert _send_due() == ["sent"]
    [event] = [json.loads(r.body) for r in receiver.received]
    assert event["type"] == "idea.published"
    assert event["data"]["idea"]["title"] == "Held"


def test_payloads_carry_no_email_hold_reason_or_moderation_note(
    tenant_a: Tenant, receiver: Receiver
) -> None:
    with tenant_context(tenant_a):
        _endpoint(receiver)
        dialogue = DialogueFactory.create(moderation=Dialogue.Moderation.PRE)
        author = UserFactory.create(username="Quinn", email="quinn-private@example.org")
        idea = idea_create(
            dialogue=dialogue, author=author, title="Library", body="Open it on Sundays"
        )
        idea.moderation_note = "Checked by Dana: fine"
        idea.save(update_fields=["moderation_note"])
        post_decide(item=idea, by=UserFactory.create(role=User.Role.MODERATOR), approve=True)
        assert _send_due() == ["sent"]
        body = receiver.received[0].body.decode()
        assert "quinn-private@example.org" not in body
        assert "@" not in body
        assert "Checked by Dana" not in body
        assert "hold" not in body
        assert "moderation" not in body
        assert "Quinn" in body


def test_a_session_contribution_is_from_the_session_not_the_staff_member(
    tenant_a: Tenant, receiver: Receiver
) -> None:
    with tenant_context(tenant_a):
        _endpoint(receiver, [EventType.IDEA_PUBLISHED])
        dialogue = DialogueFactory.create()
        staff = UserFactory.create(username="StaffSam", role=User.Role.ADMIN)
        gathering = Gathering.objects.create(
            dialogue=dialogue, place="Kirkby youth club", held_on="2026-01-10", entered_by=staff
        )
        gathered_idea_create(gathering=gathering, by=staff, title="Skate park", body="Please")
        assert _send_due() == ["sent"]
    author = json.loads(receiver.received[0].body)["data"]["idea"]["author"]
    assert author == {"type": "session", "place": "Kirkby youth club", "held_on": "2026-01-10"}
    assert b"StaffSam" not in receiver.received[0].body


def test_unsubscribed_events_and_other_tenants_events_send_nothing(
    tenant_a: Tenant, tenant_b: Tenant, receiver: Receiver
) -> None:
    with tenant_context(tenant_a):
        _endpoint(receiver, [EventType.STATUS_CHANGED])
        idea = idea_create(
            dialogue=DialogueFactory.create(), author=UserFactory.create(), title="T", body="B"
        )
        comment_create(idea=idea, author=UserFactory.create(), body="A comment")
        assert Delivery.objects.count() == 0
    with tenant_context(tenant_b):
        idea_b = idea_create(
            dialogue=DialogueFactory.create(), author=UserFactory.create(), title="B's", body="B"
        )
        admin_b = UserFactory.create(role=User.Role.ADMIN)
        idea_status_set(idea=idea_b, by=admin_b, status="accepted", explanation="Yes")
        assert Delivery.objects.count() == 0
    with tenant_context(tenant_a):
        assert Delivery.objects.count() == 0
    assert receiver.received == []


def test_a_failure_is_retried_with_backoff_then_delivered(
    tenant_a: Tenant, receiver: Receiver, settings: Settings
) -> None:
    settings.WEBHOOK_RETRY_SECONDS = 10
    receiver.fail_next(2)
    with tenant_context(tenant_a):
        endpoint = _endpoint(receiver)
        idea_create(
            dialogue=DialogueFactory.create(), author=UserFactory.create(), title="T", body="B"
        )
        delivery = Delivery.objects.get()
        first = services.delivery_attempt(delivery_id=delivery.pk)
        assert (first.status, first.retry_in) == ("retrying", timedelta(seconds=10))
        # Not due yet: a repeated task message does nothing.
        assert services.delivery_attempt(delivery_id=delivery.pk).status == "skipped"
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
        second = services.delivery_attempt(delivery_id=delivery.pk)
        assert (second.status, second.retry_in) == ("retrying", timedelta(seconds=20))
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
        assert services.delivery_attempt(delivery_id=delivery.pk).status == "sent"
        delivery.refresh_from_db()
        endpoint.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("sent", 3, 200)
    assert endpoint.consecutive_failures == 0
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert len(receiver.received) == 3
    assert ids == {str(delivery.event_id)}


def test_backoff_doubles_and_is_capped(settings: Settings) -> None:
    settings.WEBHOOK_RETRY_SECONDS = 30
    waits = [services.retry_in(n).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_repeated_failures_pause_the_endpoint_and_tell_the_admins(
    tenant_a: Tenant, receiver: Receiver, settings: Settings
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    settings.WEBHOOK_PAUSE_AFTER = 2
    receiver.fail_next(100, status=503)
    with tenant_context(tenant_a):
        admin = UserFactory.create(role=User.Role.ADMIN, email="admin-hooks@example.org")
        endpoint = _endpoint(receiver, [EventType.IDEA_PUBLISHED])
        dialogue = DialogueFactory.create()
        for title in ("One", "Two"):
            idea_create(
                dialogue=dialogue, author=UserFactory.create(), title=title, body="Secret body"
            )
        outcomes = [services.delivery_attempt(delivery_id=pk) for pk in _pending_ids()]
        assert [o.status for o in outcomes] == ["failed", "failed"]
        assert [o.paused for o in outcomes] == [False, True]
        endpoint.refresh_from_db()
        assert not endpoint.is_active
        assert endpoint.paused_reason == Endpoint.PauseReason.FAILING
        assert Delivery.objects.filter(last_status_code=503).count() == 2

        assert webhook_endpoint_paused_tell(endpoint_id=endpoint.pk) >= 1
        [message] = [m for m in mail.outbox if admin.email in m.to]
        assert message.to == [admin.email]  # one email each: admins do not see each other
        assert "paused" in message.subject
        assert f"/manage/webhooks/{endpoint.pk}/" in message.body
        assert "Secret body" not in message.body
        assert "One" not in message.body

        # Paused: new events are not recorded and nothing is sent.
        idea_create(dialogue=dialogue, author=UserFactory.create(), title="Three", body="B")
        assert Delivery.objects.count() == 2
        with pytest.raises(ValidationError, match="Resume"):
            services.endpoint_ping(endpoint=endpoint)
        received = len(receiver.received)

        # Resumed and working again: a success sets the count back.
        receiver.fail_next(0)
        services.endpoint_resume(endpoint=endpoint)
        idea_create(dialogue=dialogue, author=UserFactory.create(), title="Four", body="B")
        assert _send_due() == ["sent"]
        endpoint.refresh_from_db()
        assert endpoint.is_active
        assert endpoint.consecutive_failures == 0
    assert len(receiver.received) == received + 1


def _pending_ids() -> list[int]:
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def test_a_paused_endpoint_receives_nothing_even_from_queued_deliveries(
    tenant_a: Tenant, receiver: Receiver
) -> None:
    with tenant_context(tenant_a):
        endpoint = _endpoint(receiver)
        idea_create(
            dialogue=DialogueFactory.create(), author=UserFactory.create(), title="T", body="B"
        )
        assert services.endpoint_pause(endpoint=endpoint)
        assert _send_due() == ["skipped"]
        assert receiver.connections == 0
        assert services.endpoint_resume(endpoint=endpoint) == _pending_ids()
        assert _send_due() == ["sent"]


def test_a_post_hidden_before_its_delivery_is_not_sent(
    tenant_a: Tenant, receiver: Receiver
) -> None:
    from dialogues.services import post_hide

    with tenant_context(tenant_a):
        _endpoint(receiver)
        idea = idea_create(
            dialogue=DialogueFactory.create(), author=UserFactory.create(), title="T", body="B"
        )
        post_hide(item=idea, by=UserFactory.create(role=User.Role.MODERATOR), reason="Rude")
        assert _send_due() == ["cancelled"]
        assert Delivery.objects.get().last_error == services.NO_LONGER_PUBLIC
    assert receiver.received == []


def test_a_plan_without_the_api_sends_nothing(tenant_a: Tenant, receiver: Receiver) -> None:
    with tenant_context(tenant_a):
        endpoint = _endpoint(receiver)
        idea_create(
            dialogue=DialogueFactory.create(), author=UserFactory.create(), title="T", body="B"
        )
        plan = connection.tenant.plan  # type: ignore[attr-defined]
        connection.tenant.plan = TRIAL.key  # type: ignore[attr-defined]
        try:
            # Queued before the downgrade: cancelled when due. After it: not even recorded.
            assert _send_due() == ["cancelled"]
            idea_create(
                dialogue=DialogueFactory.create(), author=UserFactory.create(), title="U", body="B"
            )
            assert Delivery.objects.filter(endpoint=endpoint).count() == 1
        finally:
            connection.tenant.plan = plan  # type: ignore[attr-defined]
    assert receiver.received == []


def test_old_finished_deliveries_are_pruned(tenant_a: Tenant, receiver: Receiver) -> None:
    with tenant_context(tenant_a):
        endpoint = _endpoint(receiver)
        old = services.endpoint_ping(endpoint=endpoint)
        recent = services.endpoint_ping(endpoint=endpoint)
        Delivery.objects.filter(pk=old.pk).update(
            status=Delivery.Status.SENT, created_at=old.created_at - timedelta(days=31)
        )
        assert services.deliveries_prune() == 1
        assert list(Delivery.objects.values_list("pk", flat=True)) == [recent.pk]
