"""Live conversation: polls cost nothing when quiet; new comments and ideas reach viewers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from dialogues.services import comment_create, idea_create
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


def _poll_url(page: str, kind: str) -> str:
    match = re.search(rf'hx-get="(/live/dialogues/\d+/{kind}\?stamp=[^"]+)"', page)
    assert match, page
    return match.group(1).replace("&amp;", "&")


def test_a_quiet_idea_poll_answers_204_without_a_query(
    client_for: Callable[..., Client],
    tenant_a: Tenant,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create()
    client = client_for(tenant_a)
    poll = _poll_url(client.get(idea.get_absolute_url()).content.decode(), r"ideas/\d+/")
    assert client.get(poll).status_code == 204  # warms the host -> tenant memo
    with django_assert_num_queries(0):
        assert client.get(poll).status_code == 204


def test_a_quiet_dialogue_poll_answers_204_without_a_query(
    client_for: Callable[..., Client],
    tenant_a: Tenant,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create()
    client = client_for(tenant_a)
    poll = _poll_url(client.get(dialogue.get_absolute_url()).content.decode(), "")
    client.get(poll)
    with django_assert_num_queries(0):
        assert client.get(poll).status_code == 204


def test_new_comments_and_replies_reach_a_viewer_and_are_announced(
    client_for: Callable[..., Client],
    tenant_a: Tenant,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create()
        first = comment_create(idea=idea, author=UserFactory.create(), body="Already here")
    client = client_for(tenant_a)
    poll = _poll_url(client.get(idea.get_absolute_url()).content.decode(), r"ideas/\d+/")
    with tenant_context(tenant_a), django_capture_on_commit_callbacks(execute=True):
        comment_create(idea=idea, author=UserFactory.create(), body="Fresh top comment")
        comment_create(idea=idea, author=UserFactory.create(), body="Fresh reply", parent=first)
    update = client.get(poll).content.decode()
    assert "Fresh top comment" in update
    assert "Fresh reply" in update
    assert "Already here" not in update
    assert 'hx-swap-oob="beforeend:#comment-list"' in update
    assert f'hx-swap-oob="beforeend:#replies-{first.pk}"' in update
    assert "2 new comments added below." in update
    # The next poll carries the new stamp and position: nothing is sent twice.
    assert client.get(_poll_url(update, r"ideas/\d+/")).status_code == 204


def test_viewers_of_a_dialogue_are_told_of_new_ideas(
    client_for: Callable[..., Client],
    tenant_a: Tenant,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create()
    client = client_for(tenant_a)
    poll = _poll_url(client.get(dialogue.get_absolute_url()).content.decode(), "")
    time.sleep(0.01)
    with tenant_context(tenant_a), django_capture_on_commit_callbacks(execute=True):
        idea_create(dialogue=dialogue, author=UserFactory.create(), title="New", body="B")
    update = client.get(poll).content.decode()
    assert "1 new idea since you opened this page" in update
    assert 'id="new-ideas" hx-swap-oob="innerHTML"' in update


def test_a_malformed_poll_is_refused(client_for: Callable[..., Client], tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create()
    response = client_for(tenant_a).get(f"/live/dialogues/{dialogue.pk}/?stamp=x&after=nan-ish")
    assert response.status_code == 400


def test_htmx_requests_get_the_changed_part_and_others_a_redirect(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create()
        client = client_for(tenant_a)
        client.force_login(UserFactory.create())
    url = idea.get_absolute_url()
    plain = client.post(f"{url}rating/", {"stars": "3"})
    assert plain.status_code == 302
    partial = client.post(f"{url}rating/", {"stars": "5"}, headers={"hx-request": "true"})
    body = partial.content.decode()
    assert partial.status_code == 200
    assert body.startswith('<div id="rating"')
    assert "Thank you for rating this idea." in body
    assert "Rated 5.0 out of 5 from 1 rating" in body
    comment = client.post(
        f"{url}comments/", {"body": "Via htmx"}, headers={"hx-request": "true"}
    ).content.decode()
    assert comment.startswith('<section id="comments"')
    assert "Via htmx" in comment
    assert "Your comment is posted." in comment
    follow = client.post(
        f"/notifications/follow/idea/{idea.pk}/",
        {"following": "1", "label": "this idea"},
        headers={"hx-request": "true"},
    ).content.decode()
    assert 'aria-pressed="true"' in follow
    assert "You are following this." in follow
