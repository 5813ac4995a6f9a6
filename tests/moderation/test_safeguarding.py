"""Safeguarding: concerns hide posts at once and reach the leads, and only the leads."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.models import Comment
from dialogues.services import post_decide
from moderation.models import AlertDelivery, SafeguardingConcern, Visibility
from moderation.services import safeguarding_handle
from moderation.tasks import safeguarding_alert_deliver, safeguarding_alert_leads
from tenants.models import Tenant
from tests.factories import CommentFactory, UserFactory
from townsquare.errors import NotAllowed

# Reports and concerns are limited per address; these tests must not use up the run's budget.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

DISCLOSURE = "he makes me carry things for him after school"


def test_a_concern_about_a_comment_hides_it_and_reaches_only_the_leads(
    client_for: Callable[..., Client], client_as: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        comment = CommentFactory.create(body=DISCLOSURE)
        idea_url = comment.idea.get_absolute_url()
        lead = UserFactory.create(role=User.Role.SAFEGUARDING, email="lead@example.org")
        moderator = UserFactory.create(role=User.Role.MODERATOR)
        admin = UserFactory.create(role=User.Role.ADMIN)
    visitor = client_for(tenant_a)
    sent = visitor.post(
        f"/worried/comment/{comment.pk}/", {"category": "exploitation", "message": "Please help"}
    )
    assert "our safeguarding team has been told" in sent.content.decode()
    assert DISCLOSURE not in visitor.get(idea_url).content.decode()
    with tenant_context(tenant_a):
        concern = SafeguardingConcern.objects.get()
        assert Comment.objects.get(pk=comment.pk).visibility == Visibility.HIDDEN
        assert safeguarding_alert_leads(concern_id=concern.pk) == 1
        # One delivery per lead, each sent by its own task (run here in-process).
        [delivery] = AlertDelivery.objects.filter(concern=concern)
        assert safeguarding_alert_deliver(delivery_id=delivery.pk) == "sent"
    alert = mail.outbox[-1]
    assert alert.to == ["lead@example.org"]
    assert f"/manage/safeguarding/#concern-{concern.pk}" in str(alert.body)
    assert DISCLOSURE not in str(alert.body)
    assert "Please help" not in str(alert.body)

    assert (
        DISCLOSURE not in client_as(tenant_a, moderator).get("/manage/moderation/").content.decode()
    )
    for outsider in (moderator, admin):
        assert client_as(tenant_a, outsider).get("/manage/safeguarding/").status_code == 403
    with tenant_context(tenant_a), pytest.raises(NotAllowed, match="safeguarding leads"):
        post_decide(item=Comment.objects.get(pk=comment.pk), by=moderator, approve=True)

    desk = client_as(tenant_a, lead)
    page = desk.get("/manage/safeguarding/").content.decode()
    assert DISCLOSURE in page
    assert "Please help" in page
    refused = desk.post(f"/manage/safeguarding/{concern.pk}/", {"note": ""}, follow=True)
    assert "Record what you did" in refused.content.decode()
    desk.post(
        f"/manage/safeguarding/{concern.pk}/",
        {"note": "Spoke to the school's DSL; post is safe.", "restore": "1"},
    )
    assert DISCLOSURE in visitor.get(idea_url).content.decode()
    with tenant_context(tenant_a):
        concern.refresh_from_db()
        assert concern.handled_by == lead
        other_lead = UserFactory.create(role=User.Role.SAFEGUARDING)
        with pytest.raises(NotAllowed, match="Already handled"):
            safeguarding_handle(concern=concern, by=other_lead, note="Me too")


def test_tell_us_privately_reaches_only_the_leads(
    client_for: Callable[..., Client], client_as: Callable[..., Client], tenant_a: Tenant
) -> None:
    visitor = client_for(tenant_a)
    assert (
        "Only our safeguarding leads can read this"
        in visitor.get("/tell-us-privately/").content.decode()
    )
    empty = visitor.post("/tell-us-privately/", {"category": "harm", "message": "  "})
    assert empty.status_code == 400
    assert "Tell us what is worrying you" in empty.content.decode()
    visitor.post("/tell-us-privately/", {"category": "harm", "message": "My brother hits me"})
    with tenant_context(tenant_a):
        concern = SafeguardingConcern.objects.get()
        assert concern.is_private_message
        assert concern.raised_by is None
        lead = UserFactory.create(role=User.Role.SAFEGUARDING)
        admin = UserFactory.create(role=User.Role.ADMIN)
    assert (
        "My brother hits me"
        in client_as(tenant_a, lead).get("/manage/safeguarding/").content.decode()
    )
    assert client_as(tenant_a, admin).get("/manage/safeguarding/").status_code == 403
    for path in ("/", "/dialogues/alpha-parks/"):
        assert "My brother hits me" not in visitor.get(path).content.decode()


def test_moderators_can_pass_a_post_to_the_leads(
    client_as: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        comment = CommentFactory.create(body="held for a phone number 07700 900123")
        Comment.objects.filter(pk=comment.pk).update(
            visibility=Visibility.HELD,
            hold_reasons=[{"kind": "phone number", "text": "07700 900123"}],
        )
        moderator = UserFactory.create(role=User.Role.MODERATOR)
    desk = client_as(tenant_a, moderator)
    desk.post(f"/manage/moderation/comment/{comment.pk}/safeguarding/", {"category": "weapons"})
    with tenant_context(tenant_a):
        assert SafeguardingConcern.objects.get(comment=comment).category == "weapons"
    assert "07700 900123" not in desk.get("/manage/moderation/").content.decode()
