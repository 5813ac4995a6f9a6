"""A refused comment or reply comes back with what was typed and why, and saves nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from dialogues.models import Comment, Idea
from tenants.models import Tenant
from tests.factories import CommentFactory, IdeaFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

HTMX = {"HX-Request": "true"}


def _signed_in(client_for: Callable[..., Client], tenant: Tenant, **user: object) -> Client:
    client = client_for(tenant)
    with tenant_context(tenant):
        client.force_login(UserFactory.create(**user))
    return client


def _comments_url(idea: Idea) -> str:
    return f"{idea.get_absolute_url()}comments/"


def test_a_refused_reply_reopens_under_its_own_thread_with_its_text(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        thread = CommentFactory.create()
    client = _signed_in(client_for, tenant_a)
    reply = "Agreed, and the bridge. " * 130  # over 3,000 characters
    response = client.post(
        _comments_url(thread.idea), {"body": reply, "parent": thread.pk}, headers=HTMX
    )
    assert response.status_code == 422
    part = response.content.decode()
    assert part.count("<header") == 0  # only the conversation, swapped in place
    assert '<details class="reply" open>' in part
    assert f'aria-describedby="reply-{thread.pk}-error"' in part
    assert "at most 3000 characters" in part
    assert f'id="reply-{thread.pk}"' in part
    assert reply.strip()[:60] in part
    # The main comment box stays empty: the reply did not move there.
    assert 'id="comment-body">\n</textarea>' in part
    with tenant_context(tenant_a):
        assert thread.replies.count() == 0


def test_a_comment_refused_for_an_unconfirmed_email_keeps_its_text(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create()
    client = _signed_in(client_for, tenant_a, verified=False)
    text = "Could the youth club stay open on Sundays?"
    page = client.post(_comments_url(idea), {"body": text})
    assert page.status_code == 400
    html = page.content.decode()
    assert "Your comment was not posted: Please confirm your email address first" in html
    assert f">\n{text}</textarea>" in html
    with tenant_context(tenant_a):
        assert not Comment.objects.filter(idea=idea).exists()


def test_a_comment_the_page_allowed_is_not_refused_for_its_line_breaks(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create()
    client = _signed_in(client_for, tenant_a)
    # 3,000 characters as the textarea counts them (a line break is one); sent as CR LF.
    lines = ["x" * 99] * 30
    response = client.post(_comments_url(idea), {"body": "\r\n".join(lines) + "\r\n"})
    assert response.status_code == 302
    with tenant_context(tenant_a):
        saved = Comment.objects.get(idea=idea)
    assert saved.body == "\n".join(lines)
