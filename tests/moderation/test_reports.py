"""Anyone can report a post; enough reports hide it until a moderator decides."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.models import Comment
from moderation.models import AuditEntry, Report, Visibility
from sitesettings.selectors import site_settings_get
from tenants.models import Tenant
from tests.factories import CommentFactory, UserFactory

# Reports and concerns are limited per address; these tests must not use up the run's budget.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


def _threshold(tenant: Tenant, value: int) -> None:
    with tenant_context(tenant):
        settings = site_settings_get()
        settings.report_threshold = value
        settings.save()


def test_reports_hide_a_comment_until_a_moderator_restores_it(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    _threshold(tenant_a, 2)
    with tenant_context(tenant_a):
        comment = CommentFactory.create(body="You lot are rubbish")
        comment.idea.comment_count = 1
        comment.idea.save()
        idea_url = comment.idea.get_absolute_url()
        moderator = UserFactory.create(role=User.Role.MODERATOR)
    url = f"/report/comment/{comment.pk}/"
    visitor = client_for(tenant_a)
    assert "Report this comment" in visitor.get(url).content.decode()
    first = visitor.post(url, {"reason": "bullying", "details": "Aimed at a young person"})
    assert "Thank you for telling us" in first.content.decode()
    assert "You lot are rubbish" in visitor.get(idea_url).content.decode()
    client_for(tenant_a).post(url, {"reason": "hate"})
    assert "You lot are rubbish" not in visitor.get(idea_url).content.decode()
    with tenant_context(tenant_a):
        comment.refresh_from_db()
        comment.idea.refresh_from_db()
        assert comment.visibility == Visibility.HIDDEN
        assert comment.idea.comment_count == 0

    desk = client_for(tenant_a)
    with tenant_context(tenant_a):
        desk.force_login(moderator)
    queue = desk.get("/manage/moderation/?reason=reports").content.decode()
    assert "You lot are rubbish" in queue
    assert "2 reports" in queue
    desk.post(f"/manage/moderation/comment/{comment.pk}/", {"decision": "approve"})
    assert "You lot are rubbish" in visitor.get(idea_url).content.decode()
    with tenant_context(tenant_a):
        comment.idea.refresh_from_db()
        assert comment.idea.comment_count == 1
        assert not Report.objects.filter(comment=comment, resolved_at__isnull=True).exists()
        actions = list(AuditEntry.objects.order_by("id").values_list("actor_name", "action"))
        assert actions == [("system", "hide"), (moderator.username, "approve")]


def test_a_signed_in_resident_counts_once_however_often_they_report(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    _threshold(tenant_a, 2)
    with tenant_context(tenant_a):
        comment = CommentFactory.create()
        reporter = client_for(tenant_a)
        reporter.force_login(UserFactory.create())
    for _ in range(3):
        reporter.post(f"/report/comment/{comment.pk}/", {"reason": "spam"})
    with tenant_context(tenant_a):
        assert Report.objects.filter(comment=comment).count() == 1
        assert Comment.objects.get(pk=comment.pk).visibility == Visibility.PUBLISHED


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Choose a reason"),
        ({"reason": "made-up"}, "Select a valid choice"),
        ({"reason": "spam", "details": "x" * 1001}, "at most 1000 characters"),
        ({"reason": "spam", "website": "http://bot.example"}, "Something went wrong"),
    ],
)
def test_bad_reports_are_refused_and_change_nothing(
    client_for: Callable[..., Client], tenant_a: Tenant, form: dict[str, str], message: str
) -> None:
    with tenant_context(tenant_a):
        comment = CommentFactory.create()
    response = client_for(tenant_a).post(f"/report/comment/{comment.pk}/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    with tenant_context(tenant_a):
        assert not Report.objects.exists()


def test_held_posts_and_unknown_kinds_cannot_be_reported(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        held = CommentFactory.create(visibility=Visibility.HELD)
    client = client_for(tenant_a)
    assert client.get(f"/report/comment/{held.pk}/").status_code == 404
    assert client.get(f"/report/tenant/{held.pk}/").status_code == 404
