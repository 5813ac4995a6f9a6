"""No report goes unseen, and safeguarding records in the audit log are for leads alone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.models import Comment, Idea
from moderation.models import AuditEntry, Report, SafeguardingConcern, Visibility
from sitesettings.selectors import site_settings_get
from tenants.models import Tenant
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

PRIVATE_NOTE = "Spoke to the school's designated lead about RavenWing"


def test_a_post_reported_below_the_threshold_waits_in_the_queue_until_dismissed_or_hidden(
    client_for: Callable[..., Client],
    client_as: Callable[..., Client],
    tenant_a: Tenant,
    fresh_rate_limits: None,
) -> None:
    with tenant_context(tenant_a):
        settings = site_settings_get()
        settings.report_threshold = 3
        settings.save()
        moderator = UserFactory.create(role=User.Role.MODERATOR)
        once = CommentFactory.create(body="Reported once, still up")
        twice = CommentFactory.create(body="Reported once, then hidden")
        Idea.objects.filter(pk__in=[once.idea_id, twice.idea_id]).update(comment_count=1)
    visitor = client_for(tenant_a)
    for comment in (once, twice):
        visitor.post(f"/report/comment/{comment.pk}/", {"reason": "bullying"})
    desk = client_as(tenant_a, moderator)
    queue = desk.get("/manage/moderation/").content.decode()
    reported = queue[queue.index('id="reported"') :]
    assert "Reported once, still up" in reported
    assert "Bullying or harassment" in reported

    desk.post(f"/manage/moderation/comment/{once.pk}/dismiss/", {"reason": "Banter, no harm"})
    desk.post(f"/manage/moderation/comment/{twice.pk}/hide/", {"reason": "Unkind"})
    queue = desk.get("/manage/moderation/").content.decode()
    reported = queue[queue.index('id="reported"') :]
    assert "Reported once, still up" not in reported
    assert "Reported once, then hidden" not in reported
    assert "Reported once, then hidden" in queue[: queue.index('id="reported"')]
    assert (
        "Reported once, then hidden"
        not in visitor.get(twice.idea.get_absolute_url()).content.decode()
    )
    with tenant_context(tenant_a):
        assert Comment.objects.get(pk=once.pk).visibility == Visibility.PUBLISHED
        assert not Report.objects.filter(comment=once, resolved_at__isnull=True).exists()
        assert AuditEntry.objects.filter(action="dismiss reports", target_id=once.pk).exists()
        assert Idea.objects.get(pk=twice.idea_id).comment_count == 0


def test_safeguarding_entries_in_the_audit_log_are_shown_to_leads_only(
    client_as: Callable[..., Client], tenant_a: Tenant, fresh_rate_limits: None
) -> None:
    with tenant_context(tenant_a):
        raiser = UserFactory.create(username="RavenWing")
        lead = UserFactory.create(role=User.Role.SAFEGUARDING)
        moderator = UserFactory.create(role=User.Role.MODERATOR)
        admin = UserFactory.create(role=User.Role.ADMIN)
        comment = CommentFactory.create(body="Something worrying")
        ordinary = CommentFactory.create(body="Rude but not a worry")
    client_as(tenant_a, raiser).post(
        f"/worried/comment/{comment.pk}/", {"category": "harm", "message": "Please check"}
    )
    client_as(tenant_a, moderator).post(
        f"/manage/moderation/comment/{ordinary.pk}/hide/", {"reason": "Rude"}
    )
    with tenant_context(tenant_a):
        concern = SafeguardingConcern.objects.get(comment=comment)
    leads_desk = client_as(tenant_a, lead)
    leads_desk.post(f"/manage/safeguarding/{concern.pk}/", {"note": PRIVATE_NOTE, "restore": "1"})
    with tenant_context(tenant_a):
        assert Comment.objects.get(pk=comment.pk).visibility == Visibility.PUBLISHED

    for staff in (moderator, admin):
        log = client_as(tenant_a, staff).get("/manage/moderation/audit/").content.decode()
        assert f"comment {ordinary.pk}</td>" in log  # ordinary moderation stays visible
        assert f"comment {comment.pk}</td>" not in log
        assert "RavenWing" not in log
        assert PRIVATE_NOTE not in log
    leads_log = leads_desk.get("/manage/moderation/audit/").content.decode()
    assert "RavenWing" in leads_log
    assert f"comment {comment.pk}</td>" in leads_log
    # The lead's note is kept on the concern, never copied into the log.
    assert PRIVATE_NOTE not in leads_log
