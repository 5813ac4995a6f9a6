"""Residents can read a tenant's dialogues without signing in; drafts stay hidden."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from dialogues.models import Dialogue
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_lists_listed_dialogues_but_not_drafts_or_unlisted_ones(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        DialogueFactory.create(title="Open and listed")
        DialogueFactory.create(title="Still a draft", state=Dialogue.State.DRAFT)
        DialogueFactory.create(title="By link only", listed=False)
    page = client_for(tenant_a).get("/").content.decode()
    assert "Open and listed" in page
    assert "Still a draft" not in page
    assert "By link only" not in page


def test_an_unlisted_dialogue_is_reachable_by_its_link_and_a_draft_is_not(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        DialogueFactory.create(slug="by-link", listed=False)
        DialogueFactory.create(slug="drafty", state=Dialogue.State.DRAFT)
    client = client_for(tenant_a)
    assert client.get("/dialogues/by-link/").status_code == 200
    assert client.get("/dialogues/drafty/").status_code == 404


def test_ideas_are_paginated_and_show_only_the_authors_username(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug="busy")
        author = UserFactory.create(username="HiddenHeron", email="hidden@example.org")
        IdeaFactory.create(dialogue=dialogue, author=author)
        IdeaFactory.create_batch(24, dialogue=dialogue)
    client = client_for(tenant_a)
    first = client.get("/dialogues/busy/").content.decode()
    second = client.get("/dialogues/busy/?page=2").content.decode()
    assert first.count('class="card card--link idea-card"') == 20
    assert second.count('class="card card--link idea-card"') == 5
    assert "Page 2 of 2" in second
    assert "hidden@example.org" not in first + second
    assert "HiddenHeron" in first + second
